using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

public class TimeRangeQueryTests
{
    private static readonly TimeRangeSelection Default = TimeRangeSelection.Last(TimeSpan.FromHours(1));

    [Fact]
    public void Parse_NoParameters_ReturnsFallback()
    {
        var result = TimeRangeQuery.Parse(null, null, null, Default);

        Assert.Same(Default, result.Selection);
        Assert.Null(result.Error);
    }

    [Theory]
    [InlineData("15m", 15)]
    [InlineData("1h", 60)]
    [InlineData("6h", 360)]
    [InlineData("24h", 1440)]
    [InlineData("7d", 10080)]
    [InlineData("3h", 180)]
    [InlineData("90d", 129600)]
    [InlineData("5M", 5)]
    public void Parse_Range_ReturnsRelativeSelection(string range, int minutes)
    {
        var result = TimeRangeQuery.Parse(range, null, null, Default);

        Assert.Null(result.Error);
        Assert.True(result.Selection!.IsRelative);
        Assert.Equal(TimeSpan.FromMinutes(minutes), result.Selection.Length);
    }

    [Theory]
    [InlineData("banana")]
    [InlineData("1 h")]
    [InlineData("-1h")]
    [InlineData("1.5h")]
    [InlineData("1w")]
    public void Parse_UnknownRange_NamesRangeParameterAndValue(string range)
    {
        var error = TimeRangeQuery.Parse(range, null, null, Default).Error;

        Assert.NotNull(error);
        Assert.Equal("range", error.Parameter);
        Assert.Contains($"\"{range}\" is not a time range", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("The time range in the address is not valid. range: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("91d")]
    [InlineData("2161h")]
    [InlineData("99999d")]
    public void Parse_RangeLongerThan90Days_NamesTheMaximum(string range)
    {
        var result = TimeRangeQuery.Parse(range, null, null, Default);

        Assert.Null(result.Selection);
        Assert.Equal("range", result.Error!.Parameter);
        Assert.Contains("longer than the longest range allowed, 90d (Observe:Dashboard:MaxRange)", result.Error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ConfiguredMaximum_BoundsRelativeAndFixedRanges()
    {
        var max = TimeSpan.FromDays(7);

        Assert.NotNull(TimeRangeQuery.Parse("7d", null, null, Default, max).Selection);
        Assert.NotNull(TimeRangeQuery.Parse("168h", null, null, Default, max).Selection);
        Assert.Equal(
            "\"8d\" is longer than the longest range allowed, 7d (Observe:Dashboard:MaxRange). Choose a shorter range.",
            TimeRangeQuery.Parse("8d", null, null, Default, max).Error!.Problem);
        Assert.Equal(
            "the range from 2026-11-01T00:00:00Z to 2026-11-09T00:00:00Z is 8 days long; the longest allowed is 7d (Observe:Dashboard:MaxRange). Choose a shorter range.",
            TimeRangeQuery.Parse(null, "2026-11-01T00:00:00Z", "2026-11-09T00:00:00Z", Default, max).Error!.Problem);
        Assert.Contains("from 5m up to 7d", TimeRangeQuery.Parse("banana", null, null, Default, max).Error!.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseUri_ConfiguredMaximum_Applies() =>
        Assert.Equal("range", TimeRangeQuery.ParseUri("http://localhost/?range=2d", Default, TimeSpan.FromDays(1)).Error!.Parameter);

    [Theory]
    [InlineData("0m")]
    [InlineData("1m")]
    [InlineData("4m")]
    public void Parse_RangeShorterThanFiveMinutes_IsAnErrorSayingWhy(string range)
    {
        var error = TimeRangeQuery.Parse(range, null, null, Default).Error;

        Assert.Equal("range", error!.Parameter);
        Assert.Contains("shortest range is 5m, because figures are counted in whole minutes and the minute in progress is still filling up", error.Problem, StringComparison.Ordinal);
        Assert.NotNull(TimeRangeQuery.Parse("5m", null, null, Default).Selection);
    }

    [Fact]
    public void Parse_FromAndTo_ReturnsFixedUtcRange()
    {
        var result = TimeRangeQuery.Parse(null, "2026-11-22T04:00:00Z", "2026-11-22T05:30:00Z", Default);

        var selection = result.Selection!;
        Assert.False(selection.IsRelative);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero), selection.From);
        Assert.Equal(TimeSpan.FromMinutes(90), selection.Length);
        Assert.Equal(TimeSpan.Zero, selection.From!.Value.Offset);
    }

    [Fact]
    public void Parse_OffsetWhosePlusBecameASpace_IsReadAsTheOffset()
    {
        // An unencoded '+' in a query string is decoded as a space.
        var result = TimeRangeQuery.Parse(null, "2026-11-22T05:00:00 01:00", "2026-11-22T06:00:00Z", Default);

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero), result.Selection!.From);
    }

    [Fact]
    public void Parse_DateOnly_IsMidnightUtc()
    {
        var result = TimeRangeQuery.Parse(null, "2026-11-20", "2026-11-21", Default);

        Assert.Equal(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), result.Selection!.From);
        Assert.Equal(TimeSpan.FromDays(1), result.Selection.Length);
    }

    [Fact]
    public void Parse_FromAfterTo_NamesFrom()
    {
        var error = TimeRangeQuery.Parse(null, "2026-11-22T06:00:00Z", "2026-11-22T05:00:00Z", Default).Error;

        Assert.Equal("from", error!.Parameter);
        Assert.Equal("2026-11-22T06:00:00Z is after to (2026-11-22T05:00:00Z).", error.Problem);
    }

    [Fact]
    public void Parse_FromEqualsTo_IsAnError()
    {
        var error = TimeRangeQuery.Parse(null, "2026-11-22T06:00:00Z", "2026-11-22T06:00:00Z", Default).Error;

        Assert.Equal("to", error!.Parameter);
        Assert.Contains("shortest range is 5 minutes", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("yesterday", "2026-11-22T05:00:00Z", "from")]
    [InlineData("2026-11-22T05:00:00Z", "2026-13-40T00:00:00Z", "to")]
    [InlineData("22/11/2026 05:00", "2026-11-22T06:00:00Z", "from")]
    public void Parse_UnparsableInstant_NamesTheParameterAndValue(string from, string to, string parameter)
    {
        var error = TimeRangeQuery.Parse(null, from, to, Default).Error;

        Assert.Equal(parameter, error!.Parameter);
        var value = parameter == "from" ? from : to;
        Assert.Contains($"\"{value}\" is not a date and time", error.Problem, StringComparison.Ordinal);
        Assert.Contains("ISO 8601", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FromWithoutTo_NamesTo()
    {
        var error = TimeRangeQuery.Parse(null, "2026-11-22T05:00:00Z", null, Default).Error;

        Assert.Equal("to", error!.Parameter);
        Assert.StartsWith("missing", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ToWithoutFrom_NamesFrom()
    {
        Assert.Equal("from", TimeRangeQuery.Parse(null, null, "2026-11-22T05:00:00Z", Default).Error!.Parameter);
    }

    [Fact]
    public void Parse_RangeAndFromTogether_IsAnError()
    {
        var error = TimeRangeQuery.Parse("1h", "2026-11-22T05:00:00Z", "2026-11-22T06:00:00Z", Default).Error;

        Assert.Equal("range", error!.Parameter);
        Assert.Contains("cannot be combined with from/to", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FixedRangeLongerThan90Days_IsAnError()
    {
        var error = TimeRangeQuery.Parse(null, "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z", Default).Error;

        Assert.Equal("from", error!.Parameter);
        Assert.Contains("151 days long; the longest allowed is 90d (Observe:Dashboard:MaxRange)", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost/", null)]
    [InlineData("http://localhost/?range=6h&other=1", "6h")]
    [InlineData("http://localhost/?range=banana", "error:range")]
    [InlineData("http://localhost/?from=2026-11-22T04%3A00%3A00%2B01%3A00&to=2026-11-22T05%3A00%3A00Z", "2h")]
    public void ParseUri_ReadsTheTimeRangeParameters(string uri, string? expected)
    {
        var result = TimeRangeQuery.ParseUri(uri, Default);

        switch (expected)
        {
            case null:
                Assert.Same(Default, result.Selection);
                break;
            case "error:range":
                Assert.Equal("range", result.Error!.Parameter);
                break;
            default:
                Assert.Equal(expected, TimeRangeQuery.FormatToken(result.Selection!.Length));
                break;
        }
    }

    [Fact]
    public void Resolve_Relative_EndsAtNowAndSlides()
    {
        var selection = TimeRangeSelection.Last(TimeSpan.FromHours(1));
        var now = new DateTimeOffset(2026, 11, 22, 5, 0, 0, TimeSpan.Zero);

        Assert.Equal(new TimeRange(now.AddHours(-1), now), selection.Resolve(now));
        Assert.Equal(new TimeRange(now.AddHours(-1).AddMinutes(5), now.AddMinutes(5)), selection.Resolve(now.AddMinutes(5)));
    }

    [Fact]
    public void Resolve_Fixed_IgnoresNow()
    {
        var from = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        var selection = TimeRangeSelection.Between(from, from.AddHours(2));

        Assert.Equal(new TimeRange(from, from.AddHours(2)), selection.Resolve(DateTimeOffset.UtcNow));
    }

    [Fact]
    public void ToQuery_Relative_SetsRangeAndClearsFromTo()
    {
        var query = TimeRangeSelection.Last(TimeSpan.FromHours(6)).ToQuery();

        Assert.Equal("6h", query["range"]);
        Assert.Null(query["from"]);
        Assert.Null(query["to"]);
    }

    [Fact]
    public void ToQuery_Fixed_RoundTripsThroughParse()
    {
        var from = new DateTimeOffset(2026, 11, 20, 1, 2, 3, TimeSpan.Zero);
        var selection = TimeRangeSelection.Between(from, from.AddHours(3));
        var query = selection.ToQuery();

        var parsed = TimeRangeQuery.Parse((string?)query["range"], (string?)query["from"], (string?)query["to"], null);

        Assert.Equal(selection, parsed.Selection);
    }

    [Theory]
    [InlineData(15, "15m")]
    [InlineData(90, "90m")]
    [InlineData(120, "2h")]
    [InlineData(1440, "1d")]
    [InlineData(2880, "2d")]
    public void FormatToken_UsesTheLargestWholeUnit(int minutes, string expected) =>
        Assert.Equal(expected, TimeRangeQuery.FormatToken(TimeSpan.FromMinutes(minutes)));

    [Fact]
    public void Describe_ReadsForPeople()
    {
        Assert.Equal("Last 1 hour", TimeRangeSelection.Last(TimeSpan.FromHours(1)).Describe());
        Assert.Equal("Last 15 minutes", TimeRangeSelection.Last(TimeSpan.FromMinutes(15)).Describe());
        Assert.Equal("Last 7 days", TimeRangeSelection.Last(TimeSpan.FromDays(7)).Describe());
        var from = new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);
        Assert.Equal("2026-11-22 04:00 – 05:30 UTC", TimeRangeSelection.Between(from, from.AddMinutes(90)).Describe());
        Assert.Equal("2026-11-22 04:00 – 2026-11-23 04:00 UTC", TimeRangeSelection.Between(from, from.AddDays(1)).Describe());
    }
}
