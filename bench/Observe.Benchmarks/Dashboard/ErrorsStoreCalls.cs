using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Benchmarks.Dashboard;

/// <summary>
/// The Errors pages' store calls alone over a <see cref="FleetSeed"/> store (issue 12), without the dashboard or a
/// browser, so a before and an after build can be compared on a busy machine: per case the calls the page makes (the
/// list's summaries with one row past its 50 and their 24-bar trends; the error's own view), timed together, and a
/// digest of every figure they returned, which must be the same for both builds over copies of one store. Each case
/// reports its wall-clock time and the process's CPU time (SQLite runs on the calling thread).
/// </summary>
internal static class ErrorsStoreCalls
{
    private const int PageRows = 50;
    private const int TrendBuckets = 24;

    private sealed record Case(string Name, TimeSpan Length, ErrorQuery Query, bool Detail = false);

    public static async Task<int> RunAsync(string directory, int count, DateTimeOffset to)
    {
        // A PostgreSQL connection string instead of a directory measures a PostgreSQL store the seed was copied into.
        var options = directory.StartsWith("Host=", StringComparison.OrdinalIgnoreCase)
            ? new StoreOptions { Kind = nameof(StoreKind.PostgreSql), ConnectionString = directory }
            : new StoreOptions { DataDirectory = directory };
        await using var store = StoreServiceCollectionExtensions.CreateStore(options, NullLoggerFactory.Instance);
        var migrate = Stopwatch.StartNew();
        await store.MigrateAsync(CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"errors-store: opened and migrated {(options.ConnectionString is null ? directory : "the PostgreSQL store")} in {migrate.Elapsed.TotalMilliseconds:N0} ms; ranges end {to:O}"));

        var month = TimeSpan.FromDays(30);
        var cases = new List<Case>
        {
            new("list 1h", TimeSpan.FromHours(1), new ErrorQuery()),
            new("list 24h", TimeSpan.FromDays(1), new ErrorQuery()),
            new("list 7d", TimeSpan.FromDays(7), new ErrorQuery()),
            new("list 30d", month, new ErrorQuery()),
            new("list 30d by last seen", month, new ErrorQuery { Sort = ErrorSort.LastSeen }),
            new("list 30d by first seen", month, new ErrorQuery { Sort = ErrorSort.FirstSeen }),
            new("list 30d resolved", month, new ErrorQuery { Status = ErrorStatus.Resolved }),
            new("list 30d text 'timed out'", month, new ErrorQuery { Text = "timed out" }),
            new("list 30d one account", month, new ErrorQuery { Filter = new FleetFilter(FleetSeed.AccountId(1)) }),
        };

        // The error's own view for the fingerprint most counted over 30 days: its summary, trend and functions.
        var top = await store.GetErrorSummariesAsync(new ErrorQuery(), new TimeRange(to - month, to), 1, CancellationToken.None);
        if (top.Count > 0)
        {
            cases.Add(new("detail 30d, top error", month, new ErrorQuery { Fingerprint = top[0].Fingerprint }, Detail: true));
        }

        foreach (var c in cases)
        {
            var range = new TimeRange(to - c.Length, to);
            var digest = await CallAsync(store, c, range);
            var samples = new List<double>();
            var cpu = new List<double>();
            using var process = Process.GetCurrentProcess();
            for (var i = 0; i < count; i++)
            {
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                var again = await CallAsync(store, c, range);
                samples.Add(watch.Elapsed.TotalMilliseconds);
                process.Refresh();
                cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
                if (again != digest)
                {
                    throw new InvalidOperationException($"{c.Name}: the same calls returned different figures ({digest} then {again})");
                }
            }

            // On a shared machine the wall clock mostly measures the wait for a core; the process's CPU time does not.
            FleetPages.Report($"{c.Name} [{digest}] wall", samples);
            FleetPages.Report($"{c.Name} [{digest}] CPU", cpu);
        }

        return 0;
    }

    /// <summary>The page's calls for <paramref name="c"/>; returns a digest of what they returned.</summary>
    private static async Task<string> CallAsync(IErrorGroupReader store, Case c, TimeRange range)
    {
        var text = new StringBuilder();
        var bucket = TimeSpan.FromMinutes(Math.Max(1, (long)Math.Ceiling(c.Length.TotalMinutes / TrendBuckets)));
        var summaries = await store.GetErrorSummariesAsync(c.Query, range, c.Detail ? 1 : PageRows + 1, CancellationToken.None);
        foreach (var s in summaries)
        {
            text.Append(CultureInfo.InvariantCulture, $"{s.Fingerprint}|{s.Count}|{s.Functions}|{s.FirstSeen.ToUnixTimeMilliseconds()}|{s.LastSeen.ToUnixTimeMilliseconds()}|")
                .Append(CultureInfo.InvariantCulture, $"{s.Status}|{s.SampleFunction}|{s.ErrorType}|{s.Message}|{s.SampleRequestId}\n");
        }

        var shown = summaries.Take(PageRows).Select(s => s.Fingerprint).ToList();
        var trends = await store.GetErrorTrendsAsync(shown, c.Query, range, bucket, CancellationToken.None);
        foreach (var (fingerprint, trend) in trends.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            text.Append(fingerprint).Append(':').AppendJoin(',', trend).Append('\n');
        }

        if (c.Detail && shown.Count > 0)
        {
            foreach (var f in await store.GetErrorFunctionsAsync(shown[0], c.Query, range, 51, CancellationToken.None))
            {
                text.Append(CultureInfo.InvariantCulture, $"{f.Function}|{f.Count}|{f.FirstSeen.ToUnixTimeMilliseconds()}|{f.LastSeen.ToUnixTimeMilliseconds()}\n");
            }
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..12];
    }
}
