namespace Observe.Dashboard.Components.Controls;

/// <summary>An event on a <see cref="SeriesChart"/>'s time axis (a deploy): a vertical line whose tooltip is <see cref="Label"/>.</summary>
/// <param name="Time">When, UTC.</param>
/// <param name="Label">What happened, for people.</param>
public sealed record ChartMarker(DateTime Time, string Label);
