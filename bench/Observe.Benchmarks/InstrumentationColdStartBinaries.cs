namespace Observe.Benchmarks;

/// <summary>
/// The four builds the cold-start benchmark starts, found from the repository root. Build them before running it:
/// <code>
/// dotnet build instrumentation/samples/Observe.Samples.ColdStartBare -c Release
/// dotnet build instrumentation/samples/Observe.Samples.OrdersFunction -c Release
/// dotnet publish instrumentation/samples/Observe.Samples.ColdStartBare -c Release -r linux-x64
/// dotnet publish instrumentation/samples/Observe.Samples.OrdersFunction -c Release -r linux-x64
/// </code>
/// </summary>
internal sealed record InstrumentationColdStartBinaries(string BareJit, string InstrumentedJit, string BareAot, string InstrumentedAot)
{
    /// <summary>The <c>dotnet</c> host that runs the framework-dependent (JIT) builds.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static InstrumentationColdStartBinaries Locate()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Observe.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"No Observe.sln above {AppContext.BaseDirectory}: run the benchmark from the repository's bench/Observe.Benchmarks.");
        }

        string Sample(string project, string file) => Path.Combine(root.FullName, "instrumentation", "samples", project, "bin", "Release", "net8.0", file);
        var binaries = new InstrumentationColdStartBinaries(
            Sample("Observe.Samples.ColdStartBare", "bootstrap.dll"),
            Sample("Observe.Samples.OrdersFunction", "bootstrap.dll"),
            Sample("Observe.Samples.ColdStartBare", Path.Combine("linux-x64", "publish", "bootstrap")),
            Sample("Observe.Samples.OrdersFunction", Path.Combine("linux-x64", "publish", "bootstrap")));
        var missing = new[] { binaries.BareJit, binaries.InstrumentedJit, binaries.BareAot, binaries.InstrumentedAot }.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Missing {string.Join(", ", missing)}. Build the samples first: for each of Observe.Samples.ColdStartBare and Observe.Samples.OrdersFunction, "
                + "'dotnet build instrumentation/samples/<name> -c Release' and 'dotnet publish instrumentation/samples/<name> -c Release -r linux-x64'.");
        }

        return binaries;
    }
}
