using System.Globalization;
using BenchmarkDotNet.Running;
using Observe.Benchmarks.Collectors;

// `--cost-model` prints CollectionCostModel's day for the benchmark fleets (arithmetic, no run): the other billed
// APIs next to the measured GetMetricData figures of the MetricsCost benchmark.
if (args is ["--cost-model"])
{
    foreach (var functions in new[] { 1000, 10000 })
    {
        foreach (var profile in new[] { MetricsCostProfile.Typical, MetricsCostProfile.AllBusy })
        {
            foreach (var day in CollectionCostModel.Day(functions, profile))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{functions,6} {profile,-8} {day.Kind,-24} {day.Units,16:N0} ${day.Dollars,10:N4}  {day.Basis}"));
            }
        }
    }

    return 0;
}

// `--circuit-memory` measures the dashboard's memory per open circuit, before and after issue 10 (docs/benchmarks.md).
if (args is ["--circuit-memory"])
{
    return await Observe.Benchmarks.Dashboard.CircuitMemory.RunAsync();
}

// `--live-tail [minutes]` feeds a published dashboard's Live tail page at 500 events/s from a fake Live Tail peer for
// two Chromium viewers (default 5 minutes): delivery latency, input latency and server memory per viewer (docs/benchmarks.md).
if (args is ["--live-tail", .. var tailArgs])
{
    var minutes = tailArgs.Length > 0 ? double.Parse(tailArgs[0], CultureInfo.InvariantCulture) : 5;
    return await Observe.Benchmarks.Dashboard.LiveTailLoad.RunAsync(TimeSpan.FromMinutes(minutes));
}

// `--fleet-seed <directory>` writes issue 11's benchmark fleet (10,000 functions, 30 days) into a new SQLite store.
if (args is ["--fleet-seed", var seedDirectory])
{
    var seeded = await Observe.Benchmarks.Dashboard.FleetSeed.WriteAsync(seedDirectory, DateTimeOffset.UtcNow, CancellationToken.None);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{seeded:N0} metric points written to {seedDirectory}"));
    return 0;
}

// `--fleet-pages <directory> [--grid-only]` measures the fleet pages in Chromium over a store written by --fleet-seed
// (docs/benchmarks.md); --grid-only stops after the Functions grid's first renders and round trips.
if (args is ["--fleet-pages", var pagesDirectory])
{
    return await Observe.Benchmarks.Dashboard.FleetPages.RunAsync(pagesDirectory);
}

if (args is ["--fleet-pages", var gridDirectory, "--grid-only"])
{
    return await Observe.Benchmarks.Dashboard.FleetPages.RunAsync(gridDirectory, gridOnly: true);
}

// `--fleet-detail <directory> [count] [to]` measures only the Function detail page over the same store, count times
// (default 20) after a warm-up; `to` (an ISO instant) shows the hour before it, for a store seeded earlier.
if (args is ["--fleet-detail", var detailDirectory, .. var detailArgs])
{
    var count = detailArgs.Length > 0 ? int.Parse(detailArgs[0], CultureInfo.InvariantCulture) : 20;
    DateTimeOffset? to = detailArgs.Length > 1 ? DateTimeOffset.Parse(detailArgs[1], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null;
    return await Observe.Benchmarks.Dashboard.FleetDetail.RunAsync(detailDirectory, count, to);
}

// `--investigation-seed <directory>` writes only the fleet's functions, error groups and traces (issue 12; no metrics),
// the same as --fleet-seed writes for the Errors and Traces pages, in a minute rather than an hour on a loaded machine.
if (args is ["--investigation-seed", var investigationSeed])
{
    await Observe.Benchmarks.Dashboard.FleetSeed.WriteInvestigationOnlyAsync(investigationSeed, DateTimeOffset.UtcNow, CancellationToken.None);
    return 0;
}

// `--investigation-pages <directory> [count] [keys] [one-viewer|quiet]` measures the Errors and Traces pages and the 500-span
// waterfall over a store written by --fleet-seed or --investigation-seed, count cold renders each (default 20), only the
// comma-separated keys when given (errors, errors-30d, errors-30d-trends, traces, traces-30d, traces-30d-scatter, waterfall,
// waterfall-interactive, trips; docs/benchmarks.md); with one-viewer, each page is left only once it has drawn all of it;
// with quiet, also the next is opened only once the machine is quiet again.
if (args is ["--investigation-pages", var investigationDirectory, .. var investigationArgs])
{
    var count = investigationArgs.Length > 0 ? int.Parse(investigationArgs[0], CultureInfo.InvariantCulture) : 20;
    var only = investigationArgs.Length > 1 ? investigationArgs[1].Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal) : [];
    var mode = investigationArgs.Length > 2 ? investigationArgs[2] : "";
    if (mode is not ("" or "one-viewer" or "quiet"))
    {
        Console.Error.WriteLine($"--investigation-pages: the mode is one-viewer or quiet, not '{mode}'");
        return 2;
    }

    return await Observe.Benchmarks.Dashboard.InvestigationPages.RunAsync(investigationDirectory, count, only, mode == "one-viewer", mode == "quiet");
}

// `--errors-store <directory> [count] [to]` times the Errors pages' store calls alone over a store written by
// --investigation-seed or --fleet-seed (or a PostgreSQL connection string, for the seed copied there), count times each
// (default 20) with ranges ending at `to` (an ISO instant; default now), and prints a digest of their figures to
// compare two builds on copies of one store (docs/benchmarks.md).
if (args is ["--errors-store", var errorsDirectory, .. var errorsArgs])
{
    var count = errorsArgs.Length > 0 ? int.Parse(errorsArgs[0], CultureInfo.InvariantCulture) : 20;
    var to = errorsArgs.Length > 1 ? DateTimeOffset.Parse(errorsArgs[1], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : DateTimeOffset.UtcNow;
    return await Observe.Benchmarks.Dashboard.ErrorsStoreCalls.RunAsync(errorsDirectory, count, to);
}

// `--notify-throughput [count] [sqlite|postgresql]` queues count notifications (default 5,000) and times the real
// dispatcher sending them to a loopback webhook receiver, signed, each attempt logged (docs/benchmarks.md).
if (args is ["--notify-throughput", .. var notifyArgs])
{
    var count = notifyArgs.Length > 0 ? int.Parse(notifyArgs[0], CultureInfo.InvariantCulture) : 5000;
    var kind = notifyArgs.Length > 1 && notifyArgs[1].Equals("postgresql", StringComparison.OrdinalIgnoreCase) ? Observe.Store.StoreKind.PostgreSql : Observe.Store.StoreKind.Sqlite;
    return await Observe.Benchmarks.Alerting.NotificationThroughput.RunAsync(count, kind);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
