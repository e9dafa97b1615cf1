using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

public class ColdStartsModelTests
{
    private static readonly TimeRange Range = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Percentile_NearestRank()
    {
        double[] sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

        Assert.Equal((50d, 100d, 10d), (DurationFigures.Percentile(sorted, 0.5), DurationFigures.Percentile(sorted, 0.99), DurationFigures.Percentile([10], 0.99)));
        Assert.Equal(DurationFigures.None, DurationFigures.Of([]));
    }

    [Fact]
    public void Create_TextFormatFunction_ColdStartsOfUnknownTypeNeverOnDemand()
    {
        var text = Stored("text-fn", invocations: 10, init: [300, 400]);
        var json = Stored("json-fn", invocations: 10, init: [500]) with
        {
            InitEventsMs = new Dictionary<InitializationType, IReadOnlyList<double>> { [InitializationType.OnDemand] = [500], [InitializationType.ProvisionedConcurrency] = [900, 950] },
        };

        var model = ColdStartsViewModel.Create(Range, [text, json], [], new ColdStartsAddress(), []);

        Assert.Equal((3L, 1L, 2L, 2L), (model.Cold.Count, model.OnDemand, model.UnknownType, model.Provisioned.Count));
        Assert.Equal(0.15, model.Rate);
        Assert.Equal(["text-fn", "json-fn"], model.Worst.Select(r => r.Function.Name));
    }

    [Fact]
    public void Suggestions_FollowFromTheData_EachWithItsPublishedSource()
    {
        var slowJava = Stored("java", invocations: 50, init: [2600, 2800, 3100]);
        var fastNode = Stored("node", invocations: 1000, init: [150]);
        LambdaFunction[] inventory =
        [
            Function("java", "java21", "x86_64", codeSize: 60L * 1024 * 1024),
            Function("node", "nodejs22.x", "arm64", codeSize: 1024),
        ];

        var model = ColdStartsViewModel.Create(Range, [slowJava, fastNode], inventory, new ColdStartsAddress(), []);

        Assert.Equal(["provisioned-concurrency", "snapstart", "smaller-package", "arm"], model.Suggestions.Select(s => s.Kind));
        Assert.All(model.Suggestions, s => Assert.Equal(["java"], s.Functions.Select(f => f.Function.Name)));
        Assert.All(model.Suggestions, s => Assert.False(string.IsNullOrEmpty(s.Effect.Published)));
        Assert.Contains("No published AWS figure", model.Suggestions.Single(s => s.Kind == "smaller-package").Effect.Range, StringComparison.Ordinal);
    }

    [Fact]
    public void Address_RoundTripsFiltersAndKeepsTheRange()
    {
        var address = ColdStartsAddress.Parse("http://x/cold-starts?range=6h&runtime=dotnet8&arch=arm64&q=ord&account=1&region=eu-west-1", "http://x/");

        Assert.Equal(("dotnet8", "arm64", "ord", "1", "eu-west-1"), (address.Runtime, address.Architecture, address.Search, address.Account, address.Region));
        Assert.Equal("cold-starts?account=1&region=eu-west-1&arch=arm64&q=ord&range=6h", address.With(ColdStartsAddress.RuntimeParameter, null));
        Assert.Equal("cold-starts?range=6h", address.ClearedUri());
        Assert.Equal("cold-starts?account=1&region=eu-west-1&q=a%20b&range=6h", ColdStartsAddress.ForFunction(new FunctionKey("1", "eu-west-1", "a b"), "?range=6h"));
    }

    private static ColdStartFunction Stored(string name, long invocations, double[] init) => new()
    {
        Function = new FunctionKey("1", "eu-west-1", name),
        Invocations = invocations,
        InitDurationsMs = init,
    };

    private static LambdaFunction Function(string name, string runtime, string architecture, long codeSize) => new()
    {
        Key = new FunctionKey("1", "eu-west-1", name),
        Arn = "arn",
        Runtime = runtime,
        Architecture = architecture,
        MemoryMb = 512,
        CodeSizeBytes = codeSize,
    };
}
