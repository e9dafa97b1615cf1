using Microsoft.AspNetCore.Components;
using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// Error groups by fingerprint across the fleet for the address's filters and order (<see cref="ErrorsAddress"/>):
/// count and trend over the range, status, the latest sample. One instance per filter set (the shell keys it).
/// </summary>
public sealed partial class ErrorsList : LivePage<ErrorsViewModel>
{
    private static readonly (ErrorSort Sort, string Word)[] Sorts =
        [(ErrorSort.Count, "Count"), (ErrorSort.LastSeen, "Last seen"), (ErrorSort.FirstSeen, "First seen")];

    /// <summary>The page's address. Required.</summary>
    [Parameter, EditorRequired]
    public required ErrorsAddress Address { get; set; }

    // Samples (stack traces) drawn only for the rows opened: drawn for every row they were most of the page's weight.
    private readonly HashSet<string> _openSamples = new(StringComparer.Ordinal);

    private string Slice => Model is null ? "" : $"per {Describe(ErrorsFormat.SparklineBucket(Model.Range.Length, ErrorsData.TrendBuckets))}";

    private string EmptyText
    {
        get
        {
            var collector = Model!.Collector;
            var range = Selection?.Describe().ToLowerInvariant() ?? "range";
            if (collector.Targets == 0)
            {
                return $"No errors in the {range}, and the logs collector has not run against this store: it finds errors in the functions' " +
                       "log groups. It runs with the collectors (in the dashboard or in the worker) for every configured account and region (Observe:Aws:Accounts).";
            }

            if (collector.Succeeded == 0)
            {
                return $"No errors yet: the logs collector has not completed a pass; its latest pass failed on {collector.Failing} of {collector.Targets} account and region pairs.";
            }

            var failing = collector.Failing > 0 ? $" Its latest pass failed on {collector.Failing} of them, so errors there may be missing." : "";
            return $"No errors in the {range} in the {collector.Targets} account and region pairs the logs collector reads. Pick a longer range to see older ones.{failing}";
        }
    }

    private string CountText
    {
        get
        {
            var m = Model!;
            var range = Selection?.Describe().ToLowerInvariant() ?? "range";
            if (m.Page == 1 && !m.HasMore)
            {
                return $"{m.Rows.Count} error{(m.Rows.Count == 1 ? "" : "s")} with occurrences in the {range}.";
            }

            var last = m.FirstRow + m.Rows.Count - 1;
            return $"Errors {m.FirstRow}–{last} with occurrences in the {range}, in this order{(m.HasMore ? "; more on the next page" : "")}.";
        }
    }

    private string FilterText => string.Join(", ", Filters().Select(f => f.Description));

    private IEnumerable<(string Label, string Uri)> FilterClears => Filters().Select(f => (f.Label, f.Uri));

    protected override void OnInitialized()
    {
        // The source is this page's own (transient): it must know the filters before the base class's first load.
        if (Data is not ErrorsData data)
        {
            throw new InvalidOperationException($"the Errors page needs {nameof(ErrorsData)} as its query");
        }

        data.Address = Address;
        data.ReadTrends = RendererInfo.IsInteractive;
        base.OnInitialized();
    }

    private IEnumerable<(string Label, string Description, string Uri)> Filters()
    {
        var a = Address;
        if (a.Search.Length > 0)
        {
            yield return ("search", $"the search \"{a.Search}\"", a.With(ErrorsAddress.SearchParameter, null));
        }

        if (a.FunctionName is { } function)
        {
            yield return ("function", $"function {function}", a.With(ErrorsAddress.FunctionParameter, null));
        }

        if (a.Status is { } status)
        {
            yield return ("status", $"status {ErrorsFormat.StatusWord(status)}", a.With(ErrorsAddress.StatusParameter, null));
        }

        if (a.Account is { } account)
        {
            yield return ("account", $"account {account}", a.With(ErrorsAddress.AccountParameter, null));
        }

        if (a.Region is { } region)
        {
            yield return ("region", $"region {region}", a.With(ErrorsAddress.RegionParameter, null));
        }
    }

    private void ToggleSample(string fingerprint)
    {
        if (!_openSamples.Remove(fingerprint))
        {
            _openSamples.Add(fingerprint);
        }
    }

    private Task Replace(string parameter, string? text)
    {
        Navigation.ReplaceWith(Address.With(parameter, text));
        return Task.CompletedTask;
    }

    private static string Date(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static string Clock(DateTimeOffset t) => t.UtcDateTime.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    private static string Pill(bool selected) => selected ? "facet-value selected" : "facet-value";

    private static string Pressed(bool selected) => selected ? "true" : "false";

    private static string Describe(TimeSpan bucket) => bucket.TotalMinutes switch
    {
        < 60 => $"{bucket.TotalMinutes:0} min",
        < 1440 when bucket.TotalMinutes % 60 == 0 => $"{bucket.TotalHours:0} h",
        < 1440 => $"{bucket.TotalMinutes:0} min",
        _ => $"{bucket.TotalHours:0} h",
    };
}
