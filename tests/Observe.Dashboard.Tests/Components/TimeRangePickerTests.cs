using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Observe.Dashboard.Components.Controls;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Tests.Components;

public class TimeRangePickerTests : MudContext
{
    public TimeRangePickerTests()
    {
        Services.AddSingleton(TimeProvider.System);
    }

    [Theory]
    [InlineData("15m", "15m")]
    [InlineData("24h", "24h")]
    [InlineData("1d", "24h")]
    [InlineData("168h", "7d")]
    public void Picker_PresetLength_HighlightsThePresetHoweverTheUrlSpellsIt(string range, string preset)
    {
        var picker = Render(TimeRangeQuery.Parse(range, null, null, null).Selection);

        Assert.Equal(preset, Selected(picker));
        Assert.Empty(picker.FindAll("[data-testid=range-description]"));
    }

    [Fact]
    public void Picker_RangeThatIsNoPreset_IsDescribed()
    {
        var picker = Render(TimeRangeSelection.Last(TimeSpan.FromHours(3)));

        Assert.Null(Selected(picker));
        Assert.Equal("Last 3 hours", picker.Find("[data-testid=range-description]").TextContent);
    }

    [Fact]
    public void Picker_FixedRange_HighlightsCustomAndShowsTheBounds()
    {
        var from = new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);
        var picker = Render(TimeRangeSelection.Between(from, from.AddHours(1)));

        Assert.Equal("custom", Selected(picker));
        Assert.Equal("2026-11-22 04:00 – 05:00 UTC", picker.Find("[data-testid=range-description]").TextContent);
    }

    [Fact]
    public void Picker_PresetClicked_RaisesTheSelection()
    {
        TimeRangeSelection? picked = null;
        var picker = Render<TimeRangePicker>(p => p
            .Add(c => c.Selection, TimeRangeSelection.Last(TimeSpan.FromHours(1), "1h"))
            .Add(c => c.SelectionChanged, s => picked = s));

        picker.Find("[data-range='6h']").Click();

        Assert.Equal(TimeRangeSelection.Last(TimeSpan.FromHours(6), "6h"), picked);
    }

    [Fact]
    public void Picker_CustomClicked_OffersBoundsPrefilledFromTheCurrentRange()
    {
        TimeRangeSelection? picked = null;
        var picker = Render<TimeRangePicker>(p => p
            .Add(c => c.Selection, TimeRangeSelection.Last(TimeSpan.FromHours(1), "1h"))
            .Add(c => c.SelectionChanged, s => picked = s));

        picker.Find("[data-range='custom']").Click();
        picker.Find("[data-testid=custom-apply]").Click();

        // Applying the prefilled bounds gives the hour that was on screen, now fixed.
        Assert.NotNull(picked);
        Assert.False(picked.IsRelative);
        Assert.Equal(TimeSpan.FromHours(1), picked.Length);
    }

    private IRenderedComponent<TimeRangePicker> Render(TimeRangeSelection? selection) =>
        Render<TimeRangePicker>(p => p.Add(c => c.Selection, selection));

    private static string? Selected(IRenderedComponent<TimeRangePicker> picker) =>
        picker.FindAll("[data-range].range-selected").SingleOrDefault()?.GetAttribute("data-range");
}
