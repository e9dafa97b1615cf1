using System.Globalization;
using Microsoft.AspNetCore.Components;
using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// The Traces list: one search (function, duration, status, trace id) over the range, its duration scatter and a page
/// of results, sorted and paged by the server. The search lives in the address (<see cref="TracesAddress"/>); the
/// route component makes a new view per search, so this one only follows its range.
/// </summary>
public sealed partial class TracesView : LivePage<TracesViewModel>
{
    private static readonly (TraceStatuses Status, string Label)[] StatusLabels =
        [(TraceStatuses.Ok, "ok"), (TraceStatuses.Error, "error"), (TraceStatuses.Fault, "fault"), (TraceStatuses.Throttle, "throttle")];

    private string? _function;
    private string? _account;
    private string? _region;
    private string? _min;
    private string? _max;
    private string? _traceId;

    /// <summary>The search this view shows. Required.</summary>
    [Parameter, EditorRequired]
    public required TracesAddress Address { get; set; }

    protected override void OnInitialized()
    {
        if (Data is not TracesData data)
        {
            throw new InvalidOperationException($"the Traces page needs {nameof(TracesData)} as its query");
        }

        data.Address = Address;
        data.ReadScatter = RendererInfo.IsInteractive;
        _function = Address.Function;
        _account = Address.Account;
        _region = Address.Region;
        _min = Address.MinDurationMs?.ToString(CultureInfo.InvariantCulture);
        _max = Address.MaxDurationMs?.ToString(CultureInfo.InvariantCulture);
        _traceId = Address.TraceId;
        base.OnInitialized();
    }

    private string RowsText
    {
        get
        {
            var model = Model!;
            var first = (Address.Page - 1) * TracesAddress.PageSize + 1;
            return model.Rows.Count == 0
                ? $"No traces on page {Address.Page}"
                : $"Traces {first:#,0} to {first + model.Rows.Count - 1:#,0}{(model.HasMore ? ", more on the next page" : ", the last of the search")}";
        }
    }

    private string SortText => Address.Sort switch
    {
        TraceSort.Oldest => "oldest first",
        TraceSort.Slowest => "slowest first",
        TraceSort.Fastest => "fastest first",
        _ => "newest first",
    };

    private string FilterText
    {
        get
        {
            var a = Address;
            var parts = new List<string>();
            if (a.Function is not null)
            {
                parts.Add($"function \"{a.Function}\"");
            }

            if (a.Account is not null)
            {
                parts.Add($"account {a.Account}");
            }

            if (a.Region is not null)
            {
                parts.Add($"region {a.Region}");
            }

            if (a.MinDurationMs is { } min)
            {
                parts.Add($"at least {TraceWaterfall.FormatMs(min)}");
            }

            if (a.MaxDurationMs is { } max)
            {
                parts.Add($"at most {TraceWaterfall.FormatMs(max)}");
            }

            if (a.Statuses != TraceStatuses.None)
            {
                parts.Add("status " + string.Join(" or ", StatusLabels.Where(s => a.Statuses.HasFlag(s.Status)).Select(s => s.Label)));
            }

            if (a.TraceId is not null)
            {
                parts.Add($"trace id {a.TraceId}");
            }

            return string.Join(", ", parts);
        }
    }

    private string? AriaSort(TraceSort descending, TraceSort ascending) =>
        Address.Sort == descending ? "descending" : Address.Sort == ascending ? "ascending" : null;

    private string Arrow(TraceSort descending, TraceSort ascending) =>
        Address.Sort == descending ? " ↓" : Address.Sort == ascending ? " ↑" : "";

    private string FunctionUri(FunctionKey function) => Address.With(new TracesAddress
    {
        Function = function.Name,
        Account = function.AccountId,
        Region = function.Region,
        MinDurationMs = Address.MinDurationMs,
        MaxDurationMs = Address.MaxDurationMs,
        Statuses = Address.Statuses,
        Sort = Address.Sort,
    });

    /// <summary>The form's fields into the address, as typed: what cannot be read is named by the address's error.</summary>
    private void Search()
    {
        var pairs = new List<KeyValuePair<string, string?>>
        {
            new(TracesAddress.FunctionParameter, _function),
            new(TracesAddress.AccountParameter, _account),
            new(TracesAddress.RegionParameter, _region),
            new(TracesAddress.MinParameter, _min),
            new(TracesAddress.MaxParameter, _max),
            new(TracesAddress.IdParameter, _traceId),
        };
        var query = pairs.Where(p => !string.IsNullOrWhiteSpace(p.Value)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!.Trim())}")
            .Concat(Enum.GetValues<TraceStatuses>().Where(s => s != TraceStatuses.None && Address.Statuses.HasFlag(s)).Select(s => $"{TracesAddress.StatusParameter}={TracesAddress.StatusToken(s)}"))
            .Concat(Address.Sort == TraceSort.Newest ? [] : [$"{TracesAddress.SortParameter}={TracesAddress.SortToken(Address.Sort)}"])
            .Concat(Address.Range.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"))
            .ToList();
        Navigation.NavigateTo(query.Count == 0 ? TracesAddress.Path : $"{TracesAddress.Path}?{string.Join('&', query)}");
    }
}
