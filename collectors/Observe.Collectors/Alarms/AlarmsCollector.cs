using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.CloudWatch;
using Observe.Collectors.Collection;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Alarms;

/// <summary>
/// Reads every metric and composite alarm of a target with DescribeAlarms and writes them to the store, which records
/// each state change in the alarm's history. A listing only shows the state at the time of the pass, so each pass also
/// reads DescribeAlarmHistory (one paged call for all alarms of the target) from where the previous pass ended: a flap
/// that starts and ends between two passes is in the history too.
/// </summary>
/// <remarks>
/// <para>
/// The history's state updates are recorded before the alarms are written, and the store skips a transition it already
/// has (same ARN, time and new state), so the listing's own transition and a re-read window add nothing. The history
/// checkpoint moves only after both writes: a pass that fails reads the same window again. When DescribeAlarmHistory
/// fails (a role without <c>cloudwatch:DescribeAlarmHistory</c>, an endpoint without the operation), the pass goes on
/// with the listing alone, degraded with what AWS answered, and the checkpoint stays, so the window is read once the
/// call works again.
/// </para>
/// <para>
/// The store keeps alarms until they are replaced, so an alarm deleted in AWS would otherwise stay in its last state
/// forever, possibly "in alarm". After a complete listing, a stored alarm of the target that AWS no longer returns is
/// written once more as <see cref="AlarmState.InsufficientData"/> with the reason <see cref="DeletedReason"/>: it leaves
/// every "in alarm" view, the transition is in its history, and an alarm created again under the same name (same ARN)
/// simply takes its new state.
/// </para>
/// </remarks>
internal sealed partial class AlarmsCollector(
    IAwsClientFactory clients,
    IAlarmReader alarmReader,
    IAlarmWriter alarmWriter,
    ICheckpointStore checkpoints,
    IOptions<AlarmsCollectorOptions> options,
    TimeProvider time,
    ILogger<AlarmsCollector> logger) : ICollector
{
    /// <summary>The state reason of an alarm that DescribeAlarms no longer returns.</summary>
    public const string DeletedReason = "Deleted in AWS: DescribeAlarms no longer returns this alarm";

    /// <summary>The collector name in the history checkpoint key (<c>alarms-history/{account}/{region}</c>).</summary>
    internal const string HistoryCheckpointName = "alarms-history";

    private readonly AlarmsCollectorOptions _options = options.Value;

    // Each window re-reads the end of the previous one: an item CloudWatch adds to the history a little after its
    // timestamp is not lost between two windows, and one read twice is skipped by the store.
    private static readonly TimeSpan HistoryOverlap = TimeSpan.FromMinutes(5);

    // Targets whose last history read failed: the warning is logged once per run of failures, not every minute.
    private readonly ConcurrentDictionary<string, byte> _historyFailing = new(StringComparer.Ordinal);

    public string Name => "alarms";

    public TimeSpan Interval => _options.Interval;

    public async Task CollectAsync(CollectionTarget target, PassReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var cloudWatch = clients.CloudWatch(target.AccountId, target.Region);
        var now = time.GetUtcNow();

        // The whole listing first: alarms are only written, and absent ones only retired, from a complete listing.
        var alarms = new Dictionary<string, CloudWatchAlarm>(StringComparer.Ordinal);
        await foreach (var page in cloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest(), cancellationToken).ConfigureAwait(false))
        {
            foreach (var alarm in page.MetricAlarms ?? [])
            {
                alarms[alarm.AlarmArn] = FromMetricAlarm(target, alarm, now);
            }

            foreach (var alarm in page.CompositeAlarms ?? [])
            {
                alarms[alarm.AlarmArn] = FromCompositeAlarm(target, alarm, now);
            }
        }

        var history = await ReadHistoryAsync(target, cloudWatch, alarms.Values, now, report, cancellationToken).ConfigureAwait(false);

        var retired = new List<CloudWatchAlarm>();
        foreach (var stored in await alarmReader.GetAlarmsAsync(new FleetFilter(target.AccountId, target.Region), null, cancellationToken).ConfigureAwait(false))
        {
            if (!alarms.ContainsKey(stored.Arn) && !(stored.State == AlarmState.InsufficientData && stored.StateReason == DeletedReason))
            {
                retired.Add(stored with { State = AlarmState.InsufficientData, StateReason = DeletedReason, StateUpdated = now });
            }
        }

        // The intermediate transitions first: the upsert then finds the listing's own transition already recorded.
        if (history is { Changes.Count: > 0 })
        {
            await alarmWriter.RecordAlarmStateChangesAsync(history.Changes, cancellationToken).ConfigureAwait(false);
        }

        await alarmWriter.UpsertAlarmsAsync([.. alarms.Values, .. retired], cancellationToken).ConfigureAwait(false);
        if (history is not null)
        {
            await checkpoints.SetCheckpointAsync(history.Key, InstantCheckpoint.Format(history.End), cancellationToken).ConfigureAwait(false);
        }

        LogPassCompleted(logger, target, alarms.Count, alarms.Values.Count(a => a.State == AlarmState.Alarm), retired.Count);
    }

    /// <summary>
    /// The state changes DescribeAlarmHistory reports from the checkpoint (or <see cref="AlarmsCollectorOptions.HistoryLookback"/>
    /// ago) to <paramref name="end"/>, or null when the call fails: the pass then goes on without them, degraded, with
    /// the failure in its warning on every pass until the call works (the log says it once per run of failures).
    /// </summary>
    private async Task<HistoryWindow?> ReadHistoryAsync(CollectionTarget target, ICloudWatchClient cloudWatch, IEnumerable<CloudWatchAlarm> listed, DateTimeOffset end, PassReport report, CancellationToken cancellationToken)
    {
        var key = target.CheckpointKey(HistoryCheckpointName);
        var start = InstantCheckpoint.Parse(await checkpoints.GetCheckpointAsync(key, cancellationToken).ConfigureAwait(false), key, HistoryLookbackSetting) is { } checkpoint
            ? checkpoint - HistoryOverlap
            : end - _options.HistoryLookback;
        if (start < end - _options.HistoryMaxCatchUp)
        {
            var setting = AlarmsCollectorOptions.SectionName + ":" + nameof(AlarmsCollectorOptions.HistoryMaxCatchUp);
            LogHistoryGap(logger, target, start, end - _options.HistoryMaxCatchUp, setting);

            // Left out for good (the checkpoint moves past it): this pass did not do all of its work.
            report.Degraded(string.Create(CultureInfo.InvariantCulture, $"alarm state changes from {start:O} to {end - _options.HistoryMaxCatchUp:O} are older than {setting} allows to catch up and were left out"));
            start = end - _options.HistoryMaxCatchUp;
        }

        // History items name the alarm, not its ARN; names are unique per account and region.
        var arns = listed.ToDictionary(a => a.Name, a => a.Arn, StringComparer.Ordinal);
        var changes = new List<AlarmStateChange>();
        var deleted = 0;
        var malformed = 0;
        AlarmHistoryItem? firstMalformed = null;
        try
        {
            var request = new DescribeAlarmHistoryRequest { StartDate = start, EndDate = end };
            await foreach (var item in cloudWatch.DescribeAlarmHistoryAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (item.HistoryItemType is not null and not "StateUpdate")
                {
                    continue;
                }

                if (!arns.TryGetValue(item.AlarmName, out var arn))
                {
                    // Deleted since: the store has no alarm to attach it to (the retirement records the last change).
                    deleted++;
                    continue;
                }

                if (ToChange(arn, item) is not { } change)
                {
                    malformed++;
                    firstMalformed ??= item;
                    continue;
                }

                // A state update that kept the state (a new reason only) is not a transition.
                if (change.From != change.To)
                {
                    changes.Add(change);
                }
            }
        }
        catch (AwsServiceException e)
        {
            var problem = HistoryProblem(e);
            report.Degraded(problem);
            if (_historyFailing.TryAdd(key, 0))
            {
                LogHistoryUnavailable(logger, e, target, problem);
            }

            return null;
        }

        if (_historyFailing.TryRemove(key, out _))
        {
            LogHistoryAvailable(logger, target);
        }

        if (firstMalformed is not null)
        {
            report.Skipped(UnreadableHistorySkip, malformed);
            LogHistoryMalformed(logger, target, malformed, firstMalformed.AlarmName, firstMalformed.Timestamp);
        }

        LogHistoryRead(logger, target, start, end, changes.Count, deleted);
        return new HistoryWindow(key, end, changes);
    }

    /// <summary>
    /// The pass's warning for a failed history read: the operation, what AWS answered (HTTP status and error code, or
    /// the network failure), and the permission to grant only when AWS said access is denied. A 500 or a 404 from an
    /// endpoint that lacks the operation (moto) is not a permission problem, and saying so would send the reader to IAM.
    /// </summary>
    internal static string HistoryProblem(AwsServiceException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var answer = e.StatusCode is { } status
            ? $"HTTP {(int)status} {e.ErrorCode}"
            : e.ErrorCode;
        if (!string.IsNullOrWhiteSpace(e.AwsMessage))
        {
            var message = e.AwsMessage.Trim();
            answer += ": " + (message.Length > 200 ? message[..200] + "…" : message);
        }

        const string Consequence = "alarms are still listed, but a flap between two passes is missed";
        return e.IsAccessDenied
            ? $"DescribeAlarmHistory was denied ({answer}): allow cloudwatch:DescribeAlarmHistory to the role; until then {Consequence}"
            : $"DescribeAlarmHistory failed ({answer}); {Consequence} until it works";
    }

    /// <summary>The skip reason of a state update whose HistoryData or timestamp cannot be read.</summary>
    internal const string UnreadableHistorySkip = "alarm history item unreadable";

    /// <summary>The transition a state update describes, or null when its HistoryData or timestamp cannot be read.</summary>
    internal static AlarmStateChange? ToChange(string arn, AlarmHistoryItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Timestamp is not { } at || string.IsNullOrEmpty(item.HistoryData))
        {
            return null;
        }

        AlarmHistoryData? data;
        try
        {
            data = JsonSerializer.Deserialize(item.HistoryData, CloudWatchJsonContext.Default.AlarmHistoryData);
        }
        catch (JsonException)
        {
            return null;
        }

        return data is { OldState.StateValue: { } from, NewState.StateValue: { } to }
            ? new AlarmStateChange(arn, at, ParseState(from), ParseState(to), data.NewState.StateReason ?? item.HistorySummary)
            : null;
    }

    internal static CloudWatchAlarm FromMetricAlarm(CollectionTarget target, MetricAlarm alarm, DateTimeOffset now)
    {
        // A metric math alarm names its metrics in Metrics; it watches a function when all of them are that one
        // function's AWS/Lambda metrics.
        var metrics = alarm.MetricName is not null
            ? [new CloudWatchMetric { Namespace = alarm.Namespace, MetricName = alarm.MetricName, Dimensions = alarm.Dimensions }]
            : (alarm.Metrics ?? []).Where(q => q.MetricStat is not null).Select(q => q.MetricStat!.Metric).ToList();
        var functions = metrics.Select(LambdaFunctionName).Distinct(StringComparer.Ordinal).ToList();
        var single = metrics.Count == 1 ? metrics[0] : null;
        return FromAlarm(target, alarm, "metric", now) with
        {
            FunctionName = functions is [{ } function] ? function : null,
            MetricName = single?.MetricName,
            Namespace = single?.Namespace,
        };
    }

    internal static CloudWatchAlarm FromCompositeAlarm(CollectionTarget target, CompositeAlarm alarm, DateTimeOffset now) =>
        FromAlarm(target, alarm, "composite", now) with { Rule = alarm.AlarmRule };

    private static CloudWatchAlarm FromAlarm(CollectionTarget target, IDescribedAlarm alarm, string kind, DateTimeOffset now) => new()
    {
        AccountId = target.AccountId,
        Region = target.Region,
        Name = alarm.AlarmName,
        Arn = alarm.AlarmArn,
        Kind = kind,
        State = ParseState(alarm.StateValue),
        StateReason = alarm.StateReason,
        StateUpdated = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp ?? now,
    };

    /// <summary>The FunctionName dimension of an AWS/Lambda metric (the Resource and ExecutedVersion dimensions narrow it further); else null.</summary>
    private static string? LambdaFunctionName(CloudWatchMetric metric) =>
        metric.Namespace == "AWS/Lambda"
            ? metric.Dimensions?.FirstOrDefault(d => d.Name == "FunctionName")?.Value
            : null;

    /// <summary>CloudWatch's three states; anything else (a state added later) reads as insufficient data, not as OK.</summary>
    private static AlarmState ParseState(string? value) => value switch
    {
        "OK" => AlarmState.Ok,
        "ALARM" => AlarmState.Alarm,
        _ => AlarmState.InsufficientData,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alarms of {Target}: {Alarms} alarms, {InAlarm} in alarm, {Retired} retired as deleted in AWS")]
    private static partial void LogPassCompleted(ILogger logger, CollectionTarget target, int alarms, int inAlarm, int retired);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alarm history of {Target} from {From} to {To}: {Changes} state changes, {Deleted} of alarms no longer listed skipped")]
    private static partial void LogHistoryRead(ILogger logger, CollectionTarget target, DateTimeOffset from, DateTimeOffset to, int changes, int deleted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alarm history of {Target}: {Count} state updates with unreadable HistoryData skipped (the first of alarm {Alarm} at {Timestamp})")]
    private static partial void LogHistoryMalformed(ILogger logger, CollectionTarget target, int count, string alarm, DateTimeOffset? timestamp);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alarm history of {Target} cannot be read: {Problem}")]
    private static partial void LogHistoryUnavailable(ILogger logger, Exception exception, CollectionTarget target, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alarm history of {Target}: state changes from {From} to {To} are older than {Setting} allows to catch up and are left out")]
    private static partial void LogHistoryGap(ILogger logger, CollectionTarget target, DateTimeOffset from, DateTimeOffset to, string setting);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alarm history of {Target} can be read again")]
    private static partial void LogHistoryAvailable(ILogger logger, CollectionTarget target);

    private const string HistoryLookbackSetting = AlarmsCollectorOptions.SectionName + ":" + nameof(AlarmsCollectorOptions.HistoryLookback);

    /// <summary>The state changes read from the history, and the checkpoint to write once they are stored.</summary>
    private sealed record HistoryWindow(string Key, DateTimeOffset End, IReadOnlyList<AlarmStateChange> Changes);
}
