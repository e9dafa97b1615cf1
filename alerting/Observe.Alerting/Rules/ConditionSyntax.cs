using System.Globalization;
using System.Text.RegularExpressions;

namespace Observe.Alerting.Rules;

/// <summary>
/// The text of a rule's condition (<c>error_rate &gt; 5%</c>, <c>p99_duration &gt; 80% of timeout</c>,
/// <c>new_error_group</c>) and back. Percentages are kept as fractions, iterator age as milliseconds, counts as counts.
/// </summary>
internal static partial class ConditionSyntax
{
    private enum ValueKind
    {
        Count,
        Percent,
        Duration,
        None,
    }

    private sealed record Metric(string Keyword, RuleSignal Signal, ValueKind Kind, string? Of, string Example);

    private static readonly Metric[] Metrics =
    [
        new("error_rate", RuleSignal.ErrorRate, ValueKind.Percent, null, "error_rate > 5%"),
        new("errors", RuleSignal.Errors, ValueKind.Count, null, "errors >= 10"),
        new("throttles", RuleSignal.Throttles, ValueKind.Count, null, "throttles > 0"),
        new("p99_duration", RuleSignal.DurationP99OfTimeout, ValueKind.Percent, "timeout", "p99_duration > 80% of timeout"),
        new("cold_start_rate", RuleSignal.ColdStartRate, ValueKind.Percent, null, "cold_start_rate > 20%"),
        new("iterator_age", RuleSignal.IteratorAge, ValueKind.Duration, null, "iterator_age > 5m"),
        new("memory_used", RuleSignal.MemoryUsedOfLimit, ValueKind.Percent, "limit", "memory_used > 90% of limit"),
        new("timeouts", RuleSignal.Timeouts, ValueKind.Count, null, "timeouts > 0"),
        new("new_error_group", RuleSignal.NewErrorGroup, ValueKind.None, null, "new_error_group"),
        new("error_regression", RuleSignal.ErrorRegression, ValueKind.None, null, "error_regression"),
        new("alarm", RuleSignal.AlarmInAlarm, ValueKind.None, null, "alarm"),
        new("collector_failing", RuleSignal.CollectorFailing, ValueKind.None, null, "collector_failing"),
        new("duration_anomaly", RuleSignal.DurationAnomaly, ValueKind.None, null, "duration_anomaly"),
        new("invocations_anomaly", RuleSignal.InvocationsAnomaly, ValueKind.None, null, "invocations_anomaly"),
    ];

    private static readonly (string Text, ComparisonOperator Operator)[] Operators =
    [
        (">=", ComparisonOperator.GreaterOrEqual),
        ("<=", ComparisonOperator.LessOrEqual),
        (">", ComparisonOperator.GreaterThan),
        ("<", ComparisonOperator.LessThan),
    ];

    /// <summary>Every metric keyword, in the order error messages list them.</summary>
    public static IReadOnlyList<string> Keywords { get; } = [.. Metrics.Select(m => m.Keyword)];

    [GeneratedRegex(@"^(?<metric>[A-Za-z0-9_]+)(?:\s*(?<op>>=|<=|>|<|==|=|!=)\s*(?<value>[^\s]+)(?:\s+of\s+(?<of>[A-Za-z_]+))?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    /// <summary>
    /// Parses a condition's text into its signal, operator and threshold; <paramref name="error"/> says what is wrong
    /// (without the field's path, which the caller knows).
    /// </summary>
    public static bool TryParse(string text, out RuleSignal signal, out ComparisonOperator? comparison, out double? threshold, out string error)
    {
        signal = default;
        comparison = null;
        threshold = null;
        var shape = Shape().Match(text.Trim());
        if (!shape.Success)
        {
            var first = text.Trim().Split(' ', 2)[0];
            error = Metrics.Any(m => m.Keyword == first)
                ? $"'{text}' is not a condition (write it like {Metrics.First(m => m.Keyword == first).Example})"
                : $"'{text}' is not a condition (write a metric, a comparison and a threshold, like error_rate > 5%)";
            return false;
        }

        var keyword = shape.Groups["metric"].Value;
        var metric = Metrics.FirstOrDefault(m => m.Keyword == keyword);
        if (metric is null)
        {
            error = $"unknown metric '{keyword}' (expected one of {string.Join(", ", Keywords)})";
            return false;
        }

        signal = metric.Signal;
        if (metric.Kind == ValueKind.None)
        {
            error = shape.Groups["op"].Success ? $"{keyword} takes no comparison or threshold (write {metric.Example})" : "";
            return !shape.Groups["op"].Success;
        }

        if (!shape.Groups["op"].Success)
        {
            error = $"{keyword} needs a comparison and a threshold (write it like {metric.Example})";
            return false;
        }

        var opText = shape.Groups["op"].Value;
        var op = Operators.FirstOrDefault(o => o.Text == opText);
        if (op.Text is null)
        {
            error = $"unknown comparison '{opText}' (expected one of >, >=, <, <=)";
            return false;
        }

        comparison = op.Operator;
        var of = shape.Groups["of"].Success ? shape.Groups["of"].Value : null;
        if (of != metric.Of)
        {
            error = metric.Of is null
                ? $"{keyword} is not compared with a part of anything ('of {of}'; write it like {metric.Example})"
                : $"{keyword} is compared with a part of its {metric.Of} (write it like {metric.Example})";
            return false;
        }

        var value = shape.Groups["value"].Value;
        return metric.Kind switch
        {
            ValueKind.Percent => TryParsePercent(keyword, metric.Example, value, out threshold, out error),
            ValueKind.Duration => TryParseDuration(keyword, metric.Example, value, out threshold, out error),
            _ => TryParseCount(keyword, metric.Example, value, out threshold, out error),
        };
    }

    /// <summary>The text <see cref="TryParse"/> reads back as <paramref name="condition"/>'s signal, operator and threshold.</summary>
    public static string Format(RuleCondition condition)
    {
        var metric = Metrics.First(m => m.Signal == condition.Signal);
        if (metric.Kind == ValueKind.None)
        {
            return metric.Keyword;
        }

        var op = Operators.First(o => o.Operator == (condition.Operator ?? ComparisonOperator.GreaterThan)).Text;
        var threshold = condition.Threshold ?? 0;
        var value = metric.Kind switch
        {
            // Through decimal so 0.07 is written 7%, not 7.000000000000001%.
            ValueKind.Percent => ((decimal)threshold * 100).ToString("0.############################", CultureInfo.InvariantCulture) + "%",
            ValueKind.Duration => RuleDurations.Format(TimeSpan.FromMilliseconds(threshold)),
            _ => threshold.ToString("R", CultureInfo.InvariantCulture),
        };
        return metric.Of is null ? $"{metric.Keyword} {op} {value}" : $"{metric.Keyword} {op} {value} of {metric.Of}";
    }

    private static bool TryParsePercent(string keyword, string example, string value, out double? threshold, out string error)
    {
        threshold = null;
        if (!value.EndsWith('%'))
        {
            error = $"{keyword} is a percentage: write the threshold with % (like {example})";
            return false;
        }

        if (!decimal.TryParse(value[..^1], NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var percent))
        {
            error = $"'{value}' is not a percentage (like {example})";
            return false;
        }

        if (percent is < 0 or > 100)
        {
            error = $"threshold {value} is outside 0-100%";
            return false;
        }

        threshold = (double)(percent / 100);
        error = "";
        return true;
    }

    private static bool TryParseDuration(string keyword, string example, string value, out double? threshold, out string error)
    {
        threshold = null;
        if (!RuleDurations.TryParse(value, out var duration))
        {
            error = $"{keyword} is a duration: '{value}' is not one (write it like {example})";
            return false;
        }

        if (duration < TimeSpan.Zero)
        {
            error = $"threshold {value} is negative";
            return false;
        }

        threshold = duration.TotalMilliseconds;
        error = "";
        return true;
    }

    private static bool TryParseCount(string keyword, string example, string value, out double? threshold, out string error)
    {
        threshold = null;
        if (value.EndsWith('%'))
        {
            error = $"{keyword} is a count: write the threshold without % (like {example})";
            return false;
        }

        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count)
            || !double.IsFinite(count))
        {
            error = $"'{value}' is not a number (write it like {example})";
            return false;
        }

        if (count < 0)
        {
            error = $"threshold {value} is negative";
            return false;
        }

        threshold = count;
        error = "";
        return true;
    }
}
