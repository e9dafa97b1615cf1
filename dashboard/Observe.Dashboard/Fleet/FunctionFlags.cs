using System.Globalization;
using Observe.Store.Model;

namespace Observe.Dashboard.Fleet;

/// <summary>What a flag says about a function (issue 11, item 2).</summary>
public enum FlagKind
{
    RuntimeDeprecated,
    RuntimeDeprecatingSoon,
    RuntimeUnknown,
    Unused,
    Unowned,
    OverProvisioned,
    NearMemoryLimit,
    NearTimeout,
    Timeouts,
    ErrorRateHigh,
    ErrorRateCritical,
    Throttled,
    HighColdStartRate,
    IteratorAgeHigh,
}

/// <summary>Critical: failing or unsupported now. Warning: close to failing. Info: housekeeping.</summary>
public enum FlagSeverity
{
    Critical,
    Warning,
    Info,
}

/// <summary>
/// A flag raised on one function. <see cref="Rule"/> is the sentence shown on hover: the function's figure, the
/// threshold and the setting that holds it.
/// </summary>
public sealed record FunctionFlag(FlagKind Kind, FlagSeverity Severity, string Title, string Rule);

/// <summary>A flag kind for legends and summary cards: its name, usual severity and rule.</summary>
public sealed record FlagDescription(FlagKind Kind, FlagSeverity Severity, string Name, string Rule);

/// <summary>
/// Raises the fleet flags of one function from its configuration, its figures over a range and the runtime table.
/// A figure that is unknown raises no flag and clears none: the grid shows the figure itself as unknown.
/// </summary>
public sealed class FunctionFlagRules
{
    private const string Section = FleetOptions.SectionName;

    /// <summary>Lambda's smallest memory size: a function at it cannot be given less, so it is never over-provisioned.</summary>
    private const int MinimumMemoryMb = 128;

    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    private readonly FleetOptions _options;
    private readonly RuntimeCatalog _catalog;

    public FunctionFlagRules(FleetOptions options, RuntimeCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        _options = options;
        _catalog = catalog;
    }

    /// <summary>Every kind, in the order legends list them.</summary>
    public static IReadOnlyList<FlagKind> Kinds { get; } = Enum.GetValues<FlagKind>();

    /// <param name="function">The function as the inventory last saw it.</param>
    /// <param name="stats">Its figures over <paramref name="range"/>; null when the store has none (no metric flag is raised then).</param>
    /// <param name="lastInvocation">Its last invocation over everything stored; null when none is stored.</param>
    /// <param name="range">The range <paramref name="stats"/> covers.</param>
    /// <param name="now">The time of the evaluation: the runtime's date and "unused" are judged at it.</param>
    /// <param name="collectedSince">
    /// The earliest time the store holds figures for (<c>FleetOverview.FirstData</c>); when given and less than
    /// <c>UnusedDays</c> ago, "unused" is not decided, since an invocation before collection began would not be stored.
    /// </param>
    /// <returns>The flags, most severe first.</returns>
    public IReadOnlyList<FunctionFlag> Evaluate(
        LambdaFunction function,
        FunctionStats? stats,
        DateTimeOffset? lastInvocation,
        TimeRange range,
        DateTimeOffset now,
        DateTimeOffset? collectedSince = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        var flags = new List<FunctionFlag>();
        AddRuntime(flags, function, now);
        AddUnused(flags, function, lastInvocation, now, collectedSince);
        AddUnowned(flags, function);
        if (stats is not null)
        {
            AddMemory(flags, function, stats);
            AddDuration(flags, function, stats);
            AddRates(flags, stats);
            AddIteratorAge(flags, function, stats);
        }

        return flags.OrderBy(f => f.Severity).ThenBy(f => f.Kind).ToList();
    }

    /// <summary>The name, usual severity and rule of a kind, naming the setting but not its value (legends).</summary>
    public static FlagDescription Describe(FlagKind kind) => kind switch
    {
        FlagKind.RuntimeDeprecated => new(kind, FlagSeverity.Critical, "Runtime deprecated", "The runtime is past AWS's deprecation date: no more security patches, then no creating or updating functions on it."),
        FlagKind.RuntimeDeprecatingSoon => new(kind, FlagSeverity.Warning, "Runtime deprecating soon", $"AWS deprecates the runtime within {Section}:DeprecationNoticeDays days."),
        FlagKind.RuntimeUnknown => new(kind, FlagSeverity.Info, "Runtime unknown", "The runtime is not in Observe's table of AWS's runtime dates, so whether it is supported is unknown."),
        FlagKind.Unused => new(kind, FlagSeverity.Info, "Unused", $"No invocation for {Section}:UnusedDays days, and not changed in that time either."),
        FlagKind.Unowned => new(kind, FlagSeverity.Info, "Unowned", $"None of the tags of {Section}:OwnerTagKeys names an owner."),
        FlagKind.OverProvisioned => new(kind, FlagSeverity.Info, "Over-provisioned memory", $"The most memory any invocation used is below {Section}:OverProvisionedMemoryRatio of the memory configured."),
        FlagKind.NearMemoryLimit => new(kind, FlagSeverity.Warning, "Near memory limit", $"The most memory an invocation used is above {Section}:NearMemoryLimitRatio of the memory configured."),
        FlagKind.NearTimeout => new(kind, FlagSeverity.Warning, "Near timeout", $"The p99 duration is above {Section}:NearTimeoutRatio of the timeout."),
        FlagKind.Timeouts => new(kind, FlagSeverity.Warning, "Timeouts", "An invocation report says an invocation timed out."),
        FlagKind.ErrorRateHigh => new(kind, FlagSeverity.Warning, "High error rate", $"Errors per invocation above {Section}:ErrorRateWarning, over at least {Section}:MinimumInvocations invocations."),
        FlagKind.ErrorRateCritical => new(kind, FlagSeverity.Critical, "Critical error rate", $"Errors per invocation above {Section}:ErrorRateCritical, over at least {Section}:MinimumInvocations invocations."),
        FlagKind.Throttled => new(kind, FlagSeverity.Warning, "Throttled", "Lambda throttled invocations: concurrency ran out."),
        FlagKind.HighColdStartRate => new(kind, FlagSeverity.Warning, "High cold-start rate", $"Cold starts per invocation above {Section}:ColdStartRate, over at least {Section}:MinimumInvocations invocations."),
        FlagKind.IteratorAgeHigh => new(kind, FlagSeverity.Warning, "Iterator age high", $"A stream consumer's iterator age went above {Section}:IteratorAgeMs: it is falling behind its stream."),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a flag kind"),
    };

    /// <summary>The rule of a kind with the thresholds in force, for summary cards.</summary>
    public string Explain(FlagKind kind) => kind switch
    {
        FlagKind.RuntimeDeprecatingSoon => Invariant($"AWS deprecates the runtime within {_options.DeprecationNoticeDays} days ({Section}:DeprecationNoticeDays)."),
        FlagKind.Unused => Invariant($"No invocation for {_options.UnusedDays} days, and not changed in that time either ({Section}:UnusedDays)."),
        FlagKind.Unowned => Invariant($"No tag named {string.Join(" or ", _options.EffectiveOwnerTagKeys)} ({Section}:OwnerTagKeys)."),
        FlagKind.OverProvisioned => Invariant($"The most memory any invocation used is below {Percent(_options.OverProvisionedMemoryRatio)} of the memory configured ({Section}:OverProvisionedMemoryRatio)."),
        FlagKind.NearMemoryLimit => Invariant($"The most memory an invocation used is above {Percent(_options.NearMemoryLimitRatio)} of the memory configured ({Section}:NearMemoryLimitRatio)."),
        FlagKind.NearTimeout => Invariant($"The p99 duration is above {Percent(_options.NearTimeoutRatio)} of the timeout ({Section}:NearTimeoutRatio)."),
        FlagKind.ErrorRateHigh => Invariant($"Errors per invocation above {Percent(_options.ErrorRateWarning)} ({Section}:ErrorRateWarning), over at least {_options.MinimumInvocations} invocations ({Section}:MinimumInvocations)."),
        FlagKind.ErrorRateCritical => Invariant($"Errors per invocation above {Percent(_options.ErrorRateCritical)} ({Section}:ErrorRateCritical), over at least {_options.MinimumInvocations} invocations ({Section}:MinimumInvocations)."),
        FlagKind.HighColdStartRate => Invariant($"Cold starts per invocation above {Percent(_options.ColdStartRate)} ({Section}:ColdStartRate), over at least {_options.MinimumInvocations} invocations ({Section}:MinimumInvocations)."),
        FlagKind.IteratorAgeHigh => Invariant($"A stream consumer's iterator age went above {Duration(_options.IteratorAgeMs)} ({Section}:IteratorAgeMs)."),
        _ => Describe(kind).Rule,
    };

    private void AddRuntime(List<FunctionFlag> flags, LambdaFunction function, DateTimeOffset now)
    {
        var status = _catalog.Classify(function.Runtime, function.PackageType, DateOnly.FromDateTime(now.UtcDateTime), _options.DeprecationNoticeDays);
        switch (status.Support)
        {
            case RuntimeSupport.Deprecated:
                flags.Add(Flag(FlagKind.RuntimeDeprecated, status.Explanation));
                break;
            case RuntimeSupport.DeprecatingSoon:
                flags.Add(Flag(FlagKind.RuntimeDeprecatingSoon, Invariant($"{status.Explanation} Flagged {_options.DeprecationNoticeDays} days ahead ({Section}:DeprecationNoticeDays).")));
                break;
            case RuntimeSupport.Unknown:
                flags.Add(Flag(FlagKind.RuntimeUnknown, status.Explanation));
                break;
        }
    }

    private void AddUnused(List<FunctionFlag> flags, LambdaFunction function, DateTimeOffset? lastInvocation, DateTimeOffset now, DateTimeOffset? collectedSince)
    {
        var since = now - TimeSpan.FromDays(_options.UnusedDays);
        if (function.LastModified > since || collectedSince > since || lastInvocation > since)
        {
            return;
        }

        var last = lastInvocation is { } at ? Invariant($"last invocation stored {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC") : "no invocation stored";
        flags.Add(Flag(FlagKind.Unused, Invariant(
            $"No invocation in the last {_options.UnusedDays} days ({last}), and unchanged since {function.LastModified.UtcDateTime:yyyy-MM-dd} ({Section}:UnusedDays).")));
    }

    private void AddUnowned(List<FunctionFlag> flags, LambdaFunction function)
    {
        if (_options.FindOwner(function.Tags) is null)
        {
            flags.Add(Flag(FlagKind.Unowned, Invariant($"No tag named {string.Join(" or ", _options.EffectiveOwnerTagKeys)} with a value ({Section}:OwnerTagKeys).")));
        }
    }

    private void AddMemory(List<FunctionFlag> flags, LambdaFunction function, FunctionStats stats)
    {
        // Lambda Insights measures every invocation where the extension runs; otherwise max memory used comes from the
        // invocation reports only, and without any in the range it is unknown.
        var (used, basis) = stats.InsightsUsedMemoryMaxMb is { } insights
            ? ((double?)insights, "Lambda Insights' used_memory_max")
            : (stats.Reports > 0 ? stats.MaxMemoryUsedMb : null, Invariant($"{stats.Reports:#,0} invocation reports"));
        if (used is not { } max || function.MemoryMb <= 0)
        {
            return;
        }

        var configured = function.MemoryMb;
        if (max > _options.NearMemoryLimitRatio * configured)
        {
            flags.Add(Flag(FlagKind.NearMemoryLimit, Invariant(
                $"Max memory used {max:0} MB is over {Percent(_options.NearMemoryLimitRatio)} of the {configured} MB configured ({Section}:NearMemoryLimitRatio), from {basis}.")));
        }
        else if (max < _options.OverProvisionedMemoryRatio * configured && configured > MinimumMemoryMb)
        {
            flags.Add(Flag(FlagKind.OverProvisioned, Invariant(
                $"Max memory used {max:0} MB is under {Percent(_options.OverProvisionedMemoryRatio)} of the {configured} MB configured ({Section}:OverProvisionedMemoryRatio), from {basis}.")));
        }
    }

    private void AddDuration(List<FunctionFlag> flags, LambdaFunction function, FunctionStats stats)
    {
        var timeoutMs = function.TimeoutSeconds * 1000d;
        if (stats.DurationP99MaxMs is { } p99 && timeoutMs > 0 && p99 > _options.NearTimeoutRatio * timeoutMs)
        {
            flags.Add(Flag(FlagKind.NearTimeout, Invariant(
                $"p99 duration {Duration(p99)} is over {Percent(_options.NearTimeoutRatio)} of the {Duration(timeoutMs)} timeout ({Section}:NearTimeoutRatio); the highest per-minute p99 in the range.")));
        }

        if (stats.Timeouts > 0)
        {
            flags.Add(Flag(FlagKind.Timeouts, Invariant(
                $"{stats.Timeouts:#,0} {(stats.Timeouts == 1 ? "invocation" : "invocations")} timed out after {Duration(timeoutMs)} in the range (invocation reports with status timeout); any timeout is flagged.")));
        }
    }

    private void AddRates(List<FunctionFlag> flags, FunctionStats stats)
    {
        if (stats.Throttles > 0)
        {
            flags.Add(Flag(FlagKind.Throttled, Invariant($"{stats.Throttles:#,0} throttled invocations in the range; any throttle is flagged.")));
        }

        // Rates on a handful of invocations are noise: one error in three is 33%.
        if (stats.Invocations < _options.MinimumInvocations)
        {
            return;
        }

        // While some minutes' error counts are unread, Errors is only a lower bound: the rate is unknown.
        if (stats.UnreadErrorInvocations <= 0)
        {
            var rate = stats.Errors / stats.Invocations;
            var (kind, threshold, setting) = rate > _options.ErrorRateCritical
                ? (FlagKind.ErrorRateCritical, _options.ErrorRateCritical, "ErrorRateCritical")
                : (FlagKind.ErrorRateHigh, _options.ErrorRateWarning, "ErrorRateWarning");
            if (rate > threshold)
            {
                flags.Add(Flag(kind, Invariant(
                    $"Error rate {Percent(rate)} ({stats.Errors:#,0} errors in {stats.Invocations:#,0} invocations) is over {Percent(threshold)} ({Section}:{setting}).")));
            }
        }

        // Cold starts are counted from invocation reports: without any in the range they are unknown, not zero.
        if (stats.Reports > 0)
        {
            var coldRate = stats.ColdStarts / stats.Invocations;
            if (coldRate > _options.ColdStartRate)
            {
                flags.Add(Flag(FlagKind.HighColdStartRate, Invariant(
                    $"Cold-start rate {Percent(coldRate)} ({stats.ColdStarts:#,0} cold starts in {stats.Invocations:#,0} invocations) is over {Percent(_options.ColdStartRate)} ({Section}:ColdStartRate).")));
            }
        }
    }

    private void AddIteratorAge(List<FunctionFlag> flags, LambdaFunction function, FunctionStats stats)
    {
        // Iterator age exists for stream event sources only; a value on a function without one is not judged.
        if (function.EventSources.Count > 0 && stats.IteratorAgeMaxMs is { } age && age > _options.IteratorAgeMs)
        {
            flags.Add(Flag(FlagKind.IteratorAgeHigh, Invariant(
                $"Iterator age reached {Duration(age)}, over {Duration(_options.IteratorAgeMs)} ({Section}:IteratorAgeMs): the consumer is behind its stream.")));
        }
    }

    private static FunctionFlag Flag(FlagKind kind, string rule)
    {
        var description = Describe(kind);
        return new FunctionFlag(kind, description.Severity, description.Name, rule);
    }

    /// <summary>0.8 as 80%, 0.0125 as 1.25%.</summary>
    private static string Percent(double ratio) => (ratio * 100).ToString("0.##", Culture) + "%";

    /// <summary>950 ms, 2.71 s, 7.5 min.</summary>
    private static string Duration(double ms) => ms switch
    {
        < 1000 => ms.ToString("0.#", Culture) + " ms",
        < 60_000 => (ms / 1000).ToString("0.##", Culture) + " s",
        _ => (ms / 60_000).ToString("0.#", Culture) + " min",
    };

    private static string Invariant(FormattableString text) => text.ToString(Culture);
}
