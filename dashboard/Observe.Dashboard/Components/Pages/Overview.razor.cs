using Observe.Dashboard.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>Fleet totals and series for the chosen range, kept live by store change notifications.</summary>
public sealed partial class Overview : LivePage<OverviewViewModel>
{
    private DateTime ChartFrom => Model!.Range.From.UtcDateTime;

    private DateTime ChartTo => Model!.Range.To.UtcDateTime;

    private string BucketText => Model is null ? "" : TimeRangeSelection.Last(Model.Bucket).Describe()["Last ".Length..];
}
