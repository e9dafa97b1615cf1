namespace Observe.Benchmarks;

/// <summary>
/// The builds the cold-start benchmark starts, found from the repository root. Build them with
/// <c>bench/build-cold-start.sh</c> before running it (JIT runs net10.0, the runtime installed here; Native AOT is
/// net8.0, the only NativeAOT target the registry serves). The instrumented function is built against the packed
/// package, as function authors build it; <see cref="InstrumentedFromProject"/> is the same function built against the
/// project, without the package's ReadyToRun code.
/// </summary>
internal static class InstrumentationColdStartBinaries
{
    public const string Bare = "Observe.Samples.ColdStartBare";
    public const string Instrumented = "Observe.Samples.OrdersFunction.Packaged";
    public const string InstrumentedFromProject = "Observe.Samples.OrdersFunction";

    /// <summary>The <c>dotnet</c> host that runs the framework-dependent (JIT) builds.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static string Path(string project, ColdStartBuild build)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(System.IO.Path.Combine(root.FullName, "Observe.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"No Observe.sln above {AppContext.BaseDirectory}: run the benchmark from the repository's bench/Observe.Benchmarks.");
        }

        var bin = System.IO.Path.Combine(root.FullName, "instrumentation", "samples", project, "bin");
        var path = build switch
        {
            ColdStartBuild.Jit => System.IO.Path.Combine(bin, "Release", "net10.0", "bootstrap.dll"),
            ColdStartBuild.ReadyToRun => System.IO.Path.Combine(bin, "r2r", "bootstrap.dll"),
            _ => System.IO.Path.Combine(bin, "Release", "net8.0", "linux-x64", "publish", "bootstrap"),
        };
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Missing {path}: build the samples first with bench/build-cold-start.sh.");
        }

        return path;
    }
}

/// <summary>How a cold-start sample is built and started.</summary>
public enum ColdStartBuild
{
    /// <summary>Framework-dependent IL, started with <c>dotnet</c>: everything not in the shared framework is JIT-compiled.</summary>
    Jit,

    /// <summary>Framework-dependent, the app's and packages' IL precompiled with ReadyToRun, started with <c>dotnet</c>.</summary>
    ReadyToRun,

    /// <summary>A Native AOT executable.</summary>
    NativeAot,
}
