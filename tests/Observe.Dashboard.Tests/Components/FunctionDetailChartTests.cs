using Bunit;
using Observe.Dashboard.Components.Controls;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Tests.Components;

/// <summary>What the Function detail page adds to <see cref="SeriesChart"/>: overlay series and a reference line.</summary>
public sealed class FunctionDetailChartTests : MudContext
{
    private static readonly DateTime From = new(2026, 11, 22, 11, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Chart_ReferenceAboveTheData_AxisReachesItAndTheLegendNamesIt()
    {
        var points = Enumerable.Range(0, 10).Select(m => new ChartPoint(From.AddMinutes(m), 1200)).ToList();

        var chart = Render<SeriesChart>(p => p
            .Add(c => c.Id, "duration").Add(c => c.Title, "Duration (ms)").Add(c => c.Points, points)
            .Add(c => c.From, From).Add(c => c.To, From.AddMinutes(10))
            .Add(c => c.Reference, 3000d).Add(c => c.ReferenceLabel, "Timeout (ms)"));

        var top = chart.FindAll(".chart-y-axis .tick").Select(t => t.TextContent.Trim()).Last();
        Assert.Equal("3,000", top);
        // The reference is the axis's top: y = 0 in the plot's coordinates.
        Assert.Equal("0", chart.Find("line.reference").GetAttribute("y1"));
        Assert.Equal("Timeout (ms): 3,000", chart.Find(".legend-reference").TextContent);
    }

    [Fact]
    public void Chart_ReferenceFarAboveTheData_KeepsTheDataReadableAndSaysSo()
    {
        var points = Enumerable.Range(0, 10).Select(m => new ChartPoint(From.AddMinutes(m), 120)).ToList();

        var chart = Render<SeriesChart>(p => p
            .Add(c => c.Id, "duration").Add(c => c.Title, "Duration (ms)").Add(c => c.Points, points)
            .Add(c => c.From, From).Add(c => c.To, From.AddMinutes(10))
            .Add(c => c.Reference, 300_000d).Add(c => c.ReferenceLabel, "Timeout (ms)"));

        Assert.Equal("150", chart.FindAll(".chart-y-axis .tick").Select(t => t.TextContent.Trim()).Last());
        Assert.Empty(chart.FindAll("line.reference"));
        Assert.Equal("Timeout (ms): 300,000, above the chart", chart.Find(".legend-reference").TextContent);
    }

    [Fact]
    public void Chart_Overlays_DrawnAsLinesWithTheirOwnTableColumns()
    {
        var p50 = new[] { new ChartPoint(From, 10), new ChartPoint(From.AddMinutes(1), 12), new ChartPoint(From.AddMinutes(2), null) };
        var p99 = new[] { new ChartPoint(From, 80), new ChartPoint(From.AddMinutes(1), 95), new ChartPoint(From.AddMinutes(2), null) };

        var chart = Render<SeriesChart>(p => p
            .Add(c => c.Id, "duration").Add(c => c.Title, "Duration (ms)").Add(c => c.Label, "p50").Add(c => c.Points, p50)
            .Add(c => c.From, From).Add(c => c.To, From.AddMinutes(3))
            .Add(c => c.Overlays, [new ChartSeries("p99", p99, "red")]));

        Assert.Equal(["p50", "p99"], chart.FindAll("g[data-series]").Select(g => g.GetAttribute("data-series")!).ToList());
        // Only the first series is filled.
        Assert.Single(chart.FindAll(".area"));
        chart.Find(".chart-table-toggle").Click();
        Assert.Equal(["Bucket (UTC)", "p50", "p99"], chart.FindAll(".chart-table th").Select(t => t.TextContent).ToList());
        var rows = chart.FindAll(".chart-table tbody tr").Select(r => r.Children.Skip(1).Select(c => c.TextContent).ToList()).ToList();
        Assert.Equal([["10", "80"], ["12", "95"], ["unknown", "unknown"]], rows);
        Assert.Equal("100", chart.FindAll(".chart-y-axis .tick").Last().TextContent.Trim());
    }

    [Fact]
    public void Chart_WithoutOverlaysOrReference_HasNoLegend()
    {
        var chart = Render<SeriesChart>(p => p
            .Add(c => c.Id, "invocations").Add(c => c.Title, "Invocations").Add(c => c.Points, [new ChartPoint(From, 1), new ChartPoint(From.AddMinutes(1), 2)])
            .Add(c => c.From, From).Add(c => c.To, From.AddMinutes(2)));

        Assert.Empty(chart.FindAll(".chart-legend"));
        Assert.Empty(chart.FindAll("line.reference"));
        chart.Find(".chart-table-toggle").Click();
        Assert.Equal(["Bucket (UTC)", "Invocations"], chart.FindAll(".chart-table th").Select(t => t.TextContent).ToList());
    }
}
