using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Observe.Benchmarks.Dashboard;

/// <summary>
/// The Overview's server render: one GET of <c>/</c> (the prerendered page with its figures, over the default range)
/// answered by a published dashboard, the build before issue 10 (net8.0 self-contained, the old UI library) as the baseline and
/// the build after it, both running at the same time over the same demo fleet. Loopback HTTP is in both sides of the
/// ratio. Publish both first (docs/benchmarks.md) and name them in OBSERVE_BENCH_DASHBOARD_BEFORE and _AFTER.
/// </summary>
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 5, iterationCount: 20)]
[MemoryDiagnoser(displayGenColumns: false)]
public class DashboardRenderBenchmarks
{
    private DashboardProcess? _before;
    private DashboardProcess? _after;
    private HttpClient? _beforeClient;
    private HttpClient? _afterClient;

    [GlobalSetup]
    public async Task StartAsync()
    {
        var before = DashboardProcess.DirectoryFrom("OBSERVE_BENCH_DASHBOARD_BEFORE");
        var after = DashboardProcess.DirectoryFrom("OBSERVE_BENCH_DASHBOARD_AFTER");
        var started = await Task.WhenAll(
            DashboardProcess.StartAsync(before, CancellationToken.None),
            DashboardProcess.StartAsync(after, CancellationToken.None));
        (_before, _after) = (started[0], started[1]);
        _beforeClient = _before.Http();
        _afterClient = _after.Http();
    }

    [GlobalCleanup]
    public async Task StopAsync()
    {
        _beforeClient?.Dispose();
        _afterClient?.Dispose();
        if (_before is not null)
        {
            await _before.DisposeAsync();
        }

        if (_after is not null)
        {
            await _after.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, Description = "Overview, before issue 10 (649f206: net8.0 self-contained)")]
    public Task<int> Before() => RenderAsync(_beforeClient!);

    [Benchmark(Description = "Overview, after issue 10 (net10.0 + MudBlazor)")]
    public Task<int> After() => RenderAsync(_afterClient!);

    private static async Task<int> RenderAsync(HttpClient client)
    {
        var page = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        return page.Length;
    }
}
