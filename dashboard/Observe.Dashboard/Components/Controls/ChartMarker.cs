using Microsoft.AspNetCore.Components;

namespace Observe.Dashboard.Components.Controls;

/// <summary>
/// An event on a <see cref="SeriesChart"/>'s time axis (a deploy): a vertical line with a target that shows
/// <see cref="Detail"/> (or <see cref="Label"/>) on hover and on keyboard focus.
/// </summary>
/// <param name="Time">When, UTC.</param>
/// <param name="Label">What happened, for people, in words: the target's accessible name.</param>
/// <param name="Detail">The same shown on hover or focus, laid out; null shows <see cref="Label"/>.</param>
public sealed record ChartMarker(DateTime Time, string Label, RenderFragment? Detail = null);
