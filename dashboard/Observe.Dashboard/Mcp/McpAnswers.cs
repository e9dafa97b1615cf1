namespace Observe.Dashboard.Mcp;

// What the MCP tools answer, as structured content. Figures are the pages' own (the same view models); an unknown
// figure is null, never 0. Every answer and every item carries the absolute link to the page showing it.

/// <summary>A flag raised on a function: its title, the rule with the figures that raised it, and its severity.</summary>
public sealed record McpFlag(string Title, string Rule, string Severity);

/// <summary>One function's figures over the range, as the Functions page's row has them.</summary>
public sealed record McpFunction(
    string AccountId,
    string Region,
    string Name,
    string? Runtime,
    int MemoryMb,
    int TimeoutSeconds,
    string? Owner,
    double? Invocations,
    double? ErrorRate,
    string? ErrorRateUnknownReason,
    double? P99MsUpperBound,
    double? ColdStartRate,
    decimal? MonthlyCostUsd,
    IReadOnlyList<McpFlag> Flags,
    string Link);

/// <summary>The fleet's flagged functions over the range, worst first.</summary>
public sealed record McpFlaggedFunctions(string Range, int FunctionsInFleet, int Flagged, IReadOnlyList<McpFunction> Functions, string Link);

/// <summary>One function over the range, or why it is not known.</summary>
public sealed record McpFunctionSummary(string Range, bool Found, McpFunction? Function, string? NotFound, string ErrorsLink, string Link);

/// <summary>An error group over the range.</summary>
public sealed record McpErrorGroup(
    string Fingerprint,
    string ErrorType,
    string Message,
    long Count,
    int Functions,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    string Status,
    bool IsNew,
    bool Regression,
    string SampleFunction,
    string? SampleTraceId,
    string Link);

/// <summary>The error groups over the range, most frequent first.</summary>
public sealed record McpErrorGroups(string Range, string? Function, IReadOnlyList<McpErrorGroup> Groups, bool More, string Link);

/// <summary>A segment of a trace, in waterfall order.</summary>
public sealed record McpSegment(string Name, int Depth, double OffsetMs, double? DurationMs, string Outcome, string? Call);

/// <summary>One trace, or that the store holds none of that id.</summary>
public sealed record McpTrace(
    string TraceId,
    bool Found,
    DateTimeOffset? Start,
    double? DurationMs,
    bool? ColdStart,
    bool? HasError,
    bool? HasFault,
    string? EntryPoint,
    IReadOnlyList<McpSegment> Segments,
    string Link);

/// <summary>An open alert.</summary>
public sealed record McpAlert(
    string Rule,
    string RuleName,
    string State,
    string Severity,
    IReadOnlyDictionary<string, string> Labels,
    string Value,
    string Summary,
    DateTimeOffset ActiveSince,
    bool Acknowledged,
    string? SilencedBy,
    string Link);

/// <summary>The open alerts, firing first, as the Alerts page lists them.</summary>
public sealed record McpAlerts(int Firing, int Pending, int Acknowledged, int Silenced, IReadOnlyList<McpAlert> Alerts, string Link);

/// <summary>A CloudWatch alarm.</summary>
public sealed record McpAlarm(
    string AccountId,
    string Region,
    string Name,
    string Kind,
    string State,
    string? StateReason,
    DateTimeOffset StateUpdated,
    string? Metric,
    IReadOnlyList<string> Functions,
    string Link);

/// <summary>CloudWatch alarms in the states asked for, ALARM first.</summary>
public sealed record McpAlarms(IReadOnlyList<string> States, int Total, IReadOnlyList<McpAlarm> Alarms, string Link);
