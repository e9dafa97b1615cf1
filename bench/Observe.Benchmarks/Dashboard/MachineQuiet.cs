using System.Globalization;

namespace Observe.Benchmarks.Dashboard;

/// <summary>
/// Waits until the machine is quiet: less than a tenth of one core busy over two 100 ms samples of <c>/proc/stat</c>
/// (Linux only, like the benchmark machines). A cold page visit measured from a quiet start shares the cores with
/// nothing but its own browser and server, not with the last visit's browser context closing or its circuit being
/// disposed (docs/benchmarks.md).
/// </summary>
internal static class MachineQuiet
{
    private static readonly TimeSpan Sample = TimeSpan.FromMilliseconds(100);

    /// <summary>True once quiet; false when <paramref name="timeout"/> passed first (something else kept a core busy).</summary>
    public static async Task<bool> WaitAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var cores = Environment.ProcessorCount;
        var (busy, total) = Read();
        var quietSamples = 0;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(Sample);
            var (busyNow, totalNow) = Read();
            var share = totalNow > total ? (double)(busyNow - busy) / (totalNow - total) : 1;
            (busy, total) = (busyNow, totalNow);
            quietSamples = share * cores < 0.1 ? quietSamples + 1 : 0;
            if (quietSamples == 2)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The machine's busy and total time so far, in clock ticks, from the first line of <c>/proc/stat</c>.</summary>
    private static (long Busy, long Total) Read()
    {
        // cpu  user nice system idle iowait irq softirq steal ...
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var idle = fields[3] + fields[4];
        var total = fields.Sum();
        return (total - idle, total);
    }
}
