namespace Observe.Dashboard.Model;

/// <summary>
/// An effect as a source published it, quoted as a range with its source and date; <see cref="Range"/> says so when
/// no published figure was found rather than inventing one.
/// </summary>
public sealed record PublishedEffect(string Range, string Source, string? Url, string Published);

/// <summary>
/// The published figures behind the suggestions, looked up on 2026-12-04. AWS's own pages where AWS published a
/// figure; where it did not, the entry says so. Update the figure, its source and date together.
/// </summary>
public static class ColdStartSources
{
    public static PublishedEffect ProvisionedConcurrency { get; } = new(
        "Invocations served by a provisioned environment skip the init phase; AWS states provisioned environments respond \"in double-digit milliseconds\". Invocations beyond the provisioned count still cold-start.",
        "AWS Compute Blog, \"New for AWS Lambda – Predictable start-up times with Provisioned Concurrency\"",
        "https://aws.amazon.com/blogs/compute/new-for-aws-lambda-predictable-start-up-times-with-provisioned-concurrency/",
        "2019-12-03");

    public static PublishedEffect SnapStart { get; } = new(
        "Up to 10× faster function startup (AWS's figure, measured for Java; no lower bound is published).",
        "AWS Compute Blog, \"Starting up faster with AWS Lambda SnapStart\"",
        "https://aws.amazon.com/blogs/compute/starting-up-faster-with-aws-lambda-snapstart/",
        "2022-11-28");

    public static PublishedEffect NativeAot { get; } = new(
        "Up to 86% lower cold-start time in AWS's benchmarks of the .NET 8 runtime (no lower bound is published).",
        "AWS Compute Blog, \"Introducing the .NET 8 runtime for AWS Lambda\" (figure as quoted from it; the page itself was not read here)",
        "https://aws.amazon.com/blogs/compute/introducing-the-net-8-runtime-for-aws-lambda/",
        "2024-02-22");

    public static PublishedEffect SmallerPackage { get; } = new(
        "No published AWS figure was found for how much a smaller package shortens init; AWS's guidance says package size and dependencies add to init time. Measure before and after.",
        "AWS Lambda Operator Guide, \"Static initialization\" (guidance, no figure)",
        "https://docs.aws.amazon.com/lambda/latest/operatorguide/static-initialization.html",
        "undated page, read 2026-12-04");

    public static PublishedEffect Arm { get; } = new(
        "No published AWS figure was found for Arm's effect on cold starts. AWS's published figure is up to 34% better price performance (duration and price, not init).",
        "AWS News Blog, \"AWS Lambda Functions Powered by AWS Graviton2 Processor\"",
        "https://aws.amazon.com/blogs/aws/aws-lambda-functions-powered-by-aws-graviton2-processor-run-your-functions-on-arm-and-get-up-to-34-better-price-performance/",
        "2021-09-29");
}

/// <summary>Which suggestions follow from a range's cold starts, and for which functions.</summary>
public static class ColdStartSuggestions
{
    /// <summary>A cold-start rate worth paying provisioned concurrency for, with a slow p99.</summary>
    public const double ProvisionedRate = 0.01;

    public const double ProvisionedP99Ms = 1000;

    /// <summary>A p50 init slow enough that SnapStart's restore is worth its constraints.</summary>
    public const double SnapStartP50Ms = 1000;

    /// <summary>A .NET p50 init slow enough that Native AOT's trimming constraints are worth taking on.</summary>
    public const double NativeAotP50Ms = 500;

    public const long LargePackageBytes = 50L * 1024 * 1024;

    public static IReadOnlyList<ColdStartSuggestion> For(IReadOnlyList<ColdStartRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var cold = rows.Where(r => r.Cold.Count > 0).ToList();
        var suggestions = new List<ColdStartSuggestion>();
        void Add(string kind, string title, string why, PublishedEffect effect, IEnumerable<ColdStartRow> functions)
        {
            var list = functions.ToList();
            if (list.Count > 0)
            {
                suggestions.Add(new ColdStartSuggestion(kind, title, why, effect, list));
            }
        }

        Add("provisioned-concurrency", "Provisioned concurrency",
            $"Cold-start rate of {ProvisionedRate:0%} or more with a p99 init of {ProvisionedP99Ms:#,0} ms or more, and no provisioned concurrency.",
            ColdStartSources.ProvisionedConcurrency,
            cold.Where(r => r.Rate >= ProvisionedRate && r.Cold.P99 >= ProvisionedP99Ms && r.Inventory is { ProvisionedConcurrency: 0 }));
        Add("snapstart", "SnapStart",
            $"A runtime SnapStart supports (Java 11+, Python 3.12+, .NET 8+), a p50 init of {SnapStartP50Ms:#,0} ms or more, and no SnapStart restores in the range.",
            ColdStartSources.SnapStart,
            cold.Where(r => SupportsSnapStart(r.Inventory?.Runtime) && r.Cold.P50 >= SnapStartP50Ms && r.Restores.Count == 0));
        Add("native-aot", "Native AOT for .NET",
            $"A .NET function with a p50 init of {NativeAotP50Ms:#,0} ms or more.",
            ColdStartSources.NativeAot,
            cold.Where(r => r.Inventory?.Runtime?.StartsWith("dotnet", StringComparison.Ordinal) == true && r.Cold.P50 >= NativeAotP50Ms));
        Add("smaller-package", "A smaller package",
            "A .zip package of 50 MB or more with cold starts in the range.",
            ColdStartSources.SmallerPackage,
            cold.Where(r => r.Inventory is { PackageType: "Zip", CodeSizeBytes: >= LargePackageBytes }));
        Add("arm", "Arm (Graviton)",
            "An x86_64 function with cold starts in the range.",
            ColdStartSources.Arm,
            cold.Where(r => r.Inventory is { Architecture: "x86_64" }));
        return suggestions;
    }

    private static bool SupportsSnapStart(string? runtime) => runtime switch
    {
        null => false,
        "java11" or "java17" or "java21" or "java25" => true,
        "python3.12" or "python3.13" or "python3.14" => true,
        "dotnet8" or "dotnet9" or "dotnet10" => true,
        _ => false,
    };
}
