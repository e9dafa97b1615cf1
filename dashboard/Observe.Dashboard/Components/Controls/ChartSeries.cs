using Observe.Dashboard.Model;

namespace Observe.Dashboard.Components.Controls;

/// <summary>One more series of a <see cref="SeriesChart"/>: its name in the legend and table, its points, its colour (CSS).</summary>
public sealed record ChartSeries(string Label, IReadOnlyList<ChartPoint> Points, string Color);
