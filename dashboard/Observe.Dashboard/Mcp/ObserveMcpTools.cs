using System.ComponentModel;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Mcp;

/// <summary>
/// The read-only tools the MCP endpoint offers an on-call engineer's assistant. Each reads through the query the
/// matching page uses (its <see cref="ILiveData{TModel}"/>, or the Functions grid's shared snapshot), so an answer has
/// the page's figures, and links to that page.
/// </summary>
[McpServerToolType]
internal sealed class ObserveMcpTools(
    FunctionsSnapshots functions,
    ILiveData<ErrorsViewModel> errors,
    ILiveData<TraceViewModel> traces,
    ILiveData<AlertsViewModel> alerts,
    ILiveData<AlarmsViewModel> alarms,
    DashboardLinks links,
    TimeProvider time,
    IOptions<DashboardOptions> options)
{
    /// <summary>Most items one answer lists; an assistant's context is small, and the link shows the rest.</summary>
    public const int MaxItems = 100;

    private const string RangeHelp = "The range ending now, as on the dashboard: 15m, 1h, 6h, 24h, 7d, 30d. Default: the dashboard's default range.";
    private const string FromHelp = "Instead of range, a fixed range's start (UTC, such as 2026-12-04T09:00:00Z); give to with it.";
    private const string ToHelp = "The fixed range's end (UTC); give from with it.";

    [McpServerTool(Name = "flagged_functions", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("The Lambda functions with flags raised over the range (deprecated runtime, error rate, near timeout, throttles, cold starts, ...), worst first, with their figures and a link to each function's page.")]
    public async Task<McpFlaggedFunctions> FlaggedFunctionsAsync(
        [Description(RangeHelp)] string? range = null,
        [Description(FromHelp)] string? from = null,
        [Description(ToHelp)] string? to = null,
        [Description("Most functions listed (1 to 100). Default 25.")] int limit = 25,
        CancellationToken cancellationToken = default)
    {
        var (selection, resolved) = Range(range, from, to);
        var snapshot = await functions.GetAsync(resolved, selection.IsRelative, cancellationToken);
        var flagged = snapshot.Sorted(FunctionSort.Flags, descending: true).Where(r => r.Flags.Count > 0).ToList();
        var query = new FunctionsQuery { Sort = FunctionSort.Flags, Descending = true };
        return new McpFlaggedFunctions(
            selection.Describe(),
            snapshot.Rows.Count,
            flagged.Count,
            [.. flagged.Take(Limit(limit)).Select(r => Function(r, selection))],
            links.To(FunctionsPage(query), selection));
    }

    [McpServerTool(Name = "function_summary", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("One Lambda function's configuration, figures over the range (invocations, error rate, p99, cold-start rate, estimated monthly cost) and flags, with links to its page and its errors.")]
    public async Task<McpFunctionSummary> FunctionSummaryAsync(
        [Description("The function's name.")] string name,
        [Description("The AWS account id; needed only when several accounts have a function of that name.")] string? account = null,
        [Description("The AWS region; needed only when several regions have a function of that name.")] string? region = null,
        [Description(RangeHelp)] string? range = null,
        [Description(FromHelp)] string? from = null,
        [Description(ToHelp)] string? to = null,
        CancellationToken cancellationToken = default)
    {
        var (selection, resolved) = Range(range, from, to);
        var snapshot = await functions.GetAsync(resolved, selection.IsRelative, cancellationToken);
        var matches = snapshot.Rows
            .Where(r => string.Equals(r.Function.Key.Name, name, StringComparison.Ordinal)
                && (account is null || string.Equals(r.Function.Key.AccountId, account, StringComparison.Ordinal))
                && (region is null || string.Equals(r.Function.Key.Region, region, StringComparison.Ordinal)))
            .ToList();
        if (matches.Count > 1)
        {
            throw new McpException($"Several functions are named '{name}': {string.Join(", ", matches.Select(m => $"{m.Function.Key.AccountId}/{m.Function.Key.Region}"))}. Give the account and region.");
        }

        var query = new FunctionsQuery { Search = name };
        if (matches.Count == 0)
        {
            return new McpFunctionSummary(selection.Describe(), false, null,
                $"No function named '{name}'{(account is null ? "" : $" in account {account}")}{(region is null ? "" : $" in {region}")} is in the inventory.",
                links.To(ErrorsAddress.Path, selection), links.To(FunctionsPage(query), selection));
        }

        var row = matches[0];
        return new McpFunctionSummary(selection.Describe(), true, Function(row, selection), null,
            links.To(ErrorsAddress.ForFunction(row.Function.Key, ""), selection), links.To(FunctionDetailLinks.Page(row.Function.Key), selection));
    }

    [McpServerTool(Name = "error_groups", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Error groups (errors grouped by fingerprint across functions) over the range, most frequent first: type, message, count, first and last seen, status, and a link to each group.")]
    public async Task<McpErrorGroups> ErrorGroupsAsync(
        [Description("Only errors of the function of this name. Default: every function.")] string? function = null,
        [Description(RangeHelp)] string? range = null,
        [Description(FromHelp)] string? from = null,
        [Description(ToHelp)] string? to = null,
        [Description("Most groups listed (1 to 50). Default 20.")] int limit = 20,
        CancellationToken cancellationToken = default)
    {
        var (selection, resolved) = Range(range, from, to);
        var address = new ErrorsAddress
        {
            FunctionName = string.IsNullOrWhiteSpace(function) ? null : function.Trim(),
            Range = [.. selection.ToQuery().Where(p => p.Value is not null).Select(p => KeyValuePair.Create(p.Key, p.Value!.ToString()!))],
        };
        // The source is this call's own (transient), as it is a page's: it must know the filters before it loads.
        var data = errors as ErrorsData ?? throw new InvalidOperationException($"the error_groups tool needs {nameof(ErrorsData)} as its query");
        data.Address = address;
        data.ReadTrends = false;
        var model = await errors.LoadAsync(new LiveQuery(time.GetUtcNow(), resolved, Store.StoreChangeKind.None), cancellationToken);
        var shown = Math.Clamp(limit, 1, ErrorsData.PageSize);
        return ErrorGroups(selection.Describe(), address, model, shown, links);
    }

    [McpServerTool(Name = "trace", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("One X-Ray trace by id as the dashboard stores it: duration, cold start, outcome and its segments in waterfall order, with a link to the waterfall.")]
    public async Task<McpTrace> TraceAsync(
        [Description("The X-Ray trace id, such as 1-5759e988-bd862e3fe1be46a994272793.")] string traceId,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(traceId))
        {
            throw new McpException("traceId: give an X-Ray trace id, such as 1-5759e988-bd862e3fe1be46a994272793.");
        }

        var data = traces as TraceData ?? throw new InvalidOperationException($"the trace tool needs {nameof(TraceData)} as its query");
        data.TraceId = traceId.Trim();
        var model = await traces.LoadAsync(new LiveQuery(time.GetUtcNow(), null, Store.StoreChangeKind.None), cancellationToken);
        var link = links.To($"traces/{Uri.EscapeDataString(model.TraceId)}", null);
        if (model.Waterfall is not { } waterfall)
        {
            return new McpTrace(model.TraceId, false, null, null, null, null, null, null, [], link);
        }

        var summary = waterfall.Summary;
        return new McpTrace(model.TraceId, true, waterfall.Start, waterfall.TotalMs, waterfall.ColdStart, summary.HasError, summary.HasFault, summary.EntryPoint,
            [.. waterfall.Rows.Take(MaxItems * 2).Select(r => new McpSegment(r.Segment.Name, r.Depth, r.OffsetMs, r.DurationMs, r.Outcome, r.Call))],
            link);
    }

    [McpServerTool(Name = "firing_alerts", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("The open alerts of Observe's alerting (firing first, then pending), with severity, labels, the value read, whether acknowledged or silenced, and a link to each alert's history.")]
    public async Task<McpAlerts> FiringAlertsAsync(
        [Description("Also list pending alerts (their condition holds, not yet for long enough to fire). Default true.")] bool includePending = true,
        CancellationToken cancellationToken = default)
    {
        var (selection, resolved) = Range(null, null, null);
        var model = await alerts.LoadAsync(new LiveQuery(time.GetUtcNow(), resolved, Store.StoreChangeKind.None), cancellationToken);
        var address = new AlertsAddress();
        var rows = model.Open.Where(r => includePending || r.Instance.Status == AlertStatus.Firing).Take(MaxItems).Select(r => new McpAlert(
            r.Instance.RuleId, r.RuleName, r.State, r.Severity, r.Instance.Labels, r.ValueText, r.Instance.Summary, r.Instance.ActiveSince,
            r.Acknowledged, r.SilencedBy?.Id, links.To(address.AlertUri(r.Instance.RuleId, r.Instance.LabelsKey), null)));
        return new McpAlerts(model.Firing, model.Pending, model.Acknowledged, model.Silenced, [.. rows],
            links.To(includePending ? AlertsAddress.Path : address.OnlyState("firing"), selection));
    }

    [McpServerTool(Name = "alarms", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("CloudWatch alarms across the fleet's accounts and regions (ALARM first), with the functions each watches and a link to each alarm's history.")]
    public async Task<McpAlarms> AlarmsAsync(
        [Description("States to list: alarm, insufficient-data, ok; several comma-separated. Default: alarm.")] string? states = null,
        CancellationToken cancellationToken = default)
    {
        var tokens = (string.IsNullOrWhiteSpace(states) ? "alarm" : states).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var bad = tokens.Where(t => AlarmsAddress.ParseState(t) is null).ToList();
        if (bad.Count > 0)
        {
            throw new McpException($"states: '{string.Join("', '", bad)}' is not an alarm state; use alarm, insufficient-data or ok.");
        }

        var query = string.Join('&', tokens.Select(t => $"{AlarmsAddress.StateParameter}={Uri.EscapeDataString(t)}"));
        var address = AlarmsAddress.Parse($"http://observe/{AlarmsAddress.Path}?{query}", "http://observe/");
        var (_, resolved) = Range(null, null, null);
        var model = await alarms.LoadAsync(new LiveQuery(time.GetUtcNow(), resolved, Store.StoreChangeKind.None), cancellationToken);
        var rows = model.Apply(address).Rows;
        return new McpAlarms(
            [.. address.States.OrderBy(AlarmsViewModel.Rank).Select(AlarmsAddress.StateToken)],
            rows.Count,
            [.. rows.Take(MaxItems).Select(r => new McpAlarm(r.Alarm.AccountId, r.Alarm.Region, r.Alarm.Name, r.Kind, r.State, r.Alarm.StateReason, r.Alarm.StateUpdated,
                r.Metric, [.. r.Functions.Select(f => $"{f.AccountId}/{f.Region}/{f.Name}")], links.To(address.AlarmUri(r.Alarm.Arn), null)))],
            links.To(address.ListUri(), null));
    }

    private (TimeRangeSelection Selection, TimeRange Resolved) Range(string? range, string? from, string? to)
    {
        // The pages' own parsing: the same tokens, limits and messages as the address.
        var max = options.Value.MaxRange;
        var fallback = TimeRangeQuery.Parse(options.Value.DefaultRange, null, null, null, max).Selection;
        var parsed = TimeRangeQuery.Parse(range, from, to, fallback, max);
        var selection = parsed.Selection ?? throw new McpException($"{parsed.Error!.Parameter}: {parsed.Error.Problem}");
        return (selection, selection.Resolve(time.GetUtcNow()));
    }

    private static string FunctionsPage(FunctionsQuery query) => query.ToQueryString() is { Length: > 0 } parameters ? "functions?" + parameters : "functions";

    private static int Limit(int limit) => Math.Clamp(limit, 1, MaxItems);

    private McpFunction Function(FunctionRow row, TimeRangeSelection selection)
    {
        var f = row.Function;
        return new McpFunction(f.Key.AccountId, f.Key.Region, f.Key.Name, f.Runtime, f.MemoryMb, f.TimeoutSeconds, row.Owner,
            row.Invocations, row.ErrorRate, row.ErrorsUnknownReason, row.P99Ms, row.ColdStartRate, row.MonthlyCost,
            [.. row.Flags.Select(flag => new McpFlag(flag.Title, flag.Rule, flag.Severity))],
            links.To(FunctionDetailLinks.Page(f.Key), selection));
    }

    private static McpErrorGroups ErrorGroups(string range, ErrorsAddress address, ErrorsViewModel model, int shown, DashboardLinks links) => new(
        range,
        address.FunctionName,
        [.. model.Rows.Take(shown).Select(r => new McpErrorGroup(
            r.Summary.Fingerprint, r.Summary.ErrorType, r.Summary.Message, r.Summary.Count, r.Summary.Functions, r.Summary.FirstSeen, r.Summary.LastSeen,
            r.StatusWord, r.IsNew, r.IsRegression,
            $"{r.Summary.SampleFunction.AccountId}/{r.Summary.SampleFunction.Region}/{r.Summary.SampleFunction.Name}", r.Summary.SampleTraceId,
            links.To(address.ErrorUri(r.Summary.Fingerprint), null)))],
        model.HasMore || model.Rows.Count > shown,
        links.To(address.ListUri(), null));
}
