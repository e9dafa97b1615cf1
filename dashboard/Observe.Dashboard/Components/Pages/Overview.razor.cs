using Observe.Dashboard.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>Fleet totals and series for the chosen range, kept live by store change notifications.</summary>
public sealed partial class Overview : LivePage<OverviewViewModel>
{
    private DateTime ChartFrom => Model!.Range.From.UtcDateTime;

    private DateTime ChartTo => Model!.Range.To.UtcDateTime;

    /// <summary>A figure's link at the range in the address, so the page it opens explains the same range.</summary>
    private string? WithRange(string? href)
    {
        if (href is null)
        {
            return null;
        }

        var kept = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query)
            .Where(p => p.Key is TimeRangeQuery.RangeParameter or TimeRangeQuery.FromParameter or TimeRangeQuery.ToParameter)
            .SelectMany(p => p.Value.Select(v => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(v ?? "")}"))
            .ToList();
        return kept.Count == 0 ? href : href + (href.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Join('&', kept);
    }

    private string BucketText => Model is null ? "" : TimeRangeSelection.Last(Model.Bucket).Describe()["Last ".Length..];
}
