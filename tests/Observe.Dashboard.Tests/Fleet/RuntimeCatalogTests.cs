using Observe.Dashboard.Fleet;
using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Fleet;

public class RuntimeCatalogTests
{
    private static readonly DateOnly Today = new(2026, 11, 22);
    private static readonly RuntimeCatalog Catalog = RuntimeCatalog.Default;

    [Fact]
    public void Default_LoadsTheEmbeddedTableWithItsSourceAndDate()
    {
        Assert.Equal(new Uri("https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"), Catalog.Source);
        Assert.Equal(new DateOnly(2026, 10, 3), Catalog.LastChecked);
        Assert.Equal(new DateOnly(2025, 9, 1), Catalog.Find("nodejs18.x")!.Deprecation);
        Assert.Equal(new DateOnly(2027, 8, 31), Catalog.Find("nodejs18.x")!.BlockUpdate);
    }

    [Fact]
    public void Default_EveryRowsDatesAreInAwsOrder()
    {
        // Deprecation, then block create, then block update: a row out of that order was copied wrong.
        foreach (var runtime in Catalog.Runtimes)
        {
            Assert.True(runtime.BlockCreate is null || runtime.Deprecation <= runtime.BlockCreate, runtime.Identifier);
            Assert.True(runtime.BlockUpdate is null || runtime.Deprecation <= runtime.BlockUpdate, runtime.Identifier);
            Assert.True(runtime.BlockCreate is null || runtime.BlockUpdate is null || runtime.BlockCreate <= runtime.BlockUpdate, runtime.Identifier);
        }
    }

    [Theory]
    [InlineData("nodejs16.x", "2024-06-12")]
    [InlineData("python3.8", "2024-10-14")]
    [InlineData("dotnet6", "2024-12-20")]
    [InlineData("go1.x", "2024-01-08")]
    [InlineData("dotnet8", "2026-11-10")]
    public void Classify_PastItsDate_Deprecated(string runtime, string date)
    {
        var status = Catalog.Classify(runtime, "Zip", Today, 180);

        Assert.Equal(RuntimeSupport.Deprecated, status.Support);
        Assert.Equal(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), status.Deprecation);
        Assert.Contains("deprecated since " + date, status.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_DeprecatedWithBlocksAhead_SaysWhenAwsBlocksUpdates()
    {
        var status = Catalog.Classify("nodejs20.x", "Zip", Today, 180);

        Assert.Equal("Node.js 20 (nodejs20.x) has been deprecated since 2026-04-30: no more security patches. AWS blocks creating functions on it from 2027-07-29 and updating them from 2027-08-31.", status.Explanation);
    }

    [Fact]
    public void Classify_OnItsDate_DeprecatedAndTheDayBefore_DeprecatingSoonWithinTheNotice()
    {
        Assert.Equal(RuntimeSupport.Deprecated, Catalog.Classify("dotnet8", "Zip", new DateOnly(2026, 11, 10), 180).Support);

        var dayBefore = Catalog.Classify("dotnet8", "Zip", new DateOnly(2026, 11, 9), 180);
        Assert.Equal(RuntimeSupport.DeprecatingSoon, dayBefore.Support);
        Assert.Contains("is deprecated on 2026-11-10, in 1 days", dayBefore.Explanation, StringComparison.Ordinal);

        Assert.Equal(RuntimeSupport.Supported, Catalog.Classify("dotnet8", "Zip", new DateOnly(2026, 11, 9), 0).Support);
    }

    [Fact]
    public void Classify_NoticeBoundary_ExactlyNoticeDaysAheadIsSoonOneMoreIsSupported()
    {
        // nodejs22.x is deprecated on 2027-04-30; 180 days before is 2026-11-01.
        Assert.Equal(RuntimeSupport.DeprecatingSoon, Catalog.Classify("nodejs22.x", "Zip", new DateOnly(2026, 11, 1), 180).Support);
        Assert.Equal(RuntimeSupport.Supported, Catalog.Classify("nodejs22.x", "Zip", new DateOnly(2026, 10, 31), 180).Support);
    }

    [Theory]
    [InlineData("nodejs24.x")]
    [InlineData("python3.13")]
    [InlineData("java21")]
    [InlineData("provided.al2023")]
    public void Classify_CurrentRuntime_SupportedUntilItsDate(string runtime)
    {
        var status = Catalog.Classify(runtime, "Zip", Today, 180);

        Assert.Equal(RuntimeSupport.Supported, status.Support);
        Assert.NotNull(status.Deprecation);
        Assert.Contains("supported until", status.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_RuntimeWithNoPublishedDate_SupportedAndSaysNoDatePublished()
    {
        var status = Catalog.Classify("nodejs26.x", "Zip", Today, 180);

        Assert.Equal(RuntimeSupport.Supported, status.Support);
        Assert.Null(status.Deprecation);
        Assert.Contains("no deprecation date published", status.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nodejs99.x", "nodejs99.x is not in Observe's runtime table (last checked 2026-10-03), so its support is unknown.")]
    [InlineData("Python3.12", "Python3.12 is not in Observe's runtime table (last checked 2026-10-03), so its support is unknown.")]
    [InlineData(null, "Lambda reported no runtime for this function.")]
    [InlineData("", "Lambda reported no runtime for this function.")]
    public void Classify_MissingFromTheTable_UnknownNeverFine(string? runtime, string explanation)
    {
        var status = Catalog.Classify(runtime, "Zip", Today, 180);

        Assert.Equal(new RuntimeStatus(RuntimeSupport.Unknown, null, explanation), status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("python3.8")]
    public void Classify_ContainerImage_NoLambdaManagedRuntime(string? runtime)
    {
        var status = Catalog.Classify(runtime, "Image", Today, 180);

        Assert.Equal(RuntimeSupport.ContainerImage, status.Support);
        Assert.Null(status.Deprecation);
    }

    [Fact]
    public void Parse_RuntimeListedTwice_NamesIt()
    {
        const string json = """
            { "source": "https://example.com/", "lastChecked": "2026-01-01", "runtimes": [
              { "identifier": "x1", "name": "X", "deprecation": null, "blockCreate": null, "blockUpdate": null },
              { "identifier": "x1", "name": "X", "deprecation": null, "blockCreate": null, "blockUpdate": null } ] }
            """;

        var ex = Assert.Throws<InvalidDataException>(() => RuntimeCatalog.Parse(json));
        Assert.Equal("The runtime table lists x1 twice.", ex.Message);
    }

    [Theory]
    [InlineData("""{ "source": "https://example.com/", "runtimes": [] }""", "The runtime table needs source, lastChecked and runtimes.")]
    [InlineData("""{ "source": "https://example.com/", "lastChecked": "soon", "runtimes": [] }""", "The runtime table is not valid:")]
    [InlineData("""{ "source": "https://example.com/", "lastChecked": "2026-01-01", "runtimes": [], "extra": 1 }""", "The runtime table is not valid:")]
    public void Parse_BadTable_SaysWhatIsWrong(string json, string message)
    {
        var ex = Assert.Throws<InvalidDataException>(() => RuntimeCatalog.Parse(json));
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeprecatedRuntimes_Count_GroupsByRuntimeMostFirst()
    {
        static LambdaFunction F(string name, string? runtime, string packageType = "Zip") => new()
        {
            Key = new FunctionKey("111122223333", "us-east-1", name),
            Arn = "arn:aws:lambda:us-east-1:111122223333:function:" + name,
            Runtime = runtime,
            PackageType = packageType,
        };

        var counted = DeprecatedRuntimes.Count(
            [F("a", "dotnet6"), F("b", "python3.8"), F("c", "python3.8"), F("d", "java21"), F("e", null, "Image"), F("f", "nodejs99.x")],
            Today);

        Assert.Equal(3, counted.Functions);
        Assert.Equal([KeyValuePair.Create("python3.8", 2), KeyValuePair.Create("dotnet6", 1)], counted.ByRuntime);
    }
}
