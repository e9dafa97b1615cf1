using Microsoft.AspNetCore.Components;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>One stretch of an alarm's timeline: its state from <see cref="From"/> to <see cref="To"/>; null when unknown.</summary>
public sealed record AlarmSegment(DateTimeOffset From, DateTimeOffset To, AlarmState? State)
{
    public string Label => State is { } s ? AlarmRow.StateWord(s) : "unknown";
}

/// <summary>
/// One alarm and its state over the page's range, drawn as a timeline, with the transitions recorded in the range.
/// Null <see cref="Alarm"/>: the store has no alarm with that ARN.
/// </summary>
/// <param name="Arn">The ARN from the address.</param>
/// <param name="Alarm">The alarm now; null when the store has none with <paramref name="Arn"/>.</param>
/// <param name="Range">The range shown, cut at the time of the load when it ends later.</param>
/// <param name="Segments">The timeline, in time order, covering the range without gaps.</param>
/// <param name="Transitions">The state changes recorded in the range, newest first.</param>
/// <param name="HistoryCut">More history exists than was read: before the oldest change read, the state is unknown.</param>
public sealed record AlarmHistoryViewModel(
    string Arn,
    AlarmRow? Alarm,
    TimeRange Range,
    IReadOnlyList<AlarmSegment> Segments,
    IReadOnlyList<AlarmStateChange> Transitions,
    bool HistoryCut)
{
    /// <summary>
    /// Builds the timeline from the current state and the recorded transitions. The current state holds since the
    /// later of its <see cref="CloudWatchAlarm.StateUpdated"/> and the last transition; each transition's state holds
    /// until the next one; before the oldest transition its <see cref="AlarmStateChange.From"/> state held. With no
    /// transition before a <see cref="CloudWatchAlarm.StateUpdated"/> inside the range, what came before is unknown, and
    /// so is anything before the oldest transition read when the read was cut at its limit: drawn grey, never as OK.
    /// </summary>
    /// <param name="arn">The ARN from the address.</param>
    /// <param name="alarm">The alarm now; null when the store has none.</param>
    /// <param name="history">The alarm's transitions, newest first, as the store returns them.</param>
    /// <param name="range">The page's range.</param>
    /// <param name="now">The time of the load: nothing after it is drawn.</param>
    /// <param name="limit">The most transitions the store was asked for; reaching it means older ones exist.</param>
    /// <param name="alarms">The alarms of its account and region, which a composite's rule names; the alarm alone when null.</param>
    public static AlarmHistoryViewModel Create(string arn, CloudWatchAlarm? alarm, IReadOnlyList<AlarmStateChange> history, int limit, TimeRange range, DateTimeOffset now, IReadOnlyCollection<CloudWatchAlarm>? alarms = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        var end = range.To < now ? range.To : now;
        var shown = new TimeRange(range.From, end < range.From ? range.From : end);
        if (alarm is null)
        {
            return new AlarmHistoryViewModel(arn, null, shown, [], [], false);
        }

        var cut = history.Count >= limit;
        var ascending = history.OrderBy(c => c.Timestamp).ToList();

        // Boundaries from the newest back: (start, state) pairs, each state holding until the next start.
        var stretches = new List<(DateTimeOffset Start, AlarmState? State)>();
        var currentSince = ascending.Count > 0 && ascending[^1].Timestamp > alarm.StateUpdated ? ascending[^1].Timestamp : alarm.StateUpdated;
        stretches.Add((currentSince, alarm.State));
        foreach (var change in ascending.AsEnumerable().Reverse())
        {
            if (change.Timestamp < currentSince)
            {
                stretches.Add((change.Timestamp, change.To));
            }
        }

        var oldest = stretches[^1].Start;
        var before = ascending.Count == 0 ? (AlarmState?)null : cut ? null : ascending[0].From;
        stretches.Add((DateTimeOffset.MinValue, before));
        stretches.Reverse();

        var segments = new List<AlarmSegment>();
        for (var i = 0; i < stretches.Count; i++)
        {
            var from = stretches[i].Start < shown.From ? shown.From : stretches[i].Start;
            var to = i + 1 < stretches.Count ? stretches[i + 1].Start : DateTimeOffset.MaxValue;
            to = to > shown.To ? shown.To : to;
            if (to <= from)
            {
                continue;
            }

            // Two stretches in a row in one state (a transition the store recorded twice over) read as one.
            if (segments.Count > 0 && segments[^1].State == stretches[i].State && segments[^1].To == from)
            {
                segments[^1] = segments[^1] with { To = to };
            }
            else
            {
                segments.Add(new AlarmSegment(from, to, stretches[i].State));
            }
        }

        var transitions = history.Where(c => c.Timestamp >= shown.From && c.Timestamp <= shown.To).ToList();
        return new AlarmHistoryViewModel(arn, AlarmRow.Create(alarm, now, alarms ?? [alarm]), shown, segments, transitions, cut && oldest > shown.From);
    }
}

/// <summary>
/// The query of the alarm opened on the Alarms page (<c>alarms/{escaped ARN}</c>, read from the address): the alarm now
/// and its recorded state changes, reloaded when alarms change.
/// </summary>
public sealed class AlarmHistoryData(IAlarmReader alarms, NavigationManager navigation) : ILiveData<AlarmHistoryViewModel>
{
    /// <summary>The most transitions read for one alarm: a flapping alarm's years of history are not one page's business.</summary>
    public const int HistoryLimit = 1000;

    public StoreChangeKind Changes => StoreChangeKind.Alarms;

    public bool UsesTimeRange => true;

    public bool RefreshOnTimer => false;

    public async Task<AlarmHistoryViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var range = query.Range ?? throw new ArgumentException("an alarm's history needs a time range", nameof(query));
        var arn = AlarmsAddress.Parse(navigation.Uri, navigation.BaseUri).Arn
            ?? throw new InvalidOperationException("the address names no alarm");

        // The ARN names the account and region: read only those alarms rather than every one.
        var parts = arn.Split(':');
        var filter = parts.Length > 4 ? new FleetFilter(parts[4], parts[3]) : FleetFilter.All;
        var nearby = await alarms.GetAlarmsAsync(filter, null, cancellationToken);
        var alarm = nearby.FirstOrDefault(a => string.Equals(a.Arn, arn, StringComparison.Ordinal));
        var history = alarm is null ? [] : await alarms.GetAlarmHistoryAsync(arn, HistoryLimit, cancellationToken);
        return AlarmHistoryViewModel.Create(arn, alarm, history, HistoryLimit, range, query.Now, nearby);
    }
}

/// <summary>The Alarms list's query: every alarm, and the alarms collector's statuses for the empty states.</summary>
public sealed class AlarmsData(IAlarmReader alarms, ICollectorStatusReader statuses) : ILiveData<AlarmsViewModel>
{
    public StoreChangeKind Changes => StoreChangeKind.Alarms;

    // The list is "now"; the range is the history's and the links', so it is in the address but does not change the list.
    public bool UsesTimeRange => true;

    // A collector that starts running (or failing) against an account without alarms writes no alarm: the empty
    // state would never move on without the timer.
    public bool RefreshOnTimer => true;

    public async Task<AlarmsViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var all = await alarms.GetAlarmsAsync(FleetFilter.All, null, cancellationToken);
        var recorded = await statuses.GetCollectorStatusAsync(cancellationToken);
        return AlarmsViewModel.Create(all, recorded, query.Now);
    }
}
