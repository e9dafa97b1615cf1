using System.Globalization;
using Observe.Collectors.Collection;
using Observe.Collectors.LogCollection;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.LogCollection;

/// <summary>
/// One set of log lines, read once with FilterLogEvents and once with Logs Insights, must give the same reports, cold
/// starts and skip counts. Against moto, which answers Insights with <c>@timestamp</c> in epoch milliseconds and
/// ignores the query's filter (every line comes back, as it does for FilterLogEvents' pattern): the parsers decide.
/// </summary>
public class LogsModesParityTests
{
    private const string Account = "310000000042";
    private const string Region = "eu-west-1";
    private static readonly DateTimeOffset T0 = UtcMinute.Floor(DateTimeOffset.UtcNow).AddMinutes(-20);

    /// <summary>Nine REPORT lines of every kind Lambda writes, and two it wrote badly.</summary>
    private static IEnumerable<(DateTimeOffset At, string Message)> Lines(DateTimeOffset t) =>
    [
        (t.AddSeconds(1), "START RequestId: 11111111-0000-4000-8000-000000000001 Version: $LATEST"),
        (t.AddSeconds(1.2), "REPORT RequestId: 11111111-0000-4000-8000-000000000001\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 512 MB\tMax Memory Used: 90 MB\tInit Duration: 250.00 ms\t"),
        (t.AddSeconds(2), """{"time":"2026-11-29T10:00:02.000Z","type":"platform.report","record":{"requestId":"11111111-0000-4000-8000-000000000002","status":"success","metrics":{"durationMs":30.5,"billedDurationMs":31,"memorySizeMB":512,"maxMemoryUsedMB":91,"initDurationMs":301.25}}}"""),
        (t.AddSeconds(3), "REPORT RequestId: 11111111-0000-4000-8000-000000000003\tDuration: 2.00 ms\tBilled Duration: 2 ms\tMemory Size: 512 MB\tMax Memory Used: 92 MB\t"),
        (t.AddSeconds(4), """{"time":"2026-11-29T10:00:04.000Z","type":"platform.report","record":{"requestId":"11111111-0000-4000-8000-000000000004","status":"success","metrics":{"durationMs":3.5,"billedDurationMs":4,"memorySizeMB":512,"maxMemoryUsedMB":93}}}"""),
        (t.AddSeconds(5), "REPORT RequestId: 11111111-0000-4000-8000-000000000005\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 512 MB\tMax Memory Used: 94 MB\tStatus: timeout"),
        (t.AddSeconds(6), "REPORT RequestId: 11111111-0000-4000-8000-000000000006\tDuration: 20.00 ms\tBilled Duration: 120 ms\tMemory Size: 512 MB\tMax Memory Used: 95 MB\tRestore Duration: 95.40 ms\tBilled Restore Duration: 100 ms\t"),
        (t.AddSeconds(7), """{"time":"2026-11-29T10:00:07.000Z","type":"platform.report","record":{"requestId":"11111111-0000-4000-8000-000000000007","status":"success","metrics":{"durationMs":5.5,"billedDurationMs":6,"memorySizeMB":512,"maxMemoryUsedMB":96}}}"""),
        (t.AddSeconds(8), "REPORT RequestId: 11111111-0000-4000-8000-000000000008\tDuration: 44.00 ms\tBilled Duration: 44 ms\tMemory Size: 512 MB\tMax Memory Used: 97 MB\tStatus: error\tError Type: Runtime.ExitError"),
        (t.AddSeconds(9), "REPORT <b>RequestId</b>: <i>11111111-0000-4000-8000-000000000009</i>\t<b>Duration</b>: 1.00 ms"),
        (t.AddSeconds(10), """{"time":"2026-11-29T10:00:10.000Z","type":"platform.report","record":{"requestId":"11111111-0000-4000-8000-00000000000a","metrics":{"durationMs":"""),
        (t.AddSeconds(11), $"{t:yyyy-MM-ddTHH:mm:ss.fffZ}\t11111111-0000-4000-8000-000000000008\tfail\tSystem.InvalidOperationException: Order 8 failed\n   at Shop.Orders.Place(Order order)"),
        (t.AddSeconds(12), $"{t:yyyy-MM-ddTHH:mm:ss.fffZ}\t11111111-0000-4000-8000-000000000004\tinfo\tOrder processed"),
    ];

    [Fact]
    public async Task Collect_SameLinesInBothModes_SameReportsColdStartsErrorsAndSkips()
    {
        var function = new FunctionKey(Account, Region, $"parity-{Guid.NewGuid():N}"[..20]);
        using (var seed = new MotoSeeder(Account))
        {
            await LogsFleet.PutEventsAsync(seed, Region, LogsCollector.LogGroupName(function.Name), "2026/11/29/[$LATEST]a", Lines(T0.AddMinutes(1)), createGroup: true);
        }

        var filter = await CollectAsync(function, LogsReadMode.FilterLogEvents);
        var insights = await CollectAsync(function, LogsReadMode.Insights);

        Assert.False(filter.Report.IsDegraded, string.Join("; ", filter.Report.Problems));
        Assert.False(insights.Report.IsDegraded, string.Join("; ", insights.Report.Problems));
        Assert.Equal(
            [
                "11111111-0000-4000-8000-000000000001 cold 250 success",
                "11111111-0000-4000-8000-000000000002 cold 301.25 success",
                "11111111-0000-4000-8000-000000000003 warm success",
                "11111111-0000-4000-8000-000000000004 warm success",
                "11111111-0000-4000-8000-000000000005 warm timeout",
                "11111111-0000-4000-8000-000000000006 restore 95.4 success",
                "11111111-0000-4000-8000-000000000007 warm success",
                "11111111-0000-4000-8000-000000000008 warm error",
            ],
            filter.Reports);
        Assert.Equal(filter.Reports, insights.Reports);
        Assert.Equal(2, filter.ColdStarts);
        Assert.Equal(filter.ColdStarts, insights.ColdStarts);
        Assert.Equal(["System.InvalidOperationException 1"], filter.Errors);
        Assert.Equal(filter.Errors, insights.Errors);
        Assert.Equal("2 (malformed JSON log line 1, malformed REPORT line 1)", filter.Report.Skips.ToString());
        Assert.Equal(filter.Report.Skips, insights.Report.Skips);
        Assert.Equal(T0.AddMinutes(25).ToUnixTimeMilliseconds(), insights.Position);
    }

    private static async Task<Outcome> CollectAsync(FunctionKey function, LogsReadMode mode)
    {
        await using var temp = await TestStore.CreateAsync();
        await LogsFleet.AddInventoryAsync(temp.Store, [function]);
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])));
        var options = new LogsCollectorOptions { Mode = mode, InsightsPollInterval = TimeSpan.FromMilliseconds(100), InitialLookback = TimeSpan.FromMinutes(30) };
        var collector = LogsFleet.Collector(host.Clients, temp.Store, new FixedNow(T0.AddMinutes(25)), options);
        var target = new CollectionTarget(host.Options.Accounts[0], Region);
        var report = new PassReport();

        await collector.CollectAsync(target, report, CancellationToken.None);

        Assert.Equal(mode, (await collector.GetStatusAsync(target, CancellationToken.None))!.Mode);
        var range = new TimeRange(T0, T0.AddHours(1));
        var reports = (await temp.Store.GetInvocationReportsAsync(function, range, coldStartsOnly: false, 100, CancellationToken.None))
            .OrderBy(r => r.RequestId, StringComparer.Ordinal)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.RequestId} {(r.InitDurationMs is { } init ? $"cold {init}" : r.RestoreDurationMs is { } restore ? $"restore {restore}" : "warm")} {r.Status}"))
            .ToList();
        var series = await temp.Store.GetFunctionSeriesAsync(function, range, SeriesResolution.Minute, CancellationToken.None);
        var errors = (await temp.Store.GetErrorGroupsAsync(new FleetFilter(Account, Region), range, 100, CancellationToken.None))
            .Where(g => g.Function == function)
            .Select(g => $"{g.ErrorType} {g.Count}")
            .ToList();
        var checkpoint = await temp.Store.GetCheckpointAsync(LogsCollector.CheckpointKey(target, LogsCollector.LogGroupName(function.Name)), CancellationToken.None);
        var position = System.Text.Json.JsonDocument.Parse(checkpoint!).RootElement.GetProperty("position").GetInt64();
        return new Outcome(reports, series.Sum(b => b.ColdStarts), errors, report, position);
    }

    /// <summary>Now is fixed; delays (Insights polling) run on real time, so no test has to drive them.</summary>
    private sealed class FixedNow(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed record Outcome(List<string> Reports, double ColdStarts, List<string> Errors, PassReport Report, long Position);
}
