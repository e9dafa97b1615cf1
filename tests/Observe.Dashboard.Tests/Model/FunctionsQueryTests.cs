using Microsoft.AspNetCore.WebUtilities;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Tests.Model;

public class FunctionsQueryTests
{
    private static (FunctionsQuery? Query, FunctionsQueryError? Error) Parse(string queryString, Func<string, bool>? isFlag = null) =>
        FunctionsQuery.Parse(QueryHelpers.ParseQuery(queryString), isFlag);

    [Fact]
    public void Parse_Nothing_IsTheDefault()
    {
        var (query, error) = Parse("");

        Assert.Null(error);
        Assert.Equal(FunctionsQuery.Default.Sort, query!.Sort);
        Assert.False(query.Descending);
        Assert.Equal(1, query.Page);
        Assert.Equal(FunctionsQuery.DefaultPageSize, query.PageSize);
        Assert.False(query.Filters);
        Assert.Equal("", query.ToQueryString());
    }

    [Fact]
    public void Parse_EveryParameter_RoundTripsThroughTheQueryString()
    {
        const string text = "q=orders&sort=p99&dir=asc&page=3&size=100&account=111122223333&account=444455556666&region=eu-west-1"
            + "&runtime=%28none%29&arch=arm64&package=Image&owner=checkout&flag=near-timeout&changed=yes&columns=all";

        var (query, error) = Parse(text);

        Assert.Null(error);
        Assert.Equal("orders", query!.Search);
        Assert.Equal(FunctionSort.P99, query.Sort);
        Assert.False(query.Descending);
        Assert.Equal(3, query.Page);
        Assert.Equal(100, query.PageSize);
        Assert.Equal(["111122223333", "444455556666"], query.Values(FunctionFacet.Account));
        Assert.Equal([FunctionsQuery.NoValue], query.Values(FunctionFacet.Runtime));
        Assert.Equal(["near-timeout"], query.Values(FunctionFacet.Flag));
        Assert.Equal([FunctionsQuery.Changed], query.Values(FunctionFacet.Changed));
        Assert.True(query.AllColumnsShown);

        var again = Parse(query.ToQueryString()).Query!;
        Assert.Equal(query.ToQueryString(), again.ToQueryString());
        Assert.Equal(query.Search, again.Search);
        Assert.Equal(query.Sort, again.Sort);
        Assert.Equal(query.Descending, again.Descending);
        Assert.Equal(query.Page, again.Page);
        Assert.Equal(query.PageSize, again.PageSize);
        Assert.Equal(query.AllColumnsShown, again.AllColumnsShown);
        foreach (var facet in Enum.GetValues<FunctionFacet>())
        {
            Assert.Equal(query.Values(facet), again.Values(facet));
        }
    }

    [Fact]
    public void Parse_SortWithoutDirection_FiguresLargestFirstTextAToZ()
    {
        Assert.True(Parse("sort=cost").Query!.Descending);
        Assert.False(Parse("sort=owner").Query!.Descending);
    }

    [Theory]
    [InlineData("page=-1", "page", "\"-1\" is not a page number; pages count from 1.")]
    [InlineData("page=0", "page", "\"0\" is not a page number")]
    [InlineData("page=two", "page", "\"two\" is not a page number")]
    [InlineData("size=13", "size", "\"13\" is not a page size; use 25, 50, 100, 200.")]
    [InlineData("sort=colour", "sort", "\"colour\" is not a column; use one of name, account, region")]
    [InlineData("dir=up", "dir", "\"up\" is not a direction; use asc or desc.")]
    [InlineData("flag=shiny", "flag", "\"shiny\" is not a flag; pick one from the Flag facet.")]
    [InlineData("changed=1", "changed", "\"1\" is not a choice; use yes (changed in the range) or no.")]
    [InlineData("columns=some", "columns", "\"some\" is not a choice of columns; use all")]
    public void Parse_BadValue_NamesTheParameterAndTheProblem(string text, string parameter, string problem)
    {
        var (query, error) = Parse(text, isFlag: token => token == "near-timeout");

        Assert.Null(query);
        Assert.Equal(parameter, error!.Parameter);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.StartsWith(parameter + ": ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Toggle_AddsThenRemovesAValueAndGoesBackToPageOne()
    {
        var query = FunctionsQuery.Default with { Page = 4 };

        var picked = query.Toggle(FunctionFacet.Region, "eu-west-1").Toggle(FunctionFacet.Region, "us-east-1");
        Assert.Equal(["eu-west-1", "us-east-1"], picked.Values(FunctionFacet.Region));
        Assert.Equal(1, picked.Page);

        var unpicked = picked.Toggle(FunctionFacet.Region, "eu-west-1");
        Assert.Equal(["us-east-1"], unpicked.Values(FunctionFacet.Region));
        Assert.Empty(unpicked.Toggle(FunctionFacet.Region, "us-east-1").Values(FunctionFacet.Region));
    }

    [Fact]
    public void SortBy_SameColumnReverses_NewColumnStartsWithItsNaturalOrder()
    {
        var byCost = FunctionsQuery.Default.SortBy(FunctionSort.Cost);
        Assert.Equal(FunctionSort.Cost, byCost.Sort);
        Assert.True(byCost.Descending);
        Assert.False(byCost.SortBy(FunctionSort.Cost).Descending);
        Assert.True(FunctionsQuery.Default.SortBy(FunctionSort.Name).Descending);
    }

    [Fact]
    public void Columns_ConfigurationShownWhenChosenOrSortedBy_HidingDropsTheirSort()
    {
        Assert.False(FunctionsQuery.Default.ShowsConfiguration);
        Assert.True(Parse("columns=all").Query!.ShowsConfiguration);
        // Sorted by a configuration column: it is shown, or the order would be unexplained.
        var byMemory = Parse("sort=memory&page=3").Query!;
        Assert.False(byMemory.AllColumnsShown);
        Assert.True(byMemory.ShowsConfiguration);

        var hidden = byMemory.WithAllColumns(false);
        Assert.False(hidden.ShowsConfiguration);
        Assert.Equal(FunctionsQuery.Default.Sort, hidden.Sort);
        Assert.Equal(1, hidden.Page);
        // A sort by a figure stays when the configuration is hidden.
        var byCost = Parse("sort=cost&page=3&columns=all").Query!.WithAllColumns(false);
        Assert.Equal((FunctionSort.Cost, 3, false), (byCost.Sort, byCost.Page, byCost.ShowsConfiguration));
        Assert.Equal("columns=all", FunctionsQuery.Default.WithAllColumns(true).ToQueryString());
    }

    [Fact]
    public void ToParameters_RemovesDefaultsAndEmptyFacets()
    {
        var parameters = FunctionsQuery.Default.ToParameters();

        Assert.All(parameters.Values, Assert.Null);
        Assert.Contains("flag", parameters.Keys);
        Assert.Contains("page", parameters.Keys);
    }
}
