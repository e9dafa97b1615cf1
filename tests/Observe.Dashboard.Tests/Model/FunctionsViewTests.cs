using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

public class FunctionsViewTests
{
    private static readonly TimeRange Range = new(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 22, 5, 0, 0, TimeSpan.Zero));

    internal static FunctionRow Row(
        string name,
        string region = "us-east-1",
        string account = "111122223333",
        string? runtime = "nodejs22.x",
        string? owner = null,
        double? invocations = null,
        double errors = 0,
        double unreadErrors = 0,
        decimal? cost = null,
        int changes = 0,
        params FlagChip[] flags)
    {
        var function = new LambdaFunction
        {
            Key = new FunctionKey(account, region, name),
            Arn = $"arn:aws:lambda:{region}:{account}:function:{name}",
            Runtime = runtime,
            PackageType = runtime is null ? "Image" : "Zip",
            MemoryMb = 512,
            TimeoutSeconds = 30,
            Tags = owner is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["team"] = owner },
        };
        return new FunctionRow
        {
            Function = function,
            Account = account,
            Owner = owner,
            MonthlyCost = cost,
            ChangesInRange = changes,
            Flags = flags,
            Stats = invocations is { } n
                ? new FunctionStats { Function = function.Key, SeriesRead = true, Invocations = n, Errors = errors, UnreadErrorInvocations = unreadErrors }
                : null,
            SearchText = string.Join('\n', function.Tags.SelectMany(t => new[] { t.Key, t.Value }).Prepend(name)).ToLowerInvariant(),
        };
    }

    private static readonly FlagChip Unused = new("unused", "Unused", "no invocation in 30 days", FlagChip.Warning);
    private static readonly FlagChip Deprecated = new("runtime-deprecated", "Runtime deprecated", "nodejs14.x deprecated on ...", FlagChip.Critical);

    private static FunctionsSnapshot Snapshot(params FunctionRow[] rows) => new(Range, Range.To, rows)
    {
        FlagLegend = [Unused, Deprecated],
    };

    private static FunctionsQuery Query(string text) => FunctionsQuery.Parse(QueryHelpers.ParseQuery(text)).Query!;

    [Fact]
    public void Create_FacetsCountTheRowsTheOtherFiltersLetThrough()
    {
        var snapshot = Snapshot(
            Row("a", region: "us-east-1", owner: "checkout"),
            Row("b", region: "us-east-1", owner: "data"),
            Row("c", region: "eu-west-1", owner: "checkout"),
            Row("d", region: "eu-west-1", owner: null));

        var view = FunctionsView.Create(snapshot, Query("region=eu-west-1"));

        Assert.Equal(["c", "d"], view.Rows.Select(r => r.Function.Key.Name));
        // The region facet ignores its own filter (so the user sees what picking another would add) ...
        var regions = view.Facets[FunctionFacet.Region];
        Assert.Equal(2, regions.Single(v => v.Value == "us-east-1").Count);
        Assert.True(regions.Single(v => v.Value == "eu-west-1").Selected);
        // ... while the owner facet counts only within the region picked; no owner is a value of its own.
        var owners = view.Facets[FunctionFacet.Owner];
        Assert.Equal(1, owners.Single(v => v.Value == "checkout").Count);
        Assert.Equal("no owner tag", owners.Single(v => v.Value == FunctionsQuery.NoValue).Label);
        Assert.DoesNotContain(owners, v => v.Value == "data");
    }

    [Fact]
    public void Create_SeveralValuesOfAFacetMatchAny_FlagsMatchAnyOfTheRowsFlags()
    {
        var snapshot = Snapshot(
            Row("a", region: "us-east-1", flags: [Unused]),
            Row("b", region: "eu-west-1", flags: [Unused, Deprecated]),
            Row("c", region: "ap-southeast-2", flags: [Deprecated]));

        Assert.Equal(["a", "b"], FunctionsView.Create(snapshot, Query("region=us-east-1&region=eu-west-1")).Rows.Select(r => r.Function.Key.Name));
        var flagged = FunctionsView.Create(snapshot, Query("flag=runtime-deprecated"));
        Assert.Equal(["b", "c"], flagged.Rows.Select(r => r.Function.Key.Name));
        Assert.Equal("Runtime deprecated", flagged.Facets[FunctionFacet.Flag].Single(v => v.Value == "runtime-deprecated").Label);
    }

    [Fact]
    public void Create_SearchMatchesNameOwnerAndTagsIgnoringCase()
    {
        var snapshot = Snapshot(Row("Orders-API"), Row("billing", owner: "Payments"), Row("other"));

        Assert.Equal(["Orders-API"], FunctionsView.Create(snapshot, Query("q=orders")).Rows.Select(r => r.Function.Key.Name));
        Assert.Equal(["billing"], FunctionsView.Create(snapshot, Query("q=PAYMENTS")).Rows.Select(r => r.Function.Key.Name));
    }

    [Fact]
    public void Create_SortsUnknownFiguresLastInBothDirections()
    {
        var snapshot = Snapshot(Row("none"), Row("few", invocations: 5), Row("many", invocations: 500), Row("zero", invocations: 0));

        Assert.Equal(["many", "few", "zero", "none"], FunctionsView.Create(snapshot, Query("sort=invocations&dir=desc")).Rows.Select(r => r.Function.Key.Name));
        Assert.Equal(["zero", "few", "many", "none"], FunctionsView.Create(snapshot, Query("sort=invocations&dir=asc")).Rows.Select(r => r.Function.Key.Name));
    }

    [Fact]
    public void Create_UnreadErrors_ErrorRateUnknownAndSortedWithTheUnknowns()
    {
        var snapshot = Snapshot(Row("read", invocations: 100, errors: 1), Row("unread", invocations: 100, errors: 1, unreadErrors: 40));

        var view = FunctionsView.Create(snapshot, Query("sort=error-rate"));

        Assert.Equal(["read", "unread"], view.Rows.Select(r => r.Function.Key.Name));
        Assert.Equal(0.01, view.Rows[0].ErrorRate);
        Assert.Null(view.Rows[1].ErrorRate);
        Assert.Equal("unknown", FunctionsFormat.ErrorRate(view.Rows[1]));
        Assert.Contains("errors not read for 40 of 100 invocations; at least 1 errors", FunctionsFormat.ErrorRateTitle(view.Rows[1]), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_PagesTheSortedRows()
    {
        var rows = Enumerable.Range(0, 60).Select(i => Row($"f{i:00}")).ToArray();

        var view = FunctionsView.Create(Snapshot(rows), Query("page=3&size=25"));

        Assert.Equal(3, view.PageCount);
        Assert.Equal(["f50", "f51"], view.PageRows.Take(2).Select(r => r.Function.Key.Name));
        Assert.Equal(10, view.PageRows.Count);
        Assert.Equal("51–60 of 60 functions", view.Describe());
        Assert.True(FunctionsView.Create(Snapshot(rows), Query("page=4&size=25")).PastLastPage);
    }

    [Fact]
    public void Create_NothingMatches_SaysWhichFilterEmptiedIt()
    {
        var snapshot = Snapshot(Row("a", region: "us-east-1", runtime: "python3.12"), Row("b", region: "eu-west-1", runtime: "java21"));

        // Either filter alone would bring a row back: both are named.
        var one = FunctionsView.Create(snapshot, Query("region=us-east-1&runtime=java21"));
        Assert.Empty(one.Rows);
        Assert.Equal(["region", "runtime"], one.EmptiedBy);

        // No single filter would: only clearing both helps, so none is named.
        var both = FunctionsView.Create(snapshot, Query("region=ap-southeast-2&runtime=ruby3.3"));
        Assert.Empty(both.EmptiedBy);

        var two = FunctionsView.Create(snapshot, Query("region=us-east-1&q=zzz"));
        Assert.Equal(["q"], two.EmptiedBy);
    }

    [Fact]
    public void Create_Changed_FiltersToFunctionsWithAChangeInTheRange_CountedLikeAnyFacet()
    {
        var snapshot = Snapshot(Row("a", changes: 2), Row("b", region: "eu-west-1", changes: 1), Row("c"), Row("d", region: "eu-west-1"));

        var changed = FunctionsView.Create(snapshot, Query("changed=yes"));
        Assert.Equal(["a", "b"], changed.Rows.Select(r => r.Function.Key.Name));
        Assert.Equal([("yes", "changed in the range", 2, true), ("no", "no change recorded", 2, false)],
            changed.Facets[FunctionFacet.Changed].Select(v => (v.Value, v.Label, v.Count, v.Selected)));

        // Counted over the rows the other filters let through; the region facet counts only changed functions.
        var inEurope = FunctionsView.Create(snapshot, Query("changed=yes&region=eu-west-1"));
        Assert.Equal(["b"], inEurope.Rows.Select(r => r.Function.Key.Name));
        Assert.Equal(1, inEurope.Facets[FunctionFacet.Region].Single(v => v.Value == "us-east-1").Count);

        // Nothing changed: the choice is still listed, at 0, and emptying the grid names it.
        var quiet = Snapshot(Row("c"), Row("d"));
        var none = FunctionsView.Create(quiet, Query(""));
        Assert.Equal(0, none.Facets[FunctionFacet.Changed].Single(v => v.Value == FunctionsQuery.Changed).Count);
        Assert.Equal(["changed"], FunctionsView.Create(quiet, Query("changed=yes")).EmptiedBy);
    }

    [Fact]
    public async Task Csv_QuotesNeutralisesFormulasAndLeavesUnknownEmpty()
    {
        var rows = new[]
        {
            Row("=HYPERLINK(\"http://x\")", owner: "team, \"core\"", invocations: 10, errors: 1, cost: 1.5m),
            Row("unread", owner: "-1+2", invocations: 10, errors: 1, unreadErrors: 5),
            Row("silent"),
        };

        var text = await WriteCsvAsync(rows);
        var lines = text.Split("\r\n");

        Assert.Equal(string.Join(',', FunctionsCsv.Header), lines[0]);
        Assert.StartsWith("\"'=HYPERLINK(\"\"http://x\"\")\",111122223333,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",\"team, \"\"core\"\"\",10,1,0.1,,0,1.50,", lines[1], StringComparison.Ordinal);
        // Errors not all read: the errors and the rate are empty, not 0 and not the lower bound.
        Assert.Contains(",'-1+2,10,,,,0,,", lines[2], StringComparison.Ordinal);
        // Nothing stored: every figure empty; no change recorded in the range.
        Assert.EndsWith(",,,,,,,,0", lines[3], StringComparison.Ordinal);
        Assert.Equal("", lines[4]);
        Assert.Equal(5, lines.Length);
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("a\nb", "\"a\nb\"")]
    [InlineData("plain", "plain")]
    public void CsvCell_NeutralisesAndQuotes(string value, string expected)
    {
        var line = new StringBuilder();
        FunctionsCsv.AppendCell(line, value);
        Assert.Equal(expected, line.ToString());
    }

    private static async Task<string> WriteCsvAsync(IEnumerable<FunctionRow> rows)
    {
        await using var writer = new StringWriter();
        await FunctionsCsv.WriteAsync(writer, rows, CancellationToken.None);
        return writer.ToString();
    }
}
