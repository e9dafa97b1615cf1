using Observe.Store.Model;

namespace Observe.Store;

/// <summary>CloudWatch alarms as read back: by pages, and by the alarms collector to retire deleted alarms.</summary>
public interface IAlarmReader
{
    Task<IReadOnlyList<CloudWatchAlarm>> GetAlarmsAsync(FleetFilter filter, AlarmState? state, CancellationToken cancellationToken);

    Task<IReadOnlyList<AlarmStateChange>> GetAlarmHistoryAsync(string alarmArn, int limit, CancellationToken cancellationToken);
}

/// <summary>What the alarms collector writes.</summary>
public interface IAlarmWriter
{
    /// <summary>
    /// Inserts or replaces alarms by ARN, recording a state change (at the alarm's <see cref="CloudWatchAlarm.StateUpdated"/>)
    /// when the state differs from the stored one, unless that change is already recorded.
    /// </summary>
    Task UpsertAlarmsAsync(IReadOnlyCollection<CloudWatchAlarm> alarms, CancellationToken cancellationToken);

    /// <summary>
    /// Adds state changes to the alarms' history (those DescribeAlarmHistory reports, including flaps no listing saw).
    /// Idempotent: a change with the ARN, timestamp and new state of one already recorded, by this method or by
    /// <see cref="UpsertAlarmsAsync"/>, is skipped. The alarm's current state is left alone.
    /// </summary>
    Task RecordAlarmStateChangesAsync(IReadOnlyCollection<AlarmStateChange> changes, CancellationToken cancellationToken);
}
