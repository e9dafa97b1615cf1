using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;

namespace Observe.Benchmarks;

/// <summary>
/// Cold start: time from starting the function's process to the Runtime API receiving the response to its first
/// event, for the orders sample with Observe.Instrumentation (JSON logs, tracing, metrics, OTLP export to a local
/// endpoint) against the same function without the package (Observe.Samples.ColdStartBare, a hand-written Runtime API
/// loop), JIT and Native AOT. The Runtime API and the OTLP endpoint are played in this process
/// (<see cref="InstrumentationColdStartRuntimeApi"/>). Each iteration starts one process and a fresh Runtime API; it is killed after the clock stops.
/// Build the four binaries first (see <see cref="InstrumentationColdStartBinaries"/>).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 20)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class InstrumentationColdStartBenchmarks
{
    private InstrumentationColdStartBinaries _binaries = null!;
    private InstrumentationColdStartRuntimeApi _api = null!;
    private Process? _process;

    [GlobalSetup]
    public void Setup() => _binaries = InstrumentationColdStartBinaries.Locate();

    [IterationSetup]
    public void StartRuntimeApi() => _api = new InstrumentationColdStartRuntimeApi();

    [IterationCleanup]
    public void StopFunction()
    {
        if (_process is { } process)
        {
            process.Kill();
            process.WaitForExit();
            process.Dispose();
            _process = null;
        }

        _api.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("JIT")]
    public Task Bare_Jit() => FirstInvocationAsync(_binaries.BareJit, jit: true);

    [Benchmark, BenchmarkCategory("JIT")]
    public Task Instrumented_Jit() => FirstInvocationAsync(_binaries.InstrumentedJit, jit: true);

    [Benchmark(Baseline = true), BenchmarkCategory("NativeAOT")]
    public Task Bare_Aot() => FirstInvocationAsync(_binaries.BareAot, jit: false);

    [Benchmark, BenchmarkCategory("NativeAOT")]
    public Task Instrumented_Aot() => FirstInvocationAsync(_binaries.InstrumentedAot, jit: false);

    private async Task FirstInvocationAsync(string path, bool jit)
    {
        var start = new ProcessStartInfo(jit ? InstrumentationColdStartBinaries.DotnetHost : path)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (jit)
        {
            start.ArgumentList.Add(path);

            // The samples target net8.0, the only Native AOT target here; the machine has only the .NET 10 runtime.
            start.Environment["DOTNET_ROLL_FORWARD"] = "Major";
        }

        foreach (var (name, value) in _api.FunctionEnvironment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {path}.");
        _process = process;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(_api.FirstResponse, exited, Task.Delay(TimeSpan.FromSeconds(30))) != _api.FirstResponse)
        {
            throw new InvalidOperationException($"{path} exited or hung before answering its first event (exit code {(process.HasExited ? process.ExitCode : "none")}).");
        }

        await _api.FirstResponse;
    }
}
