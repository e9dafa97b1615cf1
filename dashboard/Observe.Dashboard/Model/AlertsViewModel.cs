using System.Globalization;
using Observe.Alerting.Lifecycle;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>One alert as the Alerts pages show it.</summary>
/// <param name="Instance">The alert as the store holds it.</param>
/// <param name="RuleName">Its rule's name (the id when the rule is gone).</param>
/// <param name="GroupKey">The notification group it is in; null when its rule is not in force.</param>
/// <param name="SilencedBy">The active silence that covers it now; null when none does.</param>
/// <param name="Now">The time of the load.</param>
public sealed record AlertRow(AlertInstance Instance, string RuleName, string? GroupKey, Silence? SilencedBy, DateTimeOffset Now)
{
    public bool IsOpen => Instance.Status != AlertStatus.Resolved;

    /// <summary><c>firing</c>, <c>pending</c> or <c>resolved</c>.</summary>
    public string State => StateWord(Instance.Status);

    /// <summary>The rule's severity in lower case (<c>critical</c>, <c>warning</c>, <c>info</c>, or what the rule said).</summary>
    public string Severity => Instance.Severity.ToLowerInvariant();

    public bool Acknowledged => Instance.AcknowledgedBy is not null;

    public string? Function => Instance.Labels.GetValueOrDefault("function");

    public string? Account => Instance.Labels.GetValueOrDefault("account");

    public string? Region => Instance.Labels.GetValueOrDefault("region");

    /// <summary>The function the alert is about, when its labels name one fully (for its detail page).</summary>
    public FunctionKey? FunctionKey => (Account, Region, Function) is ({ } a, { } r, { } f) ? new FunctionKey(a, r, f) : null;

    /// <summary>Labels besides rule, severity, function, account and region, which have their own columns.</summary>
    public IEnumerable<KeyValuePair<string, string>> OtherLabels => Instance.Labels
        .Where(l => l.Key is not ("rule" or "severity" or "function" or "account" or "region"))
        .OrderBy(l => l.Key, StringComparer.Ordinal);

    /// <summary>The figure the last evaluation read; "unknown" while it could not be read (never a zero).</summary>
    public string ValueText => Instance.UnknownSince is not null || Instance.Value is not { } value
        ? "unknown"
        : value.ToString("G4", CultureInfo.InvariantCulture);

    public string ActiveSince => FormatUtc(Instance.ActiveSince);

    /// <summary>For a column whose header says UTC: to the minute, the whole instant in <see cref="ActiveSince"/>.</summary>
    public string ActiveSinceShort => Instance.ActiveSince.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public string ActiveFor => Ago(Now - Instance.ActiveSince);

    public string? ResolvedAt => Instance.ResolvedAt is { } at ? FormatUtc(at) : null;

    /// <summary>Text the rule's name or id, or the function, contains (any case).</summary>
    public bool Matches(string text) =>
        RuleName.Contains(text, StringComparison.OrdinalIgnoreCase)
        || Instance.RuleId.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (Function?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false);

    public static string StateWord(AlertStatus status) => status switch
    {
        AlertStatus.Firing => "firing",
        AlertStatus.Pending => "pending",
        _ => "resolved",
    };

    /// <summary>Critical first: the order the list and the facet use.</summary>
    public static int SeverityRank(string severity) => severity switch
    {
        "critical" => 0,
        "warning" => 1,
        "info" => 2,
        _ => 3,
    };

    public static string FormatUtc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>A duration in its largest whole unit: "3 min ago", "2 h ago", "4 d ago".</summary>
    public static string Ago(TimeSpan span) => span switch
    {
        { TotalMinutes: < 1 } => "just now",
        { TotalHours: < 1 } => $"{(int)span.TotalMinutes} min ago",
        { TotalDays: < 1 } => $"{(int)span.TotalHours} h ago",
        _ => $"{(int)span.TotalDays} d ago",
    };
}

/// <summary>One silence as the Alerts page lists it.</summary>
/// <param name="Silence">The silence as stored.</param>
/// <param name="Active">It covers alerts now (started, not ended).</param>
/// <param name="Covers">How many open alerts it covers now.</param>
public sealed record SilenceRow(Silence Silence, bool Active, int Covers)
{
    public string Matchers => string.Join(", ", Silence.Matchers.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value}"));

    public string Starts => AlertRow.FormatUtc(Silence.StartsAt);

    public string Ends => AlertRow.FormatUtc(Silence.EndsAt);
}

/// <summary>
/// The Alerts page: open alerts (firing and pending, now), the alerts resolved in the range, and the silences active
/// now or ended in the range. Figures count the open alerts; an alert may be both acknowledged and silenced.
/// </summary>
public sealed record AlertsViewModel(
    IReadOnlyList<AlertRow> Open,
    IReadOnlyList<AlertRow> Resolved,
    IReadOnlyList<SilenceRow> Silences,
    DateTimeOffset Now)
{
    public int Firing => Open.Count(r => r.Instance.Status == AlertStatus.Firing);

    public int Pending => Open.Count(r => r.Instance.Status == AlertStatus.Pending);

    public int Acknowledged => Open.Count(r => r.Acknowledged);

    public int Silenced => Open.Count(r => r.SilencedBy is not null);

    /// <summary>
    /// Builds the model: open alerts firing first, then by severity, newest first; resolved ones in
    /// <paramref name="range"/> newest first; silences active first, then by when they end.
    /// </summary>
    internal static AlertsViewModel Create(
        IEnumerable<AlertInstance> instances,
        AlertRuleNames rules,
        IEnumerable<Silence> silences,
        TimeRange range,
        DateTimeOffset now)
    {
        var silenceList = silences.ToList();
        var active = silenceList.Where(s => SilenceMatcher.IsActive(s, now)).OrderBy(s => s.StartsAt).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
        var rows = instances
            .Select(i => new AlertRow(
                i,
                rules.Name(i.RuleId),
                rules.GroupKey(i.RuleId, i.Labels),
                i.Status == AlertStatus.Resolved ? null : active.FirstOrDefault(s => SilenceMatcher.Matches(s, i.Labels)),
                now))
            .ToList();
        var open = rows.Where(r => r.IsOpen)
            .OrderBy(r => r.Instance.Status == AlertStatus.Firing ? 0 : 1)
            .ThenBy(r => AlertRow.SeverityRank(r.Severity))
            .ThenByDescending(r => r.Instance.ActiveSince)
            .ThenBy(r => r.Instance.RuleId, StringComparer.Ordinal)
            .ThenBy(r => r.Instance.LabelsKey, StringComparer.Ordinal)
            .ToList();
        var resolved = rows.Where(r => !r.IsOpen && r.Instance.ResolvedAt is { } at && at >= range.From && at <= range.To)
            .OrderByDescending(r => r.Instance.ResolvedAt)
            .ThenBy(r => r.Instance.RuleId, StringComparer.Ordinal)
            .ToList();
        var silenceRows = silenceList
            .Select(s => new SilenceRow(s, SilenceMatcher.IsActive(s, now), SilenceMatcher.IsActive(s, now) ? open.Count(r => SilenceMatcher.Matches(s, r.Instance.Labels)) : 0))
            .OrderBy(s => s.Active ? 0 : 1)
            .ThenByDescending(s => s.Silence.EndsAt)
            .ThenBy(s => s.Silence.Id, StringComparer.Ordinal)
            .ToList();
        return new AlertsViewModel(open, resolved, silenceRows, now);
    }

    /// <summary>The open and resolved rows the address's filters keep, and each facet value's count under the other filters.</summary>
    public AlertsView Apply(AlertsAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        bool Scope(AlertRow r) =>
            (address.Group is null || r.GroupKey == address.Group)
            && (address.Function is null || r.Function == address.Function)
            && (address.Account is null || r.Account == address.Account)
            && (address.Region is null || r.Region == address.Region)
            && (address.Search.Length == 0 || r.Matches(address.Search));
        bool State(AlertRow r) => address.StateFilter.Count == 0 || address.StateFilter.Any(s => HasState(r, s));
        bool Severity(AlertRow r) => address.SeverityFilter.Count == 0 || address.SeverityFilter.Contains(r.Severity);

        var rows = Open.Where(r => Scope(r) && State(r) && Severity(r)).ToList();
        var states = AlertsAddress.States
            .Select(s => new FacetValue(s, s, Open.Count(r => HasState(r, s) && Scope(r) && Severity(r)), address.StateFilter.Contains(s)))
            .ToList();
        var severities = AlertsAddress.Severities
            .Select(s => new FacetValue(s, s, Open.Count(r => r.Severity == s && Scope(r) && State(r)), address.SeverityFilter.Contains(s)))
            .ToList();

        // The state filter is about open alerts; resolved ones follow the other filters.
        var resolved = Resolved.Where(r => Scope(r) && Severity(r)).ToList();
        return new AlertsView(rows, resolved, states, severities);
    }

    public static bool HasState(AlertRow row, string state) => state switch
    {
        "firing" => row.Instance.Status == AlertStatus.Firing,
        "pending" => row.Instance.Status == AlertStatus.Pending,
        "acknowledged" => row.Acknowledged,
        "silenced" => row.SilencedBy is not null,
        _ => false,
    };
}

/// <summary>What the filters keep, with the facets' counts.</summary>
public sealed record AlertsView(IReadOnlyList<AlertRow> Rows, IReadOnlyList<AlertRow> Resolved, IReadOnlyList<FacetValue> States, IReadOnlyList<FacetValue> Severities);
