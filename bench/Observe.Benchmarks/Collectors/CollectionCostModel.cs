using Observe.Collectors.Alarms;
using Observe.Collectors.Aws;
using Observe.Collectors.LogCollection;
using Observe.Collectors.Traces;

namespace Observe.Benchmarks.Collectors;

/// <summary>A day of one billed kind: the units AWS bills and their list price.</summary>
public sealed record BilledDay(BilledAs Kind, string Basis, long Units, decimal Dollars);

/// <summary>
/// What the other billed APIs cost a day for the metrics benchmark's fleets (one account and region), worked out from
/// the collectors' default settings and stated fleet assumptions, priced with <see cref="AwsBilling"/> at the default
/// <see cref="AwsPriceOptions"/>. Arithmetic, not a run: unlike GetMetricData these costs scale with what the
/// fleet logs and traces, which a fake cannot know, so each assumption is a parameter:
/// <list type="bullet">
/// <item>an active function-minute is one invocation, writing <see cref="LogBytesPerInvocation"/> of log and traced by
/// X-Ray (Lambda's default sampling traces the first request each second);</item>
/// <item><see cref="FaultyShare"/> of traces have a fault, error or throttle;</item>
/// <item>one CloudWatch alarm per function, and one page of alarm history a pass;</item>
/// <item>Live Tail is priced per viewer-hour: it is what people watch, not what the fleet does.</item>
/// </list>
/// </summary>
public static class CollectionCostModel
{
    public const long LogBytesPerInvocation = 1024;
    public const double FaultyShare = 0.01;

    /// <summary>Function-minutes with invocations a day, as <see cref="MetricsCostProfile"/> defines the fleets.</summary>
    public static long ActiveFunctionMinutes(int functions, MetricsCostProfile profile) => profile == MetricsCostProfile.AllBusy
        ? functions * 1440L
        : (long)(functions * 0.15 * 1440) + (long)(functions * 0.35 * 24);

    public static IReadOnlyList<BilledDay> Day(int functions, MetricsCostProfile profile, MetricsCostResult? measuredMetrics = null)
    {
        var prices = new AwsPriceOptions();
        var logs = new LogsCollectorOptions();
        var traces = new TracesCollectorOptions();
        var alarms = new AlarmsCollectorOptions();
        var invocations = ActiveFunctionMinutes(functions, profile);
        var passes = (long)(TimeSpan.FromDays(1) / logs.Interval);
        var rows = new List<BilledDay>();

        if (measuredMetrics is not null)
        {
            rows.Add(new BilledDay(BilledAs.CloudWatchMetrics, "measured: GetMetricData metrics a day", measuredMetrics.MetricsPerDay,
                AwsBilling.Cost(BilledAs.CloudWatchMetrics, measuredMetrics.MetricsPerDay, prices)));
        }

        // CloudWatch requests: ListMetrics (measured with the metrics) and the alarms collector's pages each pass.
        var alarmPasses = (long)(TimeSpan.FromDays(1) / alarms.Interval);
        var requests = (alarmPasses * ((functions + 99) / 100 + 1)) + (measuredMetrics?.ListMetricsCallsPerDay ?? 0);
        rows.Add(new BilledDay(BilledAs.CloudWatchRequests, "DescribeAlarms pages of 100 + 1 DescribeAlarmHistory a pass" + (measuredMetrics is null ? "" : ", and ListMetrics (measured)"), requests,
            AwsBilling.Cost(BilledAs.CloudWatchRequests, requests, prices)));

        // Insights (Auto picks it for this many groups): one query per 50 groups each pass, scanning the pass's window,
        // Interval + Overlap, so every byte is scanned (Interval + Overlap) / Interval times.
        var mode = LogsCostModel.Choose(functions, logs.ExpectedEventsPerGroup, logs, DateTimeOffset.UnixEpoch).Mode;
        var rescans = (logs.Interval + logs.Overlap) / logs.Interval;
        var scanned = mode == LogsReadMode.Insights ? (long)(rescans * invocations * LogBytesPerInvocation) : 0;
        rows.Add(new BilledDay(BilledAs.InsightsBytesScanned, $"{mode}: each logged byte scanned {rescans:0.#} times", scanned,
            AwsBilling.Cost(BilledAs.InsightsBytesScanned, scanned, prices)));

        rows.Add(new BilledDay(BilledAs.LiveTailSessionSeconds, "one viewer-hour a day", 3600, AwsBilling.Cost(BilledAs.LiveTailSessionSeconds, 3600, prices)));

        // X-Ray: a fault query and a sampled query per pass over Interval + LateArrival, so each trace is scanned
        // 2 x (Interval + LateArrival) / Interval times; faulty and sampled traces are retrieved once, within the pass cap.
        var traceRescans = 2 * ((traces.Interval + traces.LateArrival) / traces.Interval);
        var tracesScanned = (long)(traceRescans * invocations);
        rows.Add(new BilledDay(BilledAs.XRayTracesScanned, $"each trace scanned {traceRescans:0.#} times", tracesScanned,
            AwsBilling.Cost(BilledAs.XRayTracesScanned, tracesScanned, prices)));
        var retrieved = Math.Min((long)((traces.SampleRate + FaultyShare) * invocations), traces.MaxTracesPerPass * passes);
        rows.Add(new BilledDay(BilledAs.XRayTracesRetrieved, $"{traces.SampleRate:P0} sampled + {FaultyShare:P0} faulty", retrieved,
            AwsBilling.Cost(BilledAs.XRayTracesRetrieved, retrieved, prices)));
        return rows;
    }
}
