using Bunit;
using Observe.Dashboard.Components.Controls;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Tests.Components;

/// <summary>Issue 9, defect 4: the chart spans the chosen range and labels small counts as whole numbers.</summary>
public class SeriesChartTests : MudContext
{
    private static readonly DateTime From = new(2026, 11, 22, 11, 30, 0, DateTimeKind.Utc);
    private static readonly DateTime To = From.AddHours(1);

    public SeriesChartTests()
    {
    }

    [Fact]
    public void Chart_OneNonZeroMinute_AxisSpansTheRangeWithWholeCountLabels()
    {
        var points = Enumerable.Range(0, 60)
            .Select(m => new ChartPoint(From.AddMinutes(m), m == 30 ? 1 : 0, Partial: m == 59))
            .ToList();

        var chart = Render(points);

        var values = Labels(chart, "chart-y-axis");
        Assert.Equal(values.Distinct().ToList(), values);
        Assert.Equal(["0", "1"], values);
        var times = Labels(chart, "chart-x-axis");
        Assert.Equal(["11:30", "11:45", "12:00", "12:15", "12:30"], times);
    }

    [Fact]
    public void Chart_OnlyAPartialBucketKnown_DrawsItInsteadOfNoData()
    {
        var points = Enumerable.Range(0, 4)
            .Select(i => new ChartPoint(From.AddMinutes(15 * i), i == 3 ? 3 : null, Partial: i == 3))
            .ToList();

        var chart = Render(points);

        Assert.Empty(chart.FindAll(".empty"));
        Assert.NotEmpty(chart.FindAll("svg"));
        Assert.Equal(["0", "1", "2", "3"], Labels(chart, "chart-y-axis"));
    }

    [Fact]
    public void Chart_SevenDaysWithDataOnlyInTheLastHours_AxisAndPlotSpanTheWholeRange()
    {
        var from = new DateTime(2026, 11, 15, 12, 0, 0, DateTimeKind.Utc);
        var to = from.AddDays(7);
        // Hourly buckets; the first 166 unknown (nothing collected), the last two known.
        var points = Enumerable.Range(0, 168).Select(h => new ChartPoint(from.AddHours(h), h >= 166 ? 10 : null)).ToList();

        var chart = Render<SeriesChart>(p => p
            .Add(c => c.Id, "invocations").Add(c => c.Title, "Invocations").Add(c => c.Points, points)
            .Add(c => c.From, from).Add(c => c.To, to).Add(c => c.Bucket, TimeSpan.FromHours(1)));

        var times = Labels(chart, "chart-x-axis");
        Assert.Equal("15 Nov 12:00", times[0]);
        Assert.Equal("22 Nov 12:00", times[^1]);
        // The known hours are drawn at the right end of the plot, not stretched across it.
        var line = chart.Find(".line").GetAttribute("d")!;
        Assert.StartsWith("M98.81,", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_NothingKnown_SaysNoData()
    {
        var chart = Render([new ChartPoint(From, null), new ChartPoint(From.AddMinutes(1), null)]);

        Assert.Equal("No data in this range.", chart.Find(".empty").TextContent);
    }

    [Fact]
    public void Chart_TableButton_BuildsTheFiguresTableOnlyWhenPressed()
    {
        var chart = Render([new ChartPoint(From, 3), new ChartPoint(From.AddMinutes(1), null), new ChartPoint(From.AddMinutes(2), 1234.5, Partial: true)]);
        var toggle = chart.Find("button.chart-table-toggle");
        Assert.Equal("false", toggle.GetAttribute("aria-expanded"));
        Assert.Empty(chart.FindAll(".chart-table table"));
        Assert.Contains("the button below the chart shows its figures as a table", chart.Find("svg").GetAttribute("aria-label"), StringComparison.Ordinal);

        toggle.Click();

        toggle = chart.Find("button.chart-table-toggle");
        Assert.Equal("true", toggle.GetAttribute("aria-expanded"));
        Assert.Equal(chart.Find(".chart-table table").Id, toggle.GetAttribute("aria-controls"));
        var rows = chart.FindAll(".chart-table tbody tr").Select(r => r.Children.Select(c => c.TextContent).ToList()).ToList();
        Assert.Equal([["2026-11-22 11:30", "3"], ["2026-11-22 11:31", "unknown"], ["2026-11-22 11:32 (partial)", "1,234.5"]], rows);

        toggle.Click();

        Assert.Empty(chart.FindAll(".chart-table table"));
        Assert.Equal("false", chart.Find("button.chart-table-toggle").GetAttribute("aria-expanded"));
    }

    [Fact]
    public void Chart_PointerEntersThePlot_OneHoverTargetPerBucketWithItsExactFigure()
    {
        var chart = Render([new ChartPoint(From, 3), new ChartPoint(From.AddMinutes(1), null), new ChartPoint(From.AddMinutes(2), 1234.5, Partial: true)]);
        Assert.Empty(chart.FindAll("rect.hover"));

        chart.Find(".chart-plot").PointerEnter();

        var titles = chart.FindAll("rect.hover title").Select(t => t.TextContent).ToList();
        Assert.Equal(
            ["3 invocations, 2026-11-22 11:30 UTC", "Invocations: unknown (nothing was collected), 2026-11-22 11:31 UTC", "1,234.5 invocations, 2026-11-22 11:32 UTC, partial bucket"],
            titles);
        // Each target spans its bucket, the last one to the range's end.
        Assert.Equal(["0", "1.667", "3.333"], chart.FindAll("rect.hover").Select(r => r.GetAttribute("x")!).ToList());
        Assert.Equal("96.667", chart.FindAll("rect.hover")[2].GetAttribute("width"));
    }

    private IRenderedComponent<SeriesChart> Render(IReadOnlyList<ChartPoint> points) =>
        Render<SeriesChart>(p => p
            .Add(c => c.Id, "invocations")
            .Add(c => c.Title, "Invocations")
            .Add(c => c.Points, points)
            .Add(c => c.From, From)
            .Add(c => c.To, To));

    private static List<string> Labels(IRenderedComponent<SeriesChart> chart, string axisClass)
    {
        return chart.FindAll($".{axisClass} .tick").Select(t => t.TextContent.Trim()).Where(t => t.Length > 0).ToList();
    }
}
