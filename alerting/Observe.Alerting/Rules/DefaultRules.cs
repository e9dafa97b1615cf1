namespace Observe.Alerting.Rules;

/// <summary>
/// The rules a new install starts with, stored as dashboard rules so people can change or disable them. Modelled on
/// what the tools Observe's users know preconfigure (Datadog Serverless's fixed warnings, the Serverless Framework
/// dashboard's alerts, Baselime's first-occurrence and regression notices, AWS's recommended Lambda alarms); each
/// description says where its threshold comes from. They name no channel: a new install has none, so alerts show on
/// the Alerts page until someone adds one.
/// </summary>
internal static class DefaultRules
{
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    public static IReadOnlyList<RuleDefinition> All { get; } =
    [
        Rule("default-error-rate", "High error rate", RuleSignal.ErrorRate, ComparisonOperator.GreaterThan, 0.10, AlertSeverity.Critical, FiveMinutes,
            "More than 10% of a function's invocations failed over 5 minutes, the higher of Datadog Serverless's two error-rate warnings (1% and 10%)."),
        Rule("default-throttles", "Throttled invocations", RuleSignal.Throttles, ComparisonOperator.GreaterThan, 0, AlertSeverity.Warning, FiveMinutes,
            "Lambda rejected invocations for lack of concurrency for 5 minutes running; Throttles is one of AWS's recommended Lambda alarms and a throttled request is lost or retried."),
        Rule("default-p99-near-timeout", "p99 duration near the timeout", RuleSignal.DurationP99OfTimeout, ComparisonOperator.GreaterThan, 0.90, AlertSeverity.Warning, FiveMinutes,
            "The slowest 1% of invocations took over 90% of the configured timeout, the Serverless Framework dashboard's 'approaching timeout' threshold (Datadog warns at 95%)."),
        Rule("default-timeouts", "Timeouts", RuleSignal.Timeouts, ComparisonOperator.GreaterThan, 0, AlertSeverity.Critical, TimeSpan.Zero,
            "An invocation ran into its timeout and was killed, which Datadog Serverless and the Serverless Framework both alert on from the first one."),
        Rule("default-iterator-age", "Stream iterator falling behind", RuleSignal.IteratorAge, ComparisonOperator.GreaterThan, TimeSpan.FromHours(2).TotalMilliseconds, AlertSeverity.Warning, FiveMinutes,
            "The oldest record a stream-fed function read was over 2 hours old, Datadog Serverless's iterator-age warning: records near the stream's retention are about to be lost."),
        Rule("default-memory-near-limit", "Memory near the limit", RuleSignal.MemoryUsedOfLimit, ComparisonOperator.GreaterThan, 0.95, AlertSeverity.Warning, TimeSpan.Zero,
            "An invocation used over 95% of the configured memory, Datadog Serverless's threshold: the next larger payload runs out of memory."),
        Rule("default-new-error-group", "New error", RuleSignal.NewErrorGroup, null, null, AlertSeverity.Warning, TimeSpan.Zero,
            "An error never seen before occurred, notified on its first occurrence as Baselime and the Serverless Framework's 'new error type' do."),
        Rule("default-error-regression", "Resolved error came back", RuleSignal.ErrorRegression, null, null, AlertSeverity.Warning, TimeSpan.Zero,
            "An error someone marked resolved occurred again and was re-opened, as Baselime notifies a regression."),
        Rule("default-cloudwatch-alarm", "CloudWatch alarm in ALARM", RuleSignal.AlarmInAlarm, null, null, AlertSeverity.Warning, TimeSpan.Zero,
            "A CloudWatch alarm of a monitored account is in ALARM, so the alarms a team already has notify through the same channels (Lumigo imports them too)."),
        Rule("default-collector-failing", "Collector failing", RuleSignal.CollectorFailing, null, null, AlertSeverity.Critical, FiveMinutes,
            "A collector has failed for 5 minutes on an account and region, so every other rule there sees unknown figures and cannot alert."),
        Rule("default-duration-anomaly", "Unusual duration", RuleSignal.DurationAnomaly, null, null, AlertSeverity.Info, FiveMinutes,
            "The average duration over 5 minutes is over twice its median of the previous 48 hours, the Serverless Framework's 'unusual duration' check; no threshold to set."),
        Rule("default-invocations-anomaly", "Invocations escalated", RuleSignal.InvocationsAnomaly, null, null, AlertSeverity.Info, FiveMinutes,
            "Invocations over 5 minutes are 25% above their peak 5 minutes of the previous 48 hours, the Serverless Framework's 'escalated invocations' check; no threshold to set."),
    ];

    private static RuleDefinition Rule(
        string id, string name, RuleSignal signal, ComparisonOperator? comparison, double? threshold, AlertSeverity severity, TimeSpan pending, string description) => new()
        {
            Id = id,
            Name = name,
            Description = description,
            Condition = new RuleCondition(signal, comparison, threshold, RuleParser.DefaultWindow),
            For = pending,
            Severity = severity,
        };
}
