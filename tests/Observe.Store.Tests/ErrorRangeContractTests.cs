using System.Globalization;
using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// Schema versions 18 and 21, on both engines: the Errors reads sum each group's windows before joining groups,
/// functions and statuses (the <c>error_window_group_last</c> index), and over ranges holding whole UTC days read those
/// days' totals (<c>error_day</c>) and windows only for the partial days. Their figures must equal a plain computation
/// over what was written, made here without the store: a month of windows in several accounts, regions and functions,
/// windows that start before a range or end after it, triage statuses and a regression, passes written again with
/// another count, and retention cutting a day in two, over ranges whose ends fall mid-hour or on midnight.
/// </summary>
public abstract class ErrorRangeContractTests : StoreTestBase
{
    private const string Account1 = "111111111111";
    private const string Account2 = "222222222222";

    /// <summary>The ranges end here: mid-hour and mid-minute, with windows on both sides.</summary>
    private static readonly DateTimeOffset End = T0.AddMinutes(-17).AddSeconds(23);

    private static readonly FunctionKey[] Functions =
    [
        new(Account1, "eu-west-1", "orders"), new(Account1, "eu-west-1", "billing"), new(Account1, "us-east-1", "orders"),
        new(Account1, "us-east-1", "search"), new(Account2, "eu-west-1", "orders"), new(Account2, "eu-west-1", "mailer"),
        new(Account2, "ap-southeast-2", "billing"), new(Account2, "ap-southeast-2", "reports"),
    ];

    private static readonly string[] ErrorTypes = ["TimeoutError", "KeyError", "ThrottlingException", "TypeError"];

    [Fact]
    public async Task ErrorReads_MonthOfWindowsAcrossRangeEdges_EqualAPlainComputation()
    {
        var written = await WriteMonthAsync();

        var ranges = new[]
        {
            new TimeRange(End.AddDays(-30), End), new TimeRange(End.AddDays(-7), End), new TimeRange(End.AddDays(-1), End),
            new TimeRange(End.AddHours(-1), End), new TimeRange(End.AddDays(-30), T0.AddDays(1)),
            new TimeRange(T0.AddDays(-10), T0), new TimeRange(T0.AddDays(-3), End), new TimeRange(End.AddDays(-5), T0.AddDays(-1)),
            new TimeRange(T0.AddDays(-2).AddMinutes(1), T0.AddMinutes(-1)),
        };
        var queries = new[]
        {
            new ErrorQuery(), new ErrorQuery { Sort = ErrorSort.LastSeen }, new ErrorQuery { Sort = ErrorSort.FirstSeen },
            new ErrorQuery { Filter = new FleetFilter(Account2) }, new ErrorQuery { Filter = new FleetFilter(Account1, "us-east-1") },
            new ErrorQuery { FunctionName = "orders", Sort = ErrorSort.LastSeen }, new ErrorQuery { Text = "key" },
            new ErrorQuery { Status = ErrorStatus.Active }, new ErrorQuery { Status = ErrorStatus.Resolved },
            new ErrorQuery { Status = ErrorStatus.Ignored, Sort = ErrorSort.FirstSeen }, new ErrorQuery { Fingerprint = "fp-03" },
            new ErrorQuery { Fingerprint = "fp-05", Filter = new FleetFilter(Account2) },
        };

        var compared = 0;
        foreach (var range in ranges)
        {
            // The page's sparkline bucket (whole minutes, 24 bars) and one that divides nothing evenly.
            var buckets = new[] { TimeSpan.FromMinutes(Math.Max(1, Math.Ceiling(range.Length.TotalMinutes / 24))), TimeSpan.FromMinutes(7) };
            foreach (var query in queries)
            {
                var expected = written.Summaries(query, range);
                var actual = await Store.GetErrorSummariesAsync(query, range, 100, Ct);
                Assert.Equal(expected, actual);
                Assert.Equal(expected.Take(3), await Store.GetErrorSummariesAsync(query, range, 3, Ct));
                compared += expected.Count;

                var shown = expected.Select(s => s.Fingerprint).Append("fp-none").ToList();
                foreach (var bucket in buckets)
                {
                    Assert.Equal(
                        Flatten(written.Trends(shown, query, range, bucket)),
                        Flatten(await Store.GetErrorTrendsAsync(shown, query, range, bucket, Ct)));
                }

                foreach (var fingerprint in expected.Take(2).Select(s => s.Fingerprint))
                {
                    Assert.Equal(written.Functions(fingerprint, query, range), await Store.GetErrorFunctionsAsync(fingerprint, query, range, 100, Ct));
                }
            }
        }

        // The data reaches every case it is meant to: something to compare, the statuses set, a regression.
        Assert.True(compared > 200, $"only {compared} summaries compared");
        var month = await Store.GetErrorSummariesAsync(new ErrorQuery(), ranges[0], 100, Ct);
        Assert.Contains(month, s => s.Status.Regression);
        Assert.Contains(month, s => s.Status.Status == ErrorStatus.Ignored);
        Assert.Contains(month, s => s.Status.Status == ErrorStatus.Resolved);
    }

    [Fact]
    public async Task ErrorReads_PassesWrittenAgainThenPrunedMidDay_EqualAPlainComputation()
    {
        var written = await WriteMonthAsync();
        var queries = new[] { new ErrorQuery(), new ErrorQuery { Filter = new FleetFilter(Account1) }, new ErrorQuery { Sort = ErrorSort.FirstSeen } };
        async Task CompareAsync(params TimeRange[] ranges)
        {
            foreach (var range in ranges)
            {
                foreach (var query in queries)
                {
                    Assert.Equal(written.Summaries(query, range), await Store.GetErrorSummariesAsync(query, range, 100, Ct));
                }
            }
        }

        // A pass written again replaces its count, larger or smaller: each day's total moves by the difference. Passes
        // from before the statuses were set, so none re-opens a group.
        var random = new Random(21);
        var again = written.AllWindows().Where(w => w.LastSeen < T0 && random.Next(8) == 0)
            .Select(w => w with { Count = w.Count + random.Next(1 - (int)w.Count, 40) }).ToList();
        Assert.True(again.Count > 50, $"only {again.Count} passes written again");
        await Store.RecordErrorsAsync(again, Ct);
        written.Add(again);
        await CompareAsync(new TimeRange(End.AddDays(-30), End), new TimeRange(T0.AddDays(-12), T0.AddDays(-2)));

        // Retention's cutoff falls mid-day: the windows before it go, and that day's total keeps the rest.
        var cutoff = T0.AddDays(-20).AddHours(-9).AddMinutes(-13);
        await Store.ApplyRetentionAsync(cutoff + new StoreOptions().HourlyRetention, Ct);
        written.PruneBefore(cutoff);
        await CompareAsync(
            new TimeRange(End.AddDays(-30), End), new TimeRange(cutoff.AddHours(-30), T0), new TimeRange(cutoff.AddHours(-1), cutoff.AddDays(3)),
            new TimeRange(T0.AddDays(-21), T0.AddDays(-19)));
        Assert.Equal(written.Summaries(new ErrorQuery(), new TimeRange(T0.AddDays(-60), T0.AddDays(1))).Sum(s => s.Count),
            (await Store.GetErrorSummariesAsync(new ErrorQuery(), new TimeRange(T0.AddDays(-60), T0.AddDays(1)), 100, Ct)).Sum(s => s.Count));
    }

    [Fact]
    public async Task MigrateAsync_ErrorsWrittenBeforeVersion21_ReadTheSameAfter()
    {
        var location = await FreshLocationAsync();
        var store = Open(location);
        await store.MigrateAsync(Ct);
        var occurrences = Functions.Select((f, i) => new ErrorOccurrences(
            f, "fp-" + (i % 3).ToString(CultureInfo.InvariantCulture), "TimeoutError", "Task timed out", End.AddDays(-i - 1), End.AddDays(-i).AddMinutes(-5), i + 1, null, null, null)).ToList();
        await store.RecordErrorsAsync(occurrences, Ct);
        var ranges = new[] { new TimeRange(End.AddDays(-30), End), new TimeRange(T0.AddDays(-6), T0) };
        var before = new List<ErrorSummary>();
        foreach (var range in ranges)
        {
            before.AddRange(await store.GetErrorSummariesAsync(new ErrorQuery(), range, 10, Ct));
        }

        // The database as version 20 left it: windows, no day totals, the fingerprint index on the fingerprint alone.
        // Version 21 sums the day totals; version 22 widens the index.
        await location.ExecuteAsync("""
            DROP TABLE error_day; DROP INDEX error_group_fingerprint; CREATE INDEX error_group_fingerprint ON error_group (fingerprint);
            DELETE FROM schema_version WHERE version >= 21;
            """);
        Assert.Equal(20, await store.GetSchemaVersionAsync(Ct));
        await store.MigrateAsync(Ct);

        Assert.Equal(store.LatestVersion, await store.GetSchemaVersionAsync(Ct));
        var after = new List<ErrorSummary>();
        foreach (var range in ranges)
        {
            after.AddRange(await store.GetErrorSummariesAsync(new ErrorQuery(), range, 10, Ct));
        }

        Assert.Equal(before, after);
        var month = await store.GetErrorSummariesAsync(new ErrorQuery(), ranges[0], 10, Ct);
        Assert.Equal(3, month.Count);
        Assert.Equal(occurrences.Sum(o => o.Count), month.Sum(s => s.Count));
    }

    private static string[] Flatten(IReadOnlyDictionary<string, long[]> trends) =>
        [.. trends.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + ":" + string.Join(",", t.Value))];

    /// <summary>
    /// Writes about 40 days of windows (some fingerprints chronic, some sporadic, a few passes hours long) for pairs of
    /// functions and fingerprints, sets statuses, and re-opens a resolved one; returns what was written, as the model.
    /// </summary>
    private async Task<Written> WriteMonthAsync()
    {
        var random = new Random(18);
        var written = new Written();
        var batch = new List<ErrorOccurrences>();
        for (var f = 0; f < Functions.Length; f++)
        {
            for (var p = 0; p < 10; p++)
            {
                if ((f + p) % 3 == 0)
                {
                    continue;
                }

                var fingerprint = "fp-" + p.ToString("00", CultureInfo.InvariantCulture);
                // Chronic (every 2-6 hours), frequent (every 6-18 hours) or sporadic (a few a week).
                var gapMinutes = p % 3 == 0 ? 120 : p % 3 == 1 ? 360 : 2000;
                var at = T0.AddDays(-40).AddMinutes(random.Next(gapMinutes));
                while (at < T0.AddHours(2))
                {
                    var length = random.Next(4) == 0 ? random.Next(60, 300) : random.Next(0, 15);
                    var first = at.AddSeconds(random.Next(60));
                    var last = first.AddMinutes(length).AddSeconds(random.Next(60));
                    batch.Add(new ErrorOccurrences(
                        Functions[f], fingerprint, ErrorTypes[p % ErrorTypes.Length], $"{fingerprint} failed in {Functions[f].Name}",
                        first, last, random.Next(1, 50), $"at {Functions[f].Name}.Handler()", $"req-{f}-{p}-{batch.Count}", null));
                    at = at.AddMinutes(gapMinutes * (1 + random.Next(3)));
                }
            }
        }

        // Passes arrive as the collectors write them: in batches, in time order per function.
        foreach (var chunk in batch.OrderBy(o => o.LastSeen).Chunk(400))
        {
            await Store.RecordErrorsAsync(chunk, Ct);
            written.Add(chunk);
        }

        var resolvedAt = T0.AddHours(3);
        await Store.SetErrorStatusAsync("fp-01", ErrorStatus.Ignored, "alice", resolvedAt, Ct);
        await Store.SetErrorStatusAsync("fp-02", ErrorStatus.Resolved, "bob", resolvedAt, Ct);
        await Store.SetErrorStatusAsync("fp-04", ErrorStatus.Resolved, "bob", resolvedAt, Ct);
        written.Statuses["fp-01"] = new ErrorStatusInfo(ErrorStatus.Ignored, "alice", resolvedAt, false);
        written.Statuses["fp-02"] = new ErrorStatusInfo(ErrorStatus.Resolved, "bob", resolvedAt, false);

        // fp-04 occurs again after its resolution, in a function that had it already: a regression.
        var again = new ErrorOccurrences(Functions[1], "fp-04", "TimeoutError", "fp-04 failed in billing", T0.AddHours(4), T0.AddHours(4).AddMinutes(3), 2, "at billing.Retry()", "req-again", "1-again");
        await Store.RecordErrorsAsync([again], Ct);
        written.Add([again]);
        written.Statuses["fp-04"] = new ErrorStatusInfo(ErrorStatus.Active, ErrorStatusChange.RecurrenceActor, again.LastSeen, true);
        return written;
    }

    /// <summary>What was written, and the Errors reads computed from it directly, as their documentation defines them.</summary>
    private sealed class Written
    {
        private readonly List<Group> _groups = [];

        public Dictionary<string, ErrorStatusInfo> Statuses { get; } = new(StringComparer.Ordinal);

        public void Add(IEnumerable<ErrorOccurrences> occurrences)
        {
            foreach (var o in occurrences)
            {
                var group = _groups.Find(g => g.Function == o.Function && g.Fingerprint == o.Fingerprint);
                if (group is null)
                {
                    group = new Group(o.Function, o.Fingerprint);
                    _groups.Add(group);
                }

                // The group keeps the earliest first sighting, and the text and sample of its latest occurrence.
                if (group.Windows.Count == 0 || o.LastSeen >= group.LastSeen)
                {
                    group.Latest = o;
                }

                // A pass written again (the same first and last sighting) replaces its count.
                group.Windows.RemoveAll(w => w.FirstSeen == o.FirstSeen && w.LastSeen == o.LastSeen);
                group.Windows.Add(o);
                group.FirstSeenEver = group.FirstSeenEver is { } first && first < o.FirstSeen ? first : o.FirstSeen;
            }
        }

        public IEnumerable<ErrorOccurrences> AllWindows() => _groups.SelectMany(g => g.Windows).ToList();

        /// <summary>
        /// Retention: windows last seen before <paramref name="cutoff"/> go, and a group with none left goes with its
        /// status. A group that stays keeps its first sighting, which is of everything it has seen.
        /// </summary>
        public void PruneBefore(DateTimeOffset cutoff)
        {
            foreach (var group in _groups)
            {
                group.Windows.RemoveAll(w => w.LastSeen < cutoff);
            }

            _groups.RemoveAll(g => g.Windows.Count == 0);
            foreach (var fingerprint in Statuses.Keys.Where(f => !_groups.Any(g => g.Fingerprint == f)).ToList())
            {
                Statuses.Remove(fingerprint);
            }
        }

        public List<ErrorSummary> Summaries(ErrorQuery query, TimeRange range)
        {
            var summaries = new List<(ErrorSummary Summary, DateTimeOffset SortLast, DateTimeOffset SortFirst)>();
            foreach (var byFingerprint in _groups.Where(g => Matches(g, query)).GroupBy(g => g.Fingerprint))
            {
                var inRange = byFingerprint.Where(g => g.Windows.Any(w => InRange(w, range))).ToList();
                if (inRange.Count == 0)
                {
                    continue;
                }

                // The sample is the most recently seen group's (the later written on a tie).
                var sample = byFingerprint.OrderByDescending(g => g.LastSeen).ThenByDescending(g => _groups.IndexOf(g)).First().Latest!;
                summaries.Add((new ErrorSummary
                {
                    Fingerprint = byFingerprint.Key,
                    ErrorType = sample.ErrorType,
                    Message = sample.Message,
                    FirstSeen = byFingerprint.Min(g => g.FirstSeen),
                    LastSeen = byFingerprint.Max(g => g.LastSeen),
                    Count = inRange.Sum(g => g.Windows.Where(w => InRange(w, range)).Sum(w => w.Count)),
                    Functions = inRange.Count,
                    Status = StatusOf(byFingerprint.Key),
                    SampleFunction = sample.Function,
                    SampleStackTrace = sample.SampleStackTrace,
                    SampleRequestId = sample.SampleRequestId,
                    SampleTraceId = sample.SampleTraceId,
                }, inRange.Max(g => g.LastSeen), inRange.Min(g => g.FirstSeen)));
            }

            var ordered = query.Sort switch
            {
                ErrorSort.LastSeen => summaries.OrderByDescending(s => s.SortLast),
                ErrorSort.FirstSeen => summaries.OrderByDescending(s => s.SortFirst),
                _ => summaries.OrderByDescending(s => s.Summary.Count),
            };
            return [.. ordered.ThenBy(s => s.Summary.Fingerprint, StringComparer.Ordinal).Select(s => s.Summary)];
        }

        public Dictionary<string, long[]> Trends(IReadOnlyCollection<string> fingerprints, ErrorQuery query, TimeRange range, TimeSpan bucket)
        {
            var bucketMs = (long)bucket.TotalMilliseconds;
            var length = range.To.ToUnixTimeMilliseconds() - range.From.ToUnixTimeMilliseconds();
            var count = (int)Math.Max(1, (length + bucketMs - 1) / bucketMs);
            var trends = new Dictionary<string, long[]>(StringComparer.Ordinal);
            foreach (var group in _groups.Where(g => fingerprints.Contains(g.Fingerprint) && Matches(g, query)))
            {
                foreach (var window in group.Windows.Where(w => InRange(w, range)))
                {
                    if (!trends.TryGetValue(group.Fingerprint, out var trend))
                    {
                        trends[group.Fingerprint] = trend = new long[count];
                    }

                    // A pass is counted in the bucket of its last occurrence; one ending after the range in the last.
                    var index = (window.LastSeen.ToUnixTimeMilliseconds() - range.From.ToUnixTimeMilliseconds()) / bucketMs;
                    trend[(int)Math.Min(index, count - 1)] += window.Count;
                }
            }

            return trends;
        }

        public List<ErrorFunction> Functions(string fingerprint, ErrorQuery query, TimeRange range) =>
        [
            .. _groups.Where(g => g.Fingerprint == fingerprint && Matches(g, query))
                .Select(g => (Group: g, Count: g.Windows.Where(w => InRange(w, range)).Sum(w => w.Count), Any: g.Windows.Any(w => InRange(w, range))))
                .Where(x => x.Any)
                .OrderByDescending(x => x.Count).ThenBy(x => x.Group.Function.AccountId, StringComparer.Ordinal)
                .ThenBy(x => x.Group.Function.Region, StringComparer.Ordinal).ThenBy(x => x.Group.Function.Name, StringComparer.Ordinal)
                .Select(x => new ErrorFunction(x.Group.Function, x.Count, x.Group.FirstSeen, x.Group.LastSeen)),
        ];

        private static bool InRange(ErrorOccurrences window, TimeRange range) => window.LastSeen >= range.From && window.FirstSeen < range.To;

        private ErrorStatusInfo StatusOf(string fingerprint) => Statuses.GetValueOrDefault(fingerprint, ErrorStatusInfo.Untriaged);

        private bool Matches(Group group, ErrorQuery query) =>
            (query.Filter.AccountId is null || group.Function.AccountId == query.Filter.AccountId)
            && (query.Filter.Region is null || group.Function.Region == query.Filter.Region)
            && (query.FunctionName is null || group.Function.Name == query.FunctionName)
            && (query.Fingerprint is null || group.Fingerprint == query.Fingerprint)
            && (query.Status is null || StatusOf(group.Fingerprint).Status == query.Status)
            && (query.Text is null || new[] { group.Latest!.Message, group.Latest.ErrorType, group.Fingerprint }
                .Any(t => t.Contains(query.Text, StringComparison.OrdinalIgnoreCase)));
    }

    private sealed class Group(FunctionKey function, string fingerprint)
    {
        public FunctionKey Function { get; } = function;
        public string Fingerprint { get; } = fingerprint;
        public List<ErrorOccurrences> Windows { get; } = [];
        public ErrorOccurrences? Latest { get; set; }
        public DateTimeOffset? FirstSeenEver { get; set; }
        public DateTimeOffset FirstSeen => FirstSeenEver!.Value;
        public DateTimeOffset LastSeen => Windows.Max(w => w.LastSeen);
    }
}

/// <summary>The version 18 error-range contract on SQLite.</summary>
public sealed class SqliteErrorRangeTests : ErrorRangeContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The version 18 error-range contract on PostgreSQL.</summary>
public sealed class PostgresErrorRangeTests(PostgresDatabaseFixture database) : ErrorRangeContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
