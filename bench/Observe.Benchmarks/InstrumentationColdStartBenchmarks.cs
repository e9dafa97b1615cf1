using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;

namespace Observe.Benchmarks;

/// <summary>
/// Cold start: time from starting the function's process to the Runtime API receiving the response to its first
/// event, for the orders sample with Observe.Instrumentation (JSON logs, tracing, metrics and logs exported with OTLP
/// to a local endpoint; built against the packed package) against the same function without the package (Observe.Samples.ColdStartBare, a hand-written
/// Runtime API loop), as JIT, ReadyToRun and Native AOT builds. The Runtime API and the OTLP endpoint are played in this
/// process (<see cref="InstrumentationColdStartRuntimeApi"/>). Each iteration starts one process and a fresh Runtime
/// API; the process is killed after the clock stops. Build the samples first with <c>bench/build-cold-start.sh</c>.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 40)]
// The median: one start in twenty lands on a burst of other load on these shared cores and drags the mean.
[MedianColumn, MinColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class InstrumentationColdStartBenchmarks
{
    private readonly Dictionary<(string, ColdStartBuild), string> _paths = [];
    private readonly List<double> _cpuMilliseconds = [];
    private readonly List<double> _setupThreadCpuMilliseconds = [];
    private readonly List<double> _pairedAddedMilliseconds = [];
    private ColdStartBuild _pairedBuild;
    private InstrumentationColdStartRuntimeApi _api = null!;
    private Process? _process;

    [GlobalSetup]
    public void Setup()
    {
        foreach (var project in new[] { InstrumentationColdStartBinaries.Bare, InstrumentationColdStartBinaries.Instrumented })
        {
            foreach (var build in Enum.GetValues<ColdStartBuild>())
            {
                _paths[(project, build)] = InstrumentationColdStartBinaries.Path(project, build);
            }
        }

        _paths[(InstrumentationColdStartBinaries.InstrumentedFromProject, ColdStartBuild.Jit)] =
            InstrumentationColdStartBinaries.Path(InstrumentationColdStartBinaries.InstrumentedFromProject, ColdStartBuild.Jit);
    }

    /// <summary>
    /// Prints the function's CPU time (all threads, user + system) up to its first response: unlike the wall time, it
    /// barely moves when other processes compete for the cores, so it shows the work the package adds on a busy machine.
    /// The part spent by the package's low-priority OpenTelemetry set-up thread is printed on its own: it runs beside
    /// the first invocation, on time the function's threads leave free, so how much of it falls before the first
    /// response depends on how idle the other core is. Linux counts CPU time in 10 ms ticks.
    /// </summary>
    [GlobalCleanup]
    public void ReportCpuTime()
    {
        if (_pairedAddedMilliseconds.Count > 0)
        {
            var sorted = _pairedAddedMilliseconds.Order().ToList();
            Console.WriteLine($"// Paired {_pairedBuild} starts, instrumented minus bare: median {Median(sorted):F1} ms, mean {sorted.Average():F1} ms, "
                + $"quartiles {sorted[sorted.Count / 4]:F1} to {sorted[3 * sorted.Count / 4]:F1} ms over {sorted.Count} pairs (warm-up included)");
        }

        if (_cpuMilliseconds.Count > 0)
        {
            var foreground = _cpuMilliseconds.Zip(_setupThreadCpuMilliseconds, (all, setup) => all - setup).ToList();
            Console.WriteLine($"// CPU time to first response: median {Median(_cpuMilliseconds):F1} ms, mean {_cpuMilliseconds.Average():F1} ms over {_cpuMilliseconds.Count} starts (warm-up included); "
                + $"of it the set-up thread: median {Median(_setupThreadCpuMilliseconds):F1} ms, mean {_setupThreadCpuMilliseconds.Average():F1} ms; "
                + $"the other threads: median {Median(foreground):F1} ms, mean {foreground.Average():F1} ms");
        }
    }

    [IterationSetup]
    public void StartRuntimeApi() => _api = new InstrumentationColdStartRuntimeApi();

    [IterationCleanup]
    public void StopFunction()
    {
        StopProcess();
        _api.Dispose();
    }

    private void StopProcess()
    {
        if (_process is { } process)
        {
            process.Kill();
            process.WaitForExit();
            process.Dispose();
            _process = null;
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("JIT")]
    public Task Bare_Jit() => FirstInvocationAsync(InstrumentationColdStartBinaries.Bare, ColdStartBuild.Jit);

    [Benchmark, BenchmarkCategory("JIT")]
    public Task Instrumented_Jit() => FirstInvocationAsync(InstrumentationColdStartBinaries.Instrumented, ColdStartBuild.Jit);

    /// <summary>The same function built against the project: the package's IL only, so its code is JIT-compiled.</summary>
    [Benchmark, BenchmarkCategory("JIT")]
    public Task InstrumentedWithoutPackageReadyToRun_Jit() => FirstInvocationAsync(InstrumentationColdStartBinaries.InstrumentedFromProject, ColdStartBuild.Jit);

    [Benchmark(Baseline = true), BenchmarkCategory("ReadyToRun")]
    public Task Bare_ReadyToRun() => FirstInvocationAsync(InstrumentationColdStartBinaries.Bare, ColdStartBuild.ReadyToRun);

    [Benchmark, BenchmarkCategory("ReadyToRun")]
    public Task Instrumented_ReadyToRun() => FirstInvocationAsync(InstrumentationColdStartBinaries.Instrumented, ColdStartBuild.ReadyToRun);

    /// <summary>
    /// One bare and one instrumented start per operation, in alternating order, so a burst of other load on these
    /// shared cores falls on both sides of a pair rather than on one benchmark's whole run: the cleanup prints the
    /// median of the per-pair differences. The time in the table is the two starts together.
    /// </summary>
    [Benchmark, BenchmarkCategory("JIT, paired")]
    public Task Paired_Jit() => PairAsync(ColdStartBuild.Jit);

    [Benchmark, BenchmarkCategory("ReadyToRun, paired")]
    public Task Paired_ReadyToRun() => PairAsync(ColdStartBuild.ReadyToRun);

    [Benchmark, BenchmarkCategory("NativeAOT, paired")]
    public Task Paired_Aot() => PairAsync(ColdStartBuild.NativeAot);

    [Benchmark(Baseline = true), BenchmarkCategory("NativeAOT")]
    public Task Bare_Aot() => FirstInvocationAsync(InstrumentationColdStartBinaries.Bare, ColdStartBuild.NativeAot);

    [Benchmark, BenchmarkCategory("NativeAOT")]
    public Task Instrumented_Aot() => FirstInvocationAsync(InstrumentationColdStartBinaries.Instrumented, ColdStartBuild.NativeAot);

    private Task FirstInvocationAsync(string project, ColdStartBuild build) => StartUntilFirstResponseAsync(project, build, _api, recordCpu: true);

    private async Task PairAsync(ColdStartBuild build)
    {
        _pairedBuild = build;
        var bare = 0.0;
        var instrumented = 0.0;
        var instrumentedFirst = _pairedAddedMilliseconds.Count % 2 == 1;
        foreach (var instrumentedTurn in instrumentedFirst ? new[] { true, false } : [false, true])
        {
            using var api = new InstrumentationColdStartRuntimeApi();
            var project = instrumentedTurn ? InstrumentationColdStartBinaries.Instrumented : InstrumentationColdStartBinaries.Bare;
            var elapsed = await StartUntilFirstResponseAsync(project, build, api, recordCpu: false);
            StopProcess();
            (instrumentedTurn ? ref instrumented : ref bare) = elapsed;
        }

        _pairedAddedMilliseconds.Add(instrumented - bare);
    }

    /// <summary>Starts the function against <paramref name="api"/> and returns the milliseconds until its first response.</summary>
    private async Task<double> StartUntilFirstResponseAsync(string project, ColdStartBuild build, InstrumentationColdStartRuntimeApi api, bool recordCpu)
    {
        var path = _paths[(project, build)];
        var start = new ProcessStartInfo(build == ColdStartBuild.NativeAot ? path : InstrumentationColdStartBinaries.DotnetHost)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (build != ColdStartBuild.NativeAot)
        {
            start.ArgumentList.Add(path);
        }

        foreach (var (name, value) in api.FunctionEnvironment)
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {path}.");
        _process = process;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(api.FirstResponse, exited, Task.Delay(TimeSpan.FromSeconds(30))) != api.FirstResponse)
        {
            throw new InvalidOperationException($"{path} exited or hung before answering its first event (exit code {(process.HasExited ? process.ExitCode : "none")}).");
        }

        await api.FirstResponse;
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (recordCpu)
        {
            _cpuMilliseconds.Add(process.TotalProcessorTime.TotalMilliseconds);
            _setupThreadCpuMilliseconds.Add(SetupThreadCpuMilliseconds(process.Id));
        }

        return elapsed;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>CPU time of the thread named "Observe telemetry set-up" (Linux shows its first 15 characters), from /proc.</summary>
    private static double SetupThreadCpuMilliseconds(int processId)
    {
        const double MillisecondsPerTick = 10; // USER_HZ is 100 on Linux x64
        var total = 0.0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
        {
            try
            {
                if (!File.ReadAllText(System.IO.Path.Combine(task, "comm")).StartsWith("Observe telemet", StringComparison.Ordinal))
                {
                    continue;
                }

                // Fields after "(comm)": state is field 3, utime 14 and stime 15.
                var stat = File.ReadAllText(System.IO.Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                total += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * MillisecondsPerTick;
            }
            catch (IOException)
            {
                // The thread ended between listing and reading: its time is no longer counted separately.
            }
        }

        return total;
    }
}
