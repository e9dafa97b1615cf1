using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Collectors.CloudWatch;
using Observe.Collectors.Collection;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Alarms;

/// <summary>
/// Reads every metric and composite alarm of a target with DescribeAlarms and writes them to the store, which records
/// each state change in the alarm's history. The history is what this collector saw between passes: a flap that
/// starts and ends within one interval is missed (DescribeAlarmHistory would have it, at one more call per alarm).
/// </summary>
/// <remarks>
/// The store keeps alarms until they are replaced, so an alarm deleted in AWS would otherwise stay in its last state
/// forever, possibly "in alarm". After a complete listing, a stored alarm of the target that AWS no longer returns is
/// written once more as <see cref="AlarmState.InsufficientData"/> with the reason <see cref="DeletedReason"/>: it leaves
/// every "in alarm" view, the transition is in its history, and an alarm created again under the same name (same ARN)
/// simply takes its new state.
/// </remarks>
internal sealed partial class AlarmsCollector(
    Aws.IAwsClientFactory clients,
    IObserveStore store,
    IOptions<AlarmsCollectorOptions> options,
    TimeProvider time,
    ILogger<AlarmsCollector> logger) : ICollector
{
    /// <summary>The state reason of an alarm that DescribeAlarms no longer returns.</summary>
    public const string DeletedReason = "Deleted in AWS: DescribeAlarms no longer returns this alarm";

    private readonly AlarmsCollectorOptions _options = options.Value;

    public string Name => "alarms";

    public TimeSpan Interval => _options.Interval;

    public async Task CollectAsync(CollectionTarget target, CancellationToken cancellationToken)
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

        var retired = new List<CloudWatchAlarm>();
        foreach (var stored in await store.GetAlarmsAsync(new FleetFilter(target.AccountId, target.Region), null, cancellationToken).ConfigureAwait(false))
        {
            if (!alarms.ContainsKey(stored.Arn) && !(stored.State == AlarmState.InsufficientData && stored.StateReason == DeletedReason))
            {
                retired.Add(stored with { State = AlarmState.InsufficientData, StateReason = DeletedReason, StateUpdated = now });
            }
        }

        await store.UpsertAlarmsAsync([.. alarms.Values, .. retired], cancellationToken).ConfigureAwait(false);
        LogPassCompleted(logger, target, alarms.Count, alarms.Values.Count(a => a.State == AlarmState.Alarm), retired.Count);
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
        FromAlarm(target, alarm, "composite", now);

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
}
