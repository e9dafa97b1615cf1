using System.Data.Common;
using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// The behaviour <see cref="IObserveStore"/> promises, run identically against every engine
/// (<see cref="SqliteStoreTests"/>, <see cref="PostgresStoreTests"/>).
/// </summary>
public abstract partial class StoreContractTests : StoreTestBase
{
    // Migrations

    [Fact]
    public async Task MigrateAsync_EmptyDatabase_CreatesLatestSchema()
    {
        var location = await FreshLocationAsync();
        var store = Open(location);

        await store.MigrateAsync(Ct);

        Assert.Equal(store.LatestVersion, await store.GetSchemaVersionAsync(Ct));
        Assert.Equal(store.MigrationCount, await location.ScalarAsync("SELECT COUNT(*) FROM schema_version"));
    }

    [Fact]
    public async Task MigrateAsync_CurrentDatabase_ChangesNothing()
    {
        await Store.WriteMetricsAsync([Point(Fn("a"), 0, invocations: 1)], Ct);

        await Store.MigrateAsync(Ct);
        await Open(Location).MigrateAsync(Ct);

        Assert.Equal(Store.MigrationCount, await Location.ScalarAsync("SELECT COUNT(*) FROM schema_version"));
        Assert.Single(await Store.GetFunctionSeriesAsync(Fn("a"), Minutes(0, 1), SeriesResolution.Minute, Ct));
    }

    [Fact]
    public async Task MigrateAsync_VersionOneDatabaseWithData_UpgradesAndKeepsData()
    {
        var location = await FreshLocationAsync();
        await Open(location).MigrateToAsync(1, Ct);
        var minute = (long)(At(0).ToUnixTimeMilliseconds() / 60_000);
        var ms = At(0).ToUnixTimeMilliseconds();

        // Rows exactly as the version-1 build wrote them.
        await location.ExecuteAsync($$"""
            INSERT INTO fn (account_id, region, name) VALUES ('111111111111', 'eu-west-1', 'orders');
            INSERT INTO function_inventory (fid, arn, runtime, architecture, memory_mb, timeout_s, code_size, package_type,
                last_modified, tags, layers, event_sources, provisioned_concurrency, reserved_concurrency, last_seen, deleted_at)
            VALUES (1, 'arn:aws:lambda:eu-west-1:111111111111:function:orders', 'dotnet8', 'arm64', 512, 30, 1000, 'Zip',
                {{ms}}, '{"team":"payments"}', '[]', '[]', 0, NULL, {{ms}}, NULL);
            INSERT INTO metric_minute (fid, minute, invocations, errors) VALUES (1, {{minute}}, 10, 1);
            INSERT INTO metric_minute (fid, minute, invocations, errors) VALUES (1, {{minute + 1}}, 20, 0);
            INSERT INTO fleet_minute (minute, account_id, region, invocations, errors, throttles, cold_starts,
                duration_weighted, duration_weight, concurrency, concurrency_count)
            VALUES ({{minute}}, '111111111111', 'eu-west-1', 10, 1, 0, 0, 0, 0, 0, 0);
            INSERT INTO fleet_minute (minute, account_id, region, invocations, errors, throttles, cold_starts,
                duration_weighted, duration_weight, concurrency, concurrency_count)
            VALUES ({{minute + 1}}, '111111111111', 'eu-west-1', 20, 0, 0, 0, 0, 0, 0, 0);
            INSERT INTO checkpoint (key, value, updated_at) VALUES ('metrics/111111111111/eu-west-1', 'cursor-7', 0);
            """);
        Assert.Equal(1, await location.ScalarAsync("SELECT MAX(version) FROM schema_version"));

        var store = Open(location);
        await store.MigrateAsync(Ct);

        Assert.Equal(store.LatestVersion, await store.GetSchemaVersionAsync(Ct));
        var function = Assert.Single(await store.GetFunctionsAsync(FleetFilter.All, Ct));
        Assert.Equal(Fn("orders"), function.Key);
        Assert.Equal("payments", function.Tags["team"]);
        Assert.Equal((0, 0, (string?)null), (function.Aliases.Count, function.PublishedVersions.Count, function.RevisionId));
        var series = await store.GetFunctionSeriesAsync(Fn("orders"), Minutes(0, 60), SeriesResolution.Minute, Ct);
        Assert.Equal([10d, 20d], series.Select(b => b.Invocations));
        Assert.Equal("cursor-7", await store.GetCheckpointAsync("metrics/111111111111/eu-west-1", Ct));

        // The upgraded database keeps working: new writes merge into the old rows and the fleet aggregate.
        await store.WriteMetricsAsync([Point(Fn("orders"), 1, errors: 4), Point(Fn("orders"), 2, invocations: 5)], Ct);
        var overview = await store.GetOverviewAsync(FleetFilter.All, Minutes(0, 60), TimeSpan.FromHours(1), Ct);
        Assert.Equal(35, overview.Invocations);
        Assert.Equal(5, overview.Errors);
    }

    [Fact]
    public async Task MigrateAsync_TwoStoresAtOnce_ApplyEachStepOnce()
    {
        var location = await FreshLocationAsync();
        var first = Open(location);
        var second = Open(location);

        await Task.WhenAll(
            Task.Run(() => first.MigrateAsync(Ct)),
            Task.Run(() => second.MigrateAsync(Ct)));

        Assert.Equal(first.MigrationCount, await location.ScalarAsync("SELECT COUNT(*) FROM schema_version"));
        await first.WriteMetricsAsync([Point(Fn("a"), 0, invocations: 3)], Ct);
        Assert.Equal(3, (await second.GetOverviewAsync(FleetFilter.All, Minutes(0, 1), TimeSpan.FromMinutes(1), Ct)).Invocations);
    }

    [Fact]
    public async Task MigrateAsync_DatabaseNewerThanCode_ThrowsNamingBothVersions()
    {
        var location = await FreshLocationAsync();
        await Open(location).MigrateAsync(Ct);
        await location.ExecuteAsync("INSERT INTO schema_version (version, description, applied_at) VALUES (99, 'from a newer build', 0)");

        var store = Open(location);
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.MigrateAsync(Ct));

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains($"supports ({store.LatestVersion})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_StepFails_RollsBackThatStepAndNamesIt()
    {
        var location = await FreshLocationAsync();
        await Open(location).MigrateToAsync(1, Ct);

        // Step 2 creates metric_hour, then fails on this table: nothing of step 2 may remain.
        await location.ExecuteAsync("CREATE TABLE fleet_hour (x INTEGER)");
        var store = Open(location);
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.MigrateAsync(Ct));

        Assert.Contains("schema migration 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("stays at version 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await store.GetSchemaVersionAsync(Ct));
        await Assert.ThrowsAnyAsync<DbException>(() => location.ScalarAsync("SELECT COUNT(*) FROM metric_hour"));
    }

    // Metrics: merge, replays, overview

    [Fact]
    public async Task WriteMetricsAsync_WritersFillDifferentFields_MergesNonNullFields()
    {
        var f = Fn("orders");
        await Store.WriteMetricsAsync([Point(f, 0, invocations: 10, errors: 2, duration: 100, p99: 250)], Ct);
        await Store.WriteMetricsAsync([Point(f, 0, coldStarts: 3)], Ct);
        await Store.WriteMetricsAsync([Point(f, 0, errors: 1)], Ct);

        var bucket = Assert.Single(await Store.GetFunctionSeriesAsync(f, Minutes(0, 10), SeriesResolution.Minute, Ct));
        Assert.Equal(At(0), bucket.Start);
        Assert.Equal(10, bucket.Invocations);
        Assert.Equal(1, bucket.Errors);
        Assert.Equal(3, bucket.ColdStarts);
        Assert.Equal(100, bucket.DurationAvgMs);
        Assert.Equal(250, bucket.DurationP99Ms);
        Assert.Null(bucket.DurationP50Ms);
        var overview = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 10), TimeSpan.FromMinutes(10), Ct);
        Assert.Equal((10d, 1d, 3d), (overview.Invocations, overview.Errors, overview.ColdStarts));
    }

    [Fact]
    public async Task WriteMetricsAsync_SameMinuteTwiceInOneBatch_LaterPointWins()
    {
        var f = Fn("orders");
        await Store.WriteMetricsAsync([Point(f, 0, invocations: 1, errors: 1), Point(f, 0, invocations: 7), Point(f, 0, throttles: 2)], Ct);

        var bucket = Assert.Single(await Store.GetFunctionSeriesAsync(f, Minutes(0, 1), SeriesResolution.Minute, Ct));
        Assert.Equal((7d, 1d, 2d), (bucket.Invocations, bucket.Errors, bucket.Throttles));
        Assert.Equal(7, (await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 1), TimeSpan.FromMinutes(1), Ct)).Invocations);
    }

    [Fact]
    public async Task WriteMetricsAsync_MinuteWithSeconds_FlooredToItsMinute()
    {
        var f = Fn("orders");
        await Store.WriteMetricsAsync([Point(f, 0, invocations: 2) with { Minute = At(3).AddSeconds(59.9) }], Ct);
        await Store.WriteMetricsAsync([Point(f, 3, errors: 1)], Ct);

        var bucket = Assert.Single(await Store.GetFunctionSeriesAsync(f, Minutes(0, 10), SeriesResolution.Minute, Ct));
        Assert.Equal((At(3), 2d, 1d), (bucket.Start, bucket.Invocations, bucket.Errors));
    }

    [Fact]
    public async Task WriteMetricsAsync_BatchReplayed_CountsItOnce()
    {
        var batch = Enumerable.Range(0, 3).SelectMany(f => Enumerable.Range(0, 30).Select(m =>
            Point(Fn($"f{f}"), m, invocations: f + m, errors: m % 3, duration: 10 + f, coldStarts: m % 2, concurrency: 2))).ToList();

        await Store.WriteMetricsAsync(batch, Ct);
        await Store.WriteMetricsAsync(batch, Ct);
        await Store.WriteMetricsAsync(batch.Take(40).ToList(), Ct);

        var overview = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 30), TimeSpan.FromMinutes(30), Ct);
        Assert.Equal(batch.Sum(p => p.Invocations!.Value), overview.Invocations);
        Assert.Equal(batch.Sum(p => p.Errors!.Value), overview.Errors);
        Assert.Equal(batch.Sum(p => p.ColdStarts!.Value), overview.ColdStarts);
        var series = await Store.GetFunctionSeriesAsync(Fn("f1"), Minutes(0, 30), SeriesResolution.Minute, Ct);
        Assert.Equal(30, series.Count);
        Assert.Equal(Enumerable.Range(0, 30).Sum(m => 1d + m), series.Sum(b => b.Invocations));
    }

    [Fact]
    public async Task WriteMetricsAsync_ValueRevised_AggregatesFollowTheStoredValue()
    {
        var f = Fn("orders");
        await Store.WriteMetricsAsync([Point(f, 0, invocations: 10, duration: 100, concurrency: 4)], Ct);
        await Store.WriteMetricsAsync([Point(f, 0, invocations: 4, duration: 50)], Ct);

        var overview = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 1), TimeSpan.FromMinutes(1), Ct);
        Assert.Equal(4, overview.Invocations);
        var bucket = Assert.Single(overview.Series);
        Assert.Equal(50, bucket.DurationAvgMs!.Value, 9);
        Assert.Equal(4, bucket.ConcurrentExecutions);
    }

    [Fact]
    public async Task GetOverviewAsync_FleetAcrossAccountsAndRegions_EqualsSumsOfWrittenPoints()
    {
        string[] accounts = ["111111111111", "222222222222"];
        string[] regions = ["eu-west-1", "us-east-1"];
        var keys = (from a in accounts from r in regions from n in new[] { "api", "worker", "cron" } select Fn(n, a, r)).ToList();
        var points = keys.SelectMany((k, i) => Enumerable.Range(0, 60).Select(m => Point(
            k, m, invocations: (i + 1) * (m + 1), errors: (m + i) % 4, throttles: m % 5 == 0 ? 1 : 0,
            duration: 20 + i, concurrency: i + 1, coldStarts: m % 10 == 0 ? 1 : 0))).ToList();
        await Store.WriteMetricsAsync(points, Ct);
        await Store.UpsertFunctionsAsync([.. keys.Select(k => Function(k))], Ct);
        await Store.MarkDeletedExceptAsync(accounts[0], regions[0], ["api", "worker"], T0, Ct);
        await Store.UpsertAlarmsAsync(
        [
            Alarm(accounts[0], regions[0], "a1", AlarmState.Alarm),
            Alarm(accounts[0], regions[1], "a2", AlarmState.Alarm),
            Alarm(accounts[1], regions[0], "a3", AlarmState.Ok),
            Alarm(accounts[1], regions[1], "a4", AlarmState.Alarm),
        ], Ct);

        foreach (var filter in new[] { FleetFilter.All, new FleetFilter(accounts[0]), new FleetFilter(Region: regions[1]), new FleetFilter(accounts[1], regions[0]) })
        {
            bool Matches(FunctionKey k) => (filter.AccountId ?? k.AccountId) == k.AccountId && (filter.Region ?? k.Region) == k.Region;
            var mine = points.Where(p => Matches(p.Function)).ToList();

            var overview = await Store.GetOverviewAsync(filter, Minutes(0, 60), TimeSpan.FromMinutes(15), Ct);

            Assert.Equal(mine.Sum(p => p.Invocations!.Value), overview.Invocations);
            Assert.Equal(mine.Sum(p => p.Errors!.Value), overview.Errors);
            Assert.Equal(mine.Sum(p => p.Throttles!.Value), overview.Throttles);
            Assert.Equal(mine.Sum(p => p.ColdStarts!.Value), overview.ColdStarts);
            Assert.Equal(keys.Count(Matches) - (Matches(Fn("cron", accounts[0], regions[0])) ? 1 : 0), overview.Functions);
            Assert.Equal(new[] { "a1", "a2", "a4" }.Count(a => Matches(AlarmScope(a))), overview.AlarmsInAlarm);
            Assert.Equal([At(0), At(15), At(30), At(45)], overview.Series.Select(b => b.Start));
            foreach (var bucket in overview.Series)
            {
                var inBucket = mine.Where(p => p.Minute >= bucket.Start && p.Minute < bucket.Start.AddMinutes(15)).ToList();
                Assert.Equal(inBucket.Sum(p => p.Invocations!.Value), bucket.Invocations);
                var weighted = inBucket.Sum(p => p.DurationAvgMs!.Value * p.Invocations!.Value) / inBucket.Sum(p => p.Invocations!.Value);
                Assert.Equal(weighted, bucket.DurationAvgMs!.Value, 9);

                // Concurrency: the fleet's busiest minute in the bucket (every function reports each minute here).
                Assert.Equal(mine.Select(p => p.Function).Distinct().Sum(k => keys.IndexOf(k) + 1d), bucket.ConcurrentExecutions);
            }
        }
    }

    [Fact]
    public async Task GetFunctionSeriesAsync_HourResolution_CombinesMinutes()
    {
        var f = Fn("orders");
        await Store.WriteMetricsAsync(
        [
            Point(f, 0, invocations: 10, errors: 1, duration: 100, p99: 300, concurrency: 3),
            Point(f, 30, invocations: 30, duration: 200, p99: 500, concurrency: 1),
            Point(f, 61, invocations: 5, coldStarts: 2),
        ], Ct);

        var series = await Store.GetFunctionSeriesAsync(f, Minutes(0, 120), SeriesResolution.Hour, Ct);

        Assert.Equal([At(0), At(60)], series.Select(b => b.Start));
        Assert.Equal((40d, 1d), (series[0].Invocations, series[0].Errors));
        Assert.Equal((10 * 100 + 30 * 200) / 40d, series[0].DurationAvgMs!.Value, 9);
        Assert.Equal((500d, 3d), (series[0].DurationP99Ms, series[0].ConcurrentExecutions));
        Assert.Equal((5d, 2d), (series[1].Invocations, series[1].ColdStarts));
        Assert.Null(series[1].DurationAvgMs);
        Assert.Empty(await Store.GetFunctionSeriesAsync(Fn("unknown"), Minutes(0, 120), SeriesResolution.Hour, Ct));
    }

    [Fact]
    public async Task WriteMetricsAsync_ConcurrentWritersInTwoStores_TotalsExact()
    {
        var other = Open(Location);
        await other.MigrateAsync(Ct);
        var shared = Fn("shared");

        // Eight writers, four per store: each owns five functions and also fills one field of a function they all
        // share, the way the metrics and logs collectors fill different fields of one minute.
        var writers = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            var store = t % 2 == 0 ? Store : other;
            for (var batch = 0; batch < 10; batch++)
            {
                var points = Enumerable.Range(0, 5)
                    .SelectMany(f => Enumerable.Range(batch * 6, 6).Select(m => Point(Fn($"t{t}-f{f}"), m, invocations: 1, errors: t)))
                    .Append(t % 2 == 0 ? Point(shared, batch, invocations: 1) : Point(shared, batch, coldStarts: 1))
                    .ToList();
                await store.WriteMetricsAsync(points, Ct);
            }
        })).ToList();
        await Task.WhenAll(writers);

        var overview = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 60), TimeSpan.FromHours(1), Ct);
        Assert.Equal(8 * 5 * 60 + 10, overview.Invocations);
        Assert.Equal(Enumerable.Range(0, 8).Sum(t => t * 5 * 60d), overview.Errors);
        Assert.Equal(10, overview.ColdStarts);
        var series = await other.GetFunctionSeriesAsync(shared, Minutes(0, 60), SeriesResolution.Minute, Ct);
        Assert.All(series, b => Assert.Equal((1d, 1d), (b.Invocations, b.ColdStarts)));
    }

    [Fact]
    public async Task Restart_AfterAcknowledgedWrites_NewInstanceReadsEverything()
    {
        var f = Fn("orders");
        var first = Open(Location);
        await first.MigrateAsync(Ct);
        await first.UpsertFunctionsAsync([Function(f)], Ct);
        await first.WriteMetricsAsync([Point(f, 0, invocations: 12), Point(f, 1, invocations: 13)], Ct);
        await first.WriteInvocationReportsAsync([Report(f, "r-1", 0)], Ct);
        await first.SetCheckpointAsync("logs/orders", "token-9", Ct);

        // Opened while the first instance still holds its connections, as after a crash, then after a clean stop.
        var crashed = Open(Location);
        await crashed.MigrateAsync(Ct);
        Assert.Equal(25, (await crashed.GetOverviewAsync(FleetFilter.All, Minutes(0, 5), TimeSpan.FromMinutes(5), Ct)).Invocations);
        await first.DisposeAsync();
        var restarted = Open(Location);
        await restarted.MigrateAsync(Ct);

        Assert.Equal(f, Assert.Single(await restarted.GetFunctionsAsync(FleetFilter.All, Ct)).Key);
        Assert.Equal([12d, 13d], (await restarted.GetFunctionSeriesAsync(f, Minutes(0, 5), SeriesResolution.Minute, Ct)).Select(b => b.Invocations));
        Assert.Equal(25, (await restarted.GetOverviewAsync(FleetFilter.All, Minutes(0, 5), TimeSpan.FromMinutes(5), Ct)).Invocations);
        Assert.Single(await restarted.GetInvocationReportsAsync(f, Minutes(0, 5), false, 10, Ct));
        Assert.Equal("token-9", await restarted.GetCheckpointAsync("logs/orders", Ct));
    }

    // Retention

    [Fact]
    public async Task ApplyRetentionAsync_MinutesPastRawRetention_RolledIntoEqualHours()
    {
        var f = Fn("orders");
        var g = Fn("billing", region: "us-east-1");
        var now = T0.AddDays(8).AddMinutes(30);
        var old = new[] { f, g }.SelectMany((k, i) => Enumerable.Range(0, 120).Select(m => Point(
            k, m, invocations: (m % 7) + i, errors: m % 3, duration: 10 + (m % 11), p99: 100 + m, concurrency: m % 9, coldStarts: m % 2))).ToList();
        var recent = Point(f, (int)(now.AddHours(-1) - T0).TotalMinutes, invocations: 99);
        await Store.WriteMetricsAsync([.. old, recent], Ct);
        var before = await Store.GetFunctionSeriesAsync(f, Minutes(0, 120), SeriesResolution.Hour, Ct);
        var overviewBefore = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 120), TimeSpan.FromHours(1), Ct);

        var result = await Store.ApplyRetentionAsync(now, Ct);

        Assert.Equal(240, result.MinutesRolledUp);
        Assert.Equal(240, result.MinutesDeleted);
        var after = await Store.GetFunctionSeriesAsync(f, Minutes(0, 120), SeriesResolution.Hour, Ct);
        AssertSameBuckets(before, after);
        foreach (var hour in after)
        {
            var minutes = old.Where(p => p.Function == f && p.Minute >= hour.Start && p.Minute < hour.Start.AddHours(1)).ToList();
            Assert.Equal(minutes.Sum(p => p.Invocations!.Value), hour.Invocations);
            Assert.Equal(minutes.Sum(p => p.Errors!.Value), hour.Errors);
            Assert.Equal(minutes.Sum(p => p.ColdStarts!.Value), hour.ColdStarts);
            Assert.Equal(minutes.Max(p => p.DurationP99Ms), hour.DurationP99Ms);
            Assert.Equal(minutes.Max(p => p.ConcurrentExecutions), hour.ConcurrentExecutions);
        }

        // Past the raw retention a minute-resolution read gets the hours.
        AssertSameBuckets(after, await Store.GetFunctionSeriesAsync(f, Minutes(0, 120), SeriesResolution.Minute, Ct));
        var overviewAfter = await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 120), TimeSpan.FromHours(1), Ct);
        Assert.Equal(overviewBefore.Invocations, overviewAfter.Invocations);
        Assert.Equal(overviewBefore.Errors, overviewAfter.Errors);
        Assert.Equal(overviewBefore.Series.Select(b => b.Invocations), overviewAfter.Series.Select(b => b.Invocations));
        Assert.Equal(0, await Location.ScalarAsync($"SELECT COUNT(*) FROM metric_minute WHERE minute < {T0.AddDays(1).ToUnixTimeMilliseconds() / 60_000}"));
        Assert.Equal(99, Assert.Single(await Store.GetFunctionSeriesAsync(f, new TimeRange(now.AddHours(-2), now), SeriesResolution.Minute, Ct)).Invocations);

        // Idempotent, and a late write to a rolled-up minute cannot count twice.
        Assert.Equal(new RetentionResult(0, 0, 0, 0, 0), await Store.ApplyRetentionAsync(now, Ct));
        await Store.WriteMetricsAsync([Point(f, 5, invocations: 1000)], Ct);
        AssertSameBuckets(after, await Store.GetFunctionSeriesAsync(f, Minutes(0, 120), SeriesResolution.Hour, Ct));
        Assert.Equal(overviewAfter.Invocations, (await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 120), TimeSpan.FromHours(1), Ct)).Invocations);
    }

    [Fact]
    public async Task ApplyRetentionAsync_PastEachRetention_DeletesHoursReportsTracesAndErrors()
    {
        var f = Fn("orders");
        var now = T0.AddDays(8);
        await Store.WriteMetricsAsync([Point(f, 0, invocations: 1), Point(f, 60, invocations: 2)], Ct);
        await Store.WriteInvocationReportsAsync([Report(f, "old", 0), Report(f, "new", (int)(now - T0).TotalMinutes - 10)], Ct);
        await Store.WriteTracesAsync([Trace("1-old-trace", At(0)), Trace("1-new-trace", now.AddMinutes(-10))], Ct);
        await Store.RecordErrorsAsync([Errors(f, "fp", At(0), At(1), 3)], Ct);

        var first = await Store.ApplyRetentionAsync(now, Ct);

        Assert.Equal(new RetentionResult(2, 2, 0, 1, 1), first);
        Assert.Equal("new", Assert.Single(await Store.GetInvocationReportsAsync(null, new TimeRange(T0, now), false, 10, Ct)).RequestId);
        Assert.Equal("1-new-trace", Assert.Single(await Store.GetTraceSummariesAsync(new TimeRange(T0, now), false, 10, Ct)).TraceId);
        Assert.Single(await Store.GetErrorGroupsAsync(FleetFilter.All, new TimeRange(T0, now), 10, Ct));

        var later = await Store.ApplyRetentionAsync(T0.AddDays(91), Ct);

        Assert.Equal(2, later.HoursDeleted);
        Assert.Empty(await Store.GetFunctionSeriesAsync(f, Minutes(0, 120), SeriesResolution.Hour, Ct));
        Assert.Empty((await Store.GetOverviewAsync(FleetFilter.All, Minutes(0, 120), TimeSpan.FromHours(1), Ct)).Series);
        Assert.Empty(await Store.GetErrorGroupsAsync(FleetFilter.All, new TimeRange(T0, T0.AddDays(91)), 10, Ct));
    }

    [Fact]
    public async Task ApplyRetentionAsync_DuringWritesFromTwoStores_AggregatesStayConsistent()
    {
        var other = Open(Location, o => o.BatchSize = 3);
        await other.MigrateAsync(Ct);
        var now = T0.AddDays(8);
        var recentStart = (int)(now - T0).TotalMinutes - 120;

        // Writers mix minutes that retention is rolling up with recent ones; which old minutes land before the
        // watermark moves depends on timing, so the checks are invariants rather than fixed totals.
        var writers = Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
        {
            var store = t % 2 == 0 ? Store : other;
            for (var batch = 0; batch < 12; batch++)
            {
                var points = Enumerable.Range(0, 5).SelectMany(f => new[]
                {
                    Point(Fn($"t{t}-f{f}"), (batch * 10) + f, invocations: 1, errors: 1),
                    Point(Fn($"t{t}-f{f}"), recentStart + (batch * 10) + f, invocations: 2),
                }).ToList();
                await store.WriteMetricsAsync(points, Ct);
            }
        }));
        var retention = Enumerable.Range(0, 3).Select(i => Task.Run(() => (i % 2 == 0 ? Store : other).ApplyRetentionAsync(now, Ct)));
        await Task.WhenAll([.. writers, .. retention]);
        await Store.ApplyRetentionAsync(now, Ct);

        var whole = new TimeRange(T0, now);
        var overview = await Store.GetOverviewAsync(FleetFilter.All, whole, TimeSpan.FromDays(1), Ct);
        var perFunction = 0d;
        foreach (var function in (from t in Enumerable.Range(0, 4) from f in Enumerable.Range(0, 5) select Fn($"t{t}-f{f}")))
        {
            perFunction += (await Store.GetFunctionSeriesAsync(function, whole, SeriesResolution.Hour, Ct)).Sum(b => b.Invocations);
        }

        Assert.Equal(perFunction, overview.Invocations);
        Assert.Equal(4 * 5 * 12 * 2, (await Store.GetOverviewAsync(FleetFilter.All, new TimeRange(At(recentStart), now), TimeSpan.FromDays(1), Ct)).Invocations);
        Assert.Equal(overview.Invocations - (4 * 5 * 12 * 2), overview.Errors);
        Assert.Equal(0, await Location.ScalarAsync($"SELECT COUNT(*) FROM metric_minute WHERE minute < {(now.AddDays(-7).ToUnixTimeMilliseconds() / 3_600_000) * 60}"));
    }

    // Inventory

    [Fact]
    public async Task MarkDeletedExceptAsync_FunctionMissingFromListing_HiddenButHistoryKept()
    {
        var (a, b, c, elsewhere) = (Fn("a"), Fn("b"), Fn("c"), Fn("a", region: "us-east-1"));
        await Store.UpsertFunctionsAsync([Function(a), Function(b), Function(c), Function(elsewhere)], Ct);
        await Store.WriteMetricsAsync([Point(b, 0, invocations: 4)], Ct);

        Assert.Equal(1, await Store.MarkDeletedExceptAsync(a.AccountId, a.Region, ["a", "c"], T0.AddHours(1), Ct));
        Assert.Equal(0, await Store.MarkDeletedExceptAsync(a.AccountId, a.Region, ["a", "c"], T0.AddHours(2), Ct));

        Assert.Equal([a, c, elsewhere], (await Store.GetFunctionsAsync(FleetFilter.All, Ct)).Select(x => x.Key));
        Assert.Single(await Store.GetFunctionSeriesAsync(b, Minutes(0, 1), SeriesResolution.Minute, Ct));

        await Store.UpsertFunctionsAsync([Function(b, seen: T0.AddHours(3))], Ct);
        var back = (await Store.GetFunctionsAsync(new FleetFilter(a.AccountId, a.Region), Ct)).Single(x => x.Key == b);
        Assert.Null(back.DeletedAt);
        Assert.Equal(T0.AddHours(3), back.LastSeen);
    }

    [Fact]
    public async Task UpsertFunctionsAsync_FullRecord_RoundTrips()
    {
        var expected = Function(Fn("orders")) with
        {
            Runtime = null,
            ReservedConcurrency = null,
            PackageType = "Image",
            Aliases = [new FunctionAlias("canary", "7", "8", 0.1), new FunctionAlias("live", "7")],
            PublishedVersions = ["6", "7", "8"],
            RevisionId = "5d3f6a1e-0c2b-4f7a-9e8d-1b2c3d4e5f60",
        };
        await Store.UpsertFunctionsAsync([expected], Ct);
        await Store.UpsertFunctionsAsync([expected with { MemoryMb = 1024 }], Ct);

        var actual = Assert.Single(await Store.GetFunctionsAsync(new FleetFilter("111111111111", "eu-west-1"), Ct));

        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Arn, actual.Arn);
        Assert.Null(actual.Runtime);
        Assert.Equal((expected.Architecture, 1024, expected.TimeoutSeconds, expected.CodeSizeBytes), (actual.Architecture, actual.MemoryMb, actual.TimeoutSeconds, actual.CodeSizeBytes));
        Assert.Equal(("Image", expected.LastModified, expected.ProvisionedConcurrency, (int?)null), (actual.PackageType, actual.LastModified, actual.ProvisionedConcurrency, actual.ReservedConcurrency));
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.Layers, actual.Layers);
        Assert.Equal(expected.EventSources, actual.EventSources);
        Assert.Equal(expected.Aliases, actual.Aliases);
        Assert.Equal(expected.PublishedVersions, actual.PublishedVersions);
        Assert.Equal(expected.RevisionId, actual.RevisionId);
        Assert.Empty(await Store.GetFunctionsAsync(new FleetFilter("999999999999"), Ct));
    }

    // Alarms

    [Fact]
    public async Task UpsertAlarmsAsync_StateChanges_RecordedOncePerTransition()
    {
        var alarm = Alarm("111111111111", "eu-west-1", "errors-high", AlarmState.Ok);
        await Store.UpsertAlarmsAsync([alarm], Ct);
        await Store.UpsertAlarmsAsync([alarm with { State = AlarmState.Alarm, StateReason = "threshold crossed", StateUpdated = T0.AddMinutes(5) }], Ct);
        await Store.UpsertAlarmsAsync([alarm with { State = AlarmState.Alarm, StateReason = "threshold crossed", StateUpdated = T0.AddMinutes(5) }], Ct);
        await Store.UpsertAlarmsAsync([alarm with { State = AlarmState.InsufficientData, StateUpdated = T0.AddMinutes(9) }], Ct);

        var history = await Store.GetAlarmHistoryAsync(alarm.Arn, 10, Ct);

        Assert.Equal(
            [
                new AlarmStateChange(alarm.Arn, T0.AddMinutes(9), AlarmState.Alarm, AlarmState.InsufficientData, "initial"),
                new AlarmStateChange(alarm.Arn, T0.AddMinutes(5), AlarmState.Ok, AlarmState.Alarm, "threshold crossed"),
            ],
            history);
        Assert.Single(await Store.GetAlarmHistoryAsync(alarm.Arn, 1, Ct));
        var stored = Assert.Single(await Store.GetAlarmsAsync(FleetFilter.All, AlarmState.InsufficientData, Ct));
        Assert.Equal(alarm with { State = AlarmState.InsufficientData, StateUpdated = T0.AddMinutes(9) }, stored);
        Assert.Empty(await Store.GetAlarmsAsync(FleetFilter.All, AlarmState.Alarm, Ct));
    }

    [Fact]
    public async Task RecordAlarmStateChangesAsync_FlapRecordedTwiceAndSeenByTheUpsert_EachTransitionOnce()
    {
        var alarm = Alarm("111111111111", "eu-west-1", "errors-high", AlarmState.Ok);
        await Store.UpsertAlarmsAsync([alarm], Ct);
        AlarmStateChange[] flap =
        [
            new(alarm.Arn, T0.AddMinutes(5), AlarmState.Ok, AlarmState.Alarm, "threshold crossed"),
            new(alarm.Arn, T0.AddMinutes(6), AlarmState.Alarm, AlarmState.Ok, "recovered"),
            new(alarm.Arn, T0.AddMinutes(8), AlarmState.Ok, AlarmState.Alarm, "crossed again"),
        ];

        await Store.RecordAlarmStateChangesAsync(flap, Ct);
        await Store.RecordAlarmStateChangesAsync(flap, Ct);

        // The listing then shows the last transition, at the timestamp the history item had: nothing more to record.
        await Store.UpsertAlarmsAsync([alarm with { State = AlarmState.Alarm, StateReason = "crossed again", StateUpdated = T0.AddMinutes(8) }], Ct);

        Assert.Equal(flap.Reverse(), await Store.GetAlarmHistoryAsync(alarm.Arn, 10, Ct));
        Assert.Equal(T0.AddMinutes(8), Assert.Single(await Store.GetAlarmsAsync(FleetFilter.All, AlarmState.Alarm, Ct)).StateUpdated);
    }

    [Fact]
    public async Task RecordAlarmStateChangesAsync_AfterTheUpsertRecordedTheTransition_AddsNothing()
    {
        var alarm = Alarm("111111111111", "eu-west-1", "errors-high", AlarmState.Ok);
        await Store.UpsertAlarmsAsync([alarm], Ct);
        await Store.UpsertAlarmsAsync([alarm with { State = AlarmState.Alarm, StateReason = "threshold crossed", StateUpdated = T0.AddMinutes(5) }], Ct);

        await Store.RecordAlarmStateChangesAsync([new AlarmStateChange(alarm.Arn, T0.AddMinutes(5), AlarmState.Ok, AlarmState.Alarm, "threshold crossed")], Ct);

        Assert.Equal(
            [new AlarmStateChange(alarm.Arn, T0.AddMinutes(5), AlarmState.Ok, AlarmState.Alarm, "threshold crossed")],
            await Store.GetAlarmHistoryAsync(alarm.Arn, 10, Ct));
        Assert.Equal(AlarmState.Alarm, Assert.Single(await Store.GetAlarmsAsync(FleetFilter.All, null, Ct)).State);
    }

    // Invocations and errors

    [Fact]
    public async Task WriteInvocationReportsAsync_DuplicateRequestId_KeepsFirstAndFilters()
    {
        var (f, g) = (Fn("orders"), Fn("billing"));
        var cold = Report(f, "r-2", 2) with { InitDurationMs = 412.5, Status = "error", TraceId = "1-abc-def" };
        await Store.WriteInvocationReportsAsync([Report(f, "r-1", 1), cold, Report(g, "r-3", 3)], Ct);
        await Store.WriteInvocationReportsAsync([Report(f, "r-1", 1) with { DurationMs = 9999 }], Ct);

        var all = await Store.GetInvocationReportsAsync(null, Minutes(0, 10), false, 10, Ct);
        Assert.Equal(["r-3", "r-2", "r-1"], all.Select(r => r.RequestId));
        Assert.Equal(Report(f, "r-1", 1), all[2]);
        Assert.Equal(cold, all[1]);
        Assert.True(all[1].IsColdStart);
        Assert.Equal(["r-2", "r-1"], (await Store.GetInvocationReportsAsync(f, Minutes(0, 10), false, 10, Ct)).Select(r => r.RequestId));
        Assert.Equal(["r-2"], (await Store.GetInvocationReportsAsync(null, Minutes(0, 10), true, 10, Ct)).Select(r => r.RequestId));
        Assert.Equal(["r-3"], (await Store.GetInvocationReportsAsync(null, Minutes(0, 10), false, 1, Ct)).Select(r => r.RequestId));
        Assert.Equal(["r-1"], (await Store.GetInvocationReportsAsync(null, Minutes(0, 2), false, 10, Ct)).Select(r => r.RequestId));
    }

    [Fact]
    public async Task RecordErrorsAsync_PassReplayed_CountedOnceAndSampleIsLatest()
    {
        var (f, g) = (Fn("orders"), Fn("billing", account: "222222222222"));
        var pass1 = Errors(f, "fp-timeout", At(0), At(4), 5);
        var pass2 = Errors(f, "fp-timeout", At(10), At(12), 2) with { Message = "Task timed out after 3.00 seconds", SampleRequestId = "req-latest" };
        var other = Errors(g, "fp-null", At(1), At(2), 9);

        await Store.RecordErrorsAsync([pass1], Ct);
        await Store.RecordErrorsAsync([pass1], Ct);
        await Store.RecordErrorsAsync([pass2, other], Ct);
        await Store.RecordErrorsAsync([pass2], Ct);

        var groups = await Store.GetErrorGroupsAsync(FleetFilter.All, Minutes(0, 60), 10, Ct);
        Assert.Equal([("fp-null", 9L), ("fp-timeout", 7L)], groups.Select(e => (e.Fingerprint, e.Count)));
        var timeout = groups[1];
        Assert.Equal((At(0), At(12)), (timeout.FirstSeen, timeout.LastSeen));
        Assert.Equal(("Task timed out after 3.00 seconds", "req-latest"), (timeout.Message, timeout.SampleRequestId));
        Assert.Equal(pass1.SampleStackTrace, timeout.SampleStackTrace);
        Assert.Equal(f, timeout.Function);

        Assert.Equal(2, Assert.Single(await Store.GetErrorGroupsAsync(new FleetFilter(f.AccountId), Minutes(5, 60), 10, Ct)).Count);
        Assert.Equal("fp-timeout", Assert.Single(await Store.GetErrorGroupsAsync(new FleetFilter(f.AccountId), Minutes(0, 60), 10, Ct)).Fingerprint);
        Assert.Single(await Store.GetErrorGroupsAsync(FleetFilter.All, Minutes(0, 60), 1, Ct));
    }

    // Traces

    [Fact]
    public async Task WriteTracesAsync_TreeWithSegments_RoundTripsAndReplaces()
    {
        var tree = Trace("1-5759e988-bd862e3fe1be46a994272793", At(3), fault: true);
        await Store.WriteTracesAsync([tree, Trace("1-00000000-000000000000000000000001", At(4))], Ct);
        await Store.WriteTracesAsync([tree with { Summary = tree.Summary with { DurationMs = 812 } }], Ct);

        var read = await Store.GetTraceAsync(tree.Summary.TraceId, Ct);

        Assert.NotNull(read);
        Assert.Equal(812, read.Summary.DurationMs);
        Assert.Equal((tree.Summary.Start, true, false, "POST /orders", "500"), (read.Summary.Start, read.Summary.HasFault, read.Summary.HasError, read.Summary.EntryPoint, read.Summary.HttpStatus));
        Assert.Equal(tree.Summary.Functions, read.Summary.Functions);
        Assert.Equal(tree.Segments.Count, read.Segments.Count);
        foreach (var (expected, actual) in tree.Segments.Zip(read.Segments))
        {
            Assert.Equal(expected with { Attributes = actual.Attributes }, actual);
            Assert.Equal(expected.Attributes, actual.Attributes);
        }

        Assert.Null(await Store.GetTraceAsync("1-missing", Ct));
        Assert.Equal(2, (await Store.GetTraceSummariesAsync(Minutes(0, 10), false, 10, Ct)).Count);
        Assert.Equal(tree.Summary.TraceId, Assert.Single(await Store.GetTraceSummariesAsync(Minutes(0, 10), true, 10, Ct)).TraceId);
    }

    // Alerting state and checkpoints

    [Fact]
    public async Task AlertRulesAndInstances_RoundTrip_AndDeletingRuleRemovesItsInstances()
    {
        var rule = new AlertRule
        {
            Id = "rule-1",
            Name = "Error rate",
            Condition = "error_rate > 0.05",
            Scope = new FleetFilter("111111111111"),
            For = TimeSpan.FromMinutes(5),
            Severity = "critical",
            Channels = ["email-ops", "slack"],
            Enabled = false,
            UpdatedAt = T0,
        };
        await Store.UpsertAlertRuleAsync(rule, Ct);
        await Store.UpsertAlertRuleAsync(rule with { Id = "rule-2", Name = "Throttles", Channels = [] }, Ct);
        var instance = new AlertInstance
        {
            RuleId = "rule-1",
            LabelsKey = "111111111111/eu-west-1/orders",
            Labels = new Dictionary<string, string> { ["function"] = "orders" },
            Status = AlertStatus.Firing,
            ActiveSince = T0,
            Value = 0.2,
            UpdatedAt = T0.AddMinutes(1),
        };
        await Store.UpsertAlertInstancesAsync([instance, instance with { RuleId = "rule-2", Status = AlertStatus.Pending, Value = null }], Ct);
        await Store.UpsertAlertInstancesAsync([instance with { Status = AlertStatus.Resolved, ResolvedAt = T0.AddMinutes(9) }], Ct);

        var rules = await Store.GetAlertRulesAsync(Ct);
        Assert.Equal(["rule-1", "rule-2"], rules.Select(r => r.Id));
        Assert.Equal(rule with { Channels = rules[0].Channels }, rules[0]);
        Assert.Equal(rule.Channels, rules[0].Channels);
        var resolved = Assert.Single(await Store.GetAlertInstancesAsync(AlertStatus.Resolved, Ct));
        Assert.Equal(instance with { Status = AlertStatus.Resolved, ResolvedAt = T0.AddMinutes(9), Labels = resolved.Labels }, resolved);
        Assert.Equal(instance.Labels, resolved.Labels);
        Assert.Equal(2, (await Store.GetAlertInstancesAsync(null, Ct)).Count);

        Assert.True(await Store.DeleteAlertRuleAsync("rule-2", Ct));
        Assert.False(await Store.DeleteAlertRuleAsync("rule-2", Ct));
        Assert.Equal("rule-1", Assert.Single(await Store.GetAlertRulesAsync(Ct)).Id);
        Assert.Equal("rule-1", Assert.Single(await Store.GetAlertInstancesAsync(null, Ct)).RuleId);
    }

    [Fact]
    public async Task NotificationsSilencesCheckpoints_RoundTrip()
    {
        var sent = new NotificationRecord { Id = "n-1", ChannelId = "email-ops", GroupKey = "rule-1", ContentHash = "h1", CreatedAt = T0, SentAt = T0.AddSeconds(3), Attempts = 1, Status = "sent" };
        var failed = sent with { Id = "n-2", ContentHash = "h2", CreatedAt = T0.AddMinutes(5), SentAt = null, Attempts = 3, LastError = "SMTP 451", Status = "failed" };
        await Store.UpsertNotificationAsync(sent with { Status = "pending", SentAt = null }, Ct);
        await Store.UpsertNotificationAsync(sent, Ct);
        await Store.UpsertNotificationAsync(failed, Ct);
        await Store.UpsertNotificationAsync(failed with { Id = "n-3", GroupKey = "rule-9" }, Ct);

        Assert.Equal(failed, await Store.GetLatestNotificationAsync("email-ops", "rule-1", Ct));
        Assert.Null(await Store.GetLatestNotificationAsync("email-ops", "rule-404", Ct));
        Assert.Equal([sent], await Store.GetNotificationsAsync("sent", 10, Ct));
        Assert.Equal(["n-3", "n-2"], (await Store.GetNotificationsAsync(null, 2, Ct)).Select(n => n.Id));

        var silence = new Silence
        {
            Id = "s-1",
            Matchers = new Dictionary<string, string> { ["function"] = "orders" },
            StartsAt = T0,
            EndsAt = T0.AddHours(1),
            CreatedBy = "ana",
            Comment = "deploy",
        };
        await Store.UpsertSilenceAsync(silence, Ct);
        await Store.UpsertSilenceAsync(silence with { Id = "s-2", StartsAt = T0.AddHours(2), EndsAt = T0.AddHours(3) }, Ct);
        var active = Assert.Single(await Store.GetSilencesAsync(T0.AddMinutes(30), Ct));
        Assert.Equal(silence with { Matchers = active.Matchers }, active);
        Assert.Equal(silence.Matchers, active.Matchers);
        Assert.Empty(await Store.GetSilencesAsync(T0.AddHours(1), Ct));

        Assert.Null(await Store.GetCheckpointAsync("metrics/111111111111/eu-west-1", Ct));
        await Store.SetCheckpointAsync("metrics/111111111111/eu-west-1", "2026-11-02T00:05:00Z", Ct);
        await Store.SetCheckpointAsync("metrics/111111111111/eu-west-1", "2026-11-02T00:10:00Z", Ct);
        Assert.Equal("2026-11-02T00:10:00Z", await Store.GetCheckpointAsync("metrics/111111111111/eu-west-1", Ct));
    }

    // Changes

    [Fact]
    public async Task Subscribe_WritesInThisProcess_ReportsWhatChanged()
    {
        var changes = new ChangeRecorder();
        using (Store.Subscribe(changes.Add))
        {
            await Store.WriteMetricsAsync([Point(Fn("a"), 0, invocations: 1)], Ct);
            await changes.WaitForAsync(StoreChangeKind.Metrics, Ct);
            await Store.UpsertAlarmsAsync([Alarm("111111111111", "eu-west-1", "x", AlarmState.Ok)], Ct);
            await changes.WaitForAsync(StoreChangeKind.Alarms, Ct);
        }

        Assert.DoesNotContain(changes.Seen, c => c.HasFlag(StoreChangeKind.Traces));
    }

    protected static void AssertSameBuckets(IReadOnlyList<MetricBucket> expected, IReadOnlyList<MetricBucket> actual)
    {
        Assert.Equal(expected.Select(b => b.Start), actual.Select(b => b.Start));
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal((e.Invocations, e.Errors, e.Throttles, e.ColdStarts), (a.Invocations, a.Errors, a.Throttles, a.ColdStarts));
            Assert.Equal(e.DurationAvgMs!.Value, a.DurationAvgMs!.Value, 9);
            Assert.Equal((e.DurationP99Ms, e.ConcurrentExecutions, e.IteratorAgeMs), (a.DurationP99Ms, a.ConcurrentExecutions, a.IteratorAgeMs));
        }
    }

    protected static CloudWatchAlarm Alarm(string account, string region, string name, AlarmState state) => new()
    {
        AccountId = account,
        Region = region,
        Name = name,
        Arn = $"arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
        State = state,
        StateReason = "initial",
        StateUpdated = T0,
        FunctionName = "orders",
        MetricName = "Errors",
        Namespace = "AWS/Lambda",
    };

    protected static InvocationReport Report(FunctionKey function, string requestId, int minute) => new()
    {
        Function = function,
        RequestId = requestId,
        Timestamp = At(minute).AddMilliseconds(250),
        DurationMs = 12.5,
        BilledDurationMs = 13,
        MemorySizeMb = 512,
        MaxMemoryUsedMb = 88,
    };

    protected static ErrorOccurrences Errors(FunctionKey function, string fingerprint, DateTimeOffset first, DateTimeOffset last, long count) =>
        new(function, fingerprint, "TimeoutError", "Task timed out", first, last, count, "at Orders.Handler()", "req-1", "1-abc-def");

    protected static TraceTree Trace(string traceId, DateTimeOffset start, bool fault = false) => new(
        new TraceSummary
        {
            TraceId = traceId,
            Start = start,
            DurationMs = 640,
            HasFault = fault,
            EntryPoint = "POST /orders",
            HttpStatus = fault ? "500" : "200",
            Functions = [Fn("orders"), Fn("billing")],
        },
        [
            new TraceSegment { Id = "seg-1", Name = "orders", Origin = "AWS::Lambda::Function", Start = start, End = start.AddMilliseconds(640), Fault = fault },
            new TraceSegment
            {
                Id = "seg-2",
                ParentId = "seg-1",
                Name = "DynamoDB",
                Start = start.AddMilliseconds(20),
                Attributes = new Dictionary<string, string> { ["aws.operation"] = "PutItem", ["http.status"] = "200" },
            },
        ]);

    private static FunctionKey AlarmScope(string alarm) => alarm switch
    {
        "a1" => Fn("x", "111111111111", "eu-west-1"),
        "a2" => Fn("x", "111111111111", "us-east-1"),
        "a3" => Fn("x", "222222222222", "eu-west-1"),
        _ => Fn("x", "222222222222", "us-east-1"),
    };
}
