using System.Globalization;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// Every CloudWatch alarm the store holds, across accounts and regions, in the order an on-call engineer reads them:
/// ALARM, then INSUFFICIENT_DATA, then OK, each most recently changed first. States are as the alarms collector last
/// read them (now), whatever the page's range. <see cref="Collector"/> says whether that collector has run, so an empty
/// list can say why it is empty.
/// </summary>
public sealed record AlarmsViewModel(IReadOnlyList<AlarmRow> Alarms, AlarmsCollectorSummary Collector, DateTimeOffset Now)
{
    public static AlarmsViewModel Create(IEnumerable<CloudWatchAlarm> alarms, IEnumerable<CollectorStatus> statuses, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(alarms);
        ArgumentNullException.ThrowIfNull(statuses);
        var ordered = alarms
            .OrderBy(a => Rank(a.State))
            .ThenByDescending(a => a.StateUpdated)
            .ThenBy(a => a.Name, StringComparer.Ordinal)
            .ThenBy(a => a.Arn, StringComparer.Ordinal)
            .ToList();
        var rows = ordered.Select(a => AlarmRow.Create(a, now, ordered)).ToList();
        return new AlarmsViewModel(rows, AlarmsCollectorSummary.From(statuses), now);
    }

    /// <summary>ALARM first, then INSUFFICIENT_DATA (unknown is worth a look), then OK.</summary>
    public static int Rank(AlarmState state) => state switch
    {
        AlarmState.Alarm => 0,
        AlarmState.InsufficientData => 1,
        _ => 2,
    };

    /// <summary>The rows the address's filters keep, and each facet value's count under the other filters.</summary>
    public AlarmsView Apply(AlarmsAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        bool State(AlarmRow r) => address.States.Count == 0 || address.States.Contains(r.Alarm.State);
        bool Account(AlarmRow r) => address.Accounts.Count == 0 || address.Accounts.Contains(r.Alarm.AccountId);
        bool Region(AlarmRow r) => address.Regions.Count == 0 || address.Regions.Contains(r.Alarm.Region);
        bool Search(AlarmRow r) => address.Search.Length == 0 || r.Matches(address.Search);

        var rows = Alarms.Where(r => State(r) && Account(r) && Region(r) && Search(r)).ToList();

        // A facet's counts apply every filter but its own, so each value says what choosing it would show.
        var states = Enum.GetValues<AlarmState>().OrderBy(Rank)
            .Select(s => new FacetValue(AlarmsAddress.StateToken(s), AlarmRow.StateWord(s),
                Alarms.Count(r => r.Alarm.State == s && Account(r) && Region(r) && Search(r)), address.States.Contains(s)))
            .ToList();
        var accounts = Facet(Alarms.Where(r => State(r) && Region(r) && Search(r)), r => r.Alarm.AccountId, address.Accounts);
        var regions = Facet(Alarms.Where(r => State(r) && Account(r) && Search(r)), r => r.Alarm.Region, address.Regions);
        return new AlarmsView(rows, states, accounts, regions);
    }

    private List<FacetValue> Facet(IEnumerable<AlarmRow> rows, Func<AlarmRow, string> key, IReadOnlySet<string> chosen)
    {
        var counts = rows.GroupBy(key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        // Every value the store has is listed (with 0 when the other filters exclude it), and a chosen value the
        // store does not have too: the user sees why nothing matches.
        return Alarms.Select(key).Concat(chosen).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(v => new FacetValue(v, v, counts.GetValueOrDefault(v), chosen.Contains(v)))
            .ToList();
    }
}

/// <summary>What the filters keep, with the facets' counts.</summary>
public sealed record AlarmsView(IReadOnlyList<AlarmRow> Rows, IReadOnlyList<FacetValue> States, IReadOnlyList<FacetValue> Accounts, IReadOnlyList<FacetValue> Regions);

/// <summary>One alarm as the list shows it.</summary>
public sealed record AlarmRow(CloudWatchAlarm Alarm, DateTimeOffset Now)
{
    /// <summary>A composite's rule as read; null for a metric alarm and for a composite whose rule is not stored yet.</summary>
    public CompositeAlarmRule? Rule { get; init; }

    /// <summary>The alarms a composite combines, each resolved against the store's alarms where it has them.</summary>
    public IReadOnlyList<AlarmChild> Children { get; init; } = [];

    /// <summary>The functions the alarm watches: its own, or for a composite those of the alarms it combines.</summary>
    public IReadOnlyList<FunctionKey> Functions { get; init; } = [];

    /// <summary>The row for <paramref name="alarm"/> at <paramref name="now"/>, a composite's rule resolved against
    /// <paramref name="alarms"/> (at least its account and region's).</summary>
    public static AlarmRow Create(CloudWatchAlarm alarm, DateTimeOffset now, IReadOnlyCollection<CloudWatchAlarm> alarms)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        var rule = alarm.Rule is { } text ? CompositeAlarmRule.Parse(text) : null;
        return new AlarmRow(alarm, now)
        {
            Rule = rule,
            Children = rule?.Resolve(alarm, alarms) ?? [],
            Functions = CompositeAlarmRule.WatchedFunctions(alarm, alarms),
        };
    }

    /// <summary>Why the function column is empty: what a reader should know about where the functions would come from.</summary>
    public string NoFunctionReason => (IsComposite, Rule) switch
    {
        (false, _) => "The alarm's dimensions name no Lambda function",
        (true, null) => "The store has not read this composite alarm's rule yet: the alarms collector reads it on its next pass",
        (true, { References.Count: 0 }) => "The composite's rule names no alarm",
        (true, _) when Children.All(c => c.Alarm is null) => "None of the alarms the composite combines is in the store",
        _ => "None of the alarms the composite combines watches a Lambda function",
    };

    /// <summary>CloudWatch's own word for the state.</summary>
    public string State => StateWord(Alarm.State);

    /// <summary>"metric" or "composite" as CloudWatch calls them.</summary>
    public string Kind => string.Equals(Alarm.Kind, "composite", StringComparison.OrdinalIgnoreCase) ? "Composite" : "Metric";

    public bool IsComposite => Kind == "Composite";

    /// <summary>
    /// <c>Namespace / MetricName</c> as far as CloudWatch named them; null when it named neither (a composite alarm, or
    /// metric math, which has no single metric).
    /// </summary>
    public string? Metric => (Alarm.Namespace, Alarm.MetricName) switch
    {
        (null, null) => null,
        ({ } ns, null) => ns,
        (null, { } metric) => metric,
        ({ } ns, { } metric) => $"{ns} / {metric}",
    };

    /// <summary>When the state was entered, in UTC.</summary>
    public string Since => FormatUtc(Alarm.StateUpdated);

    /// <summary>The UTC date of <see cref="Since"/>, for a column whose header says UTC.</summary>
    public string SinceDate => Alarm.StateUpdated.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The UTC time of day of <see cref="Since"/>.</summary>
    public string SinceTime => Alarm.StateUpdated.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>How long ago that was, at the time of the load.</summary>
    public string SinceRelative => Ago(Now - Alarm.StateUpdated);

    public bool Matches(string text) =>
        Contains(Alarm.Name, text) || Functions.Any(f => Contains(f.Name, text)) || Contains(Alarm.MetricName, text)
        || Contains(Alarm.Namespace, text) || Contains(Alarm.StateReason, text);

    public static string StateWord(AlarmState state) => state switch
    {
        AlarmState.Alarm => "ALARM",
        AlarmState.InsufficientData => "INSUFFICIENT_DATA",
        _ => "OK",
    };

    public static string FormatUtc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>A duration in its largest two units: "45 s ago", "3 min ago", "2 h 5 min ago", "4 d 1 h ago".</summary>
    public static string Ago(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero)
        {
            // A state stamped by a clock a little ahead of this one: not "in the future" to a reader.
            return "just now";
        }

        return elapsed switch
        {
            { TotalMinutes: < 1 } => $"{(int)elapsed.TotalSeconds} s ago",
            { TotalHours: < 1 } => $"{(int)elapsed.TotalMinutes} min ago",
            { TotalDays: < 1 } => elapsed.Minutes == 0 ? $"{(int)elapsed.TotalHours} h ago" : $"{(int)elapsed.TotalHours} h {elapsed.Minutes} min ago",
            _ => elapsed.Hours == 0 ? $"{(int)elapsed.TotalDays} d ago" : $"{(int)elapsed.TotalDays} d {elapsed.Hours} h ago",
        };
    }

    private static bool Contains(string? value, string text) => value?.Contains(text, StringComparison.OrdinalIgnoreCase) == true;
}

/// <summary>What the alarms collector has recorded about its passes, for the empty states.</summary>
/// <param name="Targets">The (account, region) pairs it has a status for: 0 when it has never run against this store.</param>
/// <param name="Succeeded">Targets with at least one successful pass.</param>
/// <param name="Failing">Targets whose latest pass failed.</param>
/// <param name="LastSuccess">The latest successful pass's end over every target; null when none succeeded.</param>
public sealed record AlarmsCollectorSummary(int Targets, int Succeeded, int Failing, DateTimeOffset? LastSuccess)
{
    /// <summary>The collector's name in the store's statuses.</summary>
    public const string CollectorName = "alarms";

    public static AlarmsCollectorSummary From(IEnumerable<CollectorStatus> statuses)
    {
        var alarms = statuses.Where(s => s.Collector == CollectorName).ToList();
        return new AlarmsCollectorSummary(
            alarms.Count,
            alarms.Count(s => s.LastSuccess is not null),
            alarms.Count(s => s.IsFailing),
            alarms.Max(s => s.LastSuccess));
    }
}
