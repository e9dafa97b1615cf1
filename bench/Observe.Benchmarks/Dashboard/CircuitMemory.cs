using System.Globalization;
using Microsoft.Playwright;

namespace Observe.Benchmarks.Dashboard;

/// <summary>
/// The dashboard's memory per open circuit: the live managed heap of a published dashboard (after a full GC, see
/// <see cref="ManagedHeap"/>) with one Overview open, then with <see cref="Circuits"/> more (each a Chromium page whose
/// Blazor circuit has connected and rendered), divided by the number added; the resident set is printed beside it. The
/// builds are measured in turns, <see cref="Rounds"/> times each, on fresh processes, and the median is reported. Not
/// BenchmarkDotNet: the quantity is another process's memory, not a time.
/// </summary>
internal static class CircuitMemory
{
    private const int Circuits = 20;
    private const int Rounds = 3;

    public static async Task<int> RunAsync()
    {
        var builds = new[]
        {
            ("before issue 10 (649f206: net8.0 self-contained)", DashboardProcess.DirectoryFrom("OBSERVE_BENCH_DASHBOARD_BEFORE")),
            ("after issue 10 (net10.0 + MudBlazor)", DashboardProcess.DirectoryFrom("OBSERVE_BENCH_DASHBOARD_AFTER")),
        };
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await FleetPages.LaunchAsync(playwright);

        var heap = builds.ToDictionary(b => b.Item1, _ => new List<double>());
        var resident = builds.ToDictionary(b => b.Item1, _ => new List<double>());
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var (name, directory) in builds)
            {
                var (heapBytes, residentBytes) = await MeasureAsync(browser, directory);
                heap[name].Add(heapBytes);
                resident[name].Add(residentBytes);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round + 1}, {name}: {heapBytes / 1024:N0} KiB managed heap, {residentBytes / 1024:N0} KiB resident per circuit"));
            }
        }

        foreach (var (name, _) in builds)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: median {Median(heap[name]) / 1024:N0} KiB managed heap, {Median(resident[name]) / 1024:N0} KiB resident per circuit ({Circuits} circuits, {Rounds} rounds)"));
        }

        return 0;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<(double Heap, double Resident)> MeasureAsync(IBrowser browser, string directory)
    {
        await using var dashboard = await DashboardProcess.StartAsync(directory, CancellationToken.None);
        var contexts = new List<IBrowserContext>();
        try
        {
            // The first circuit pays for JIT and caches; it is in the baseline, not in the per-circuit figure.
            contexts.Add(await OpenAsync(browser, dashboard));
            await SettleAsync();
            var heapBaseline = await ManagedHeap.LiveBytesAfterFullGcAsync(dashboard.ProcessId, CancellationToken.None);
            var residentBaseline = dashboard.ResidentBytes();
            for (var i = 0; i < Circuits; i++)
            {
                contexts.Add(await OpenAsync(browser, dashboard));
            }

            await SettleAsync();
            var heapAfter = await ManagedHeap.LiveBytesAfterFullGcAsync(dashboard.ProcessId, CancellationToken.None);
            return ((heapAfter - heapBaseline) / (double)Circuits, (dashboard.ResidentBytes() - residentBaseline) / (double)Circuits);
        }
        finally
        {
            foreach (var context in contexts)
            {
                await context.DisposeAsync();
            }
        }
    }

    /// <summary>A page in its own context (its own circuit), returned once the circuit's WebSocket has carried frames.</summary>
    private static async Task<IBrowserContext> OpenAsync(IBrowser browser, DashboardProcess dashboard)
    {
        var context = await dashboard.NewContextAsync(browser);
        var page = await context.NewPageAsync();
        var rendered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.WebSocket += (_, socket) =>
        {
            if (socket.Url.Contains("/_blazor", StringComparison.Ordinal))
            {
                // The first frames are the handshake; a render batch follows once the circuit has rendered the page.
                var frames = 0;
                socket.FrameReceived += (_, _) =>
                {
                    if (++frames >= 3)
                    {
                        rendered.TrySetResult();
                    }
                };
            }
        };
        await page.GotoAsync(dashboard.BaseUrl.ToString());
        await rendered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return context;
    }

    /// <summary>Lets the server finish the renders the new circuits started; resident memory is read after it.</summary>
    private static Task SettleAsync() => Task.Delay(TimeSpan.FromSeconds(5));
}
