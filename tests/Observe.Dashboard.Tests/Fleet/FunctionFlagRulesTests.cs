using Observe.Dashboard.Fleet;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Fleet;

public class FunctionFlagRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeRange Range = TimeRange.Last(TimeSpan.FromDays(7), Now);
    private static readonly FunctionKey Key = new("111122223333", "us-east-1", "orders");
    private static readonly FunctionFlagRules Rules = new(new FleetOptions(), RuntimeCatalog.Default);

    /// <summary>A healthy function: supported runtime, owned, changed long ago, invoked a minute ago.</summary>
    private static LambdaFunction Function(
        string? runtime = "nodejs24.x",
        int memoryMb = 1024,
        int timeoutSeconds = 3,
        IReadOnlyDictionary<string, string>? tags = null,
        DateTimeOffset? lastModified = null,
        IReadOnlyList<EventSourceMapping>? eventSources = null,
        string packageType = "Zip") => new()
        {
            Key = Key,
            Arn = "arn:aws:lambda:us-east-1:111122223333:function:orders",
            Runtime = runtime,
            PackageType = packageType,
            MemoryMb = memoryMb,
            TimeoutSeconds = timeoutSeconds,
            Tags = tags ?? new Dictionary<string, string> { ["team"] = "payments" },
            LastModified = lastModified ?? Now.AddDays(-200),
            EventSources = eventSources ?? [],
        };

    /// <summary>Figures that raise nothing: 1,000 invocations, no errors, 2 cold starts, 500 MB of 1024 used.</summary>
    private static FunctionStats Stats(
        double invocations = 1_000,
        double errors = 0,
        double unreadErrors = 0,
        double throttles = 0,
        double coldStarts = 2,
        double? p99 = 100,
        double? iteratorAge = null,
        int reports = 50,
        int? maxMemory = 500,
        int timeouts = 0) => new()
        {
            Function = Key,
            Invocations = invocations,
            Errors = errors,
            UnreadErrorInvocations = unreadErrors,
            Throttles = throttles,
            ColdStarts = coldStarts,
            DurationP99MaxMs = p99,
            IteratorAgeMaxMs = iteratorAge,
            Reports = reports,
            MaxMemoryUsedMb = maxMemory,
            Timeouts = timeouts,
        };

    private static IReadOnlyList<FunctionFlag> Evaluate(LambdaFunction function, FunctionStats? stats, DateTimeOffset? lastInvocation = null, DateTimeOffset? collectedSince = null) =>
        Rules.Evaluate(function, stats, lastInvocation ?? Now.AddMinutes(-1), Range, Now, collectedSince);

    private static FunctionFlag Single(IReadOnlyList<FunctionFlag> flags, FlagKind kind) => Assert.Single(flags, f => f.Kind == kind);

    [Fact]
    public void Evaluate_HealthyFunction_NoFlags() => Assert.Empty(Evaluate(Function(), Stats()));

    [Fact]
    public void Evaluate_DeprecatedRuntime_CriticalWithTheDates()
    {
        var flag = Single(Evaluate(Function(runtime: "nodejs18.x"), Stats()), FlagKind.RuntimeDeprecated);

        Assert.Equal(FlagSeverity.Critical, flag.Severity);
        Assert.Equal("Runtime deprecated", flag.Title);
        Assert.StartsWith("Node.js 18 (nodejs18.x) has been deprecated since 2025-09-01", flag.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_RuntimeDeprecatedWithinTheNotice_WarningNamingTheSetting()
    {
        // python3.11 is deprecated on 2027-06-30: 220 days after Now, inside a 365-day notice, outside the default 180.
        Assert.DoesNotContain(Evaluate(Function(runtime: "python3.11"), Stats()), f => f.Kind == FlagKind.RuntimeDeprecatingSoon);

        var rules = new FunctionFlagRules(new FleetOptions { DeprecationNoticeDays = 365 }, RuntimeCatalog.Default);
        var flag = Single(rules.Evaluate(Function(runtime: "python3.11"), Stats(), Now, Range, Now), FlagKind.RuntimeDeprecatingSoon);

        Assert.Equal(FlagSeverity.Warning, flag.Severity);
        Assert.Equal("Python 3.11 (python3.11) is deprecated on 2027-06-30, in 220 days. AWS blocks creating functions on it from 2027-07-29 and updating them from 2027-08-31. Flagged 365 days ahead (Observe:Fleet:DeprecationNoticeDays).", flag.Rule);
    }

    [Fact]
    public void Evaluate_RuntimeMissingFromTheTable_Unknown()
    {
        var flag = Single(Evaluate(Function(runtime: "nodejs99.x"), Stats()), FlagKind.RuntimeUnknown);

        Assert.Contains("not in Observe's runtime table", flag.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ContainerImage_NoRuntimeFlag() =>
        Assert.Empty(Evaluate(Function(runtime: null, packageType: "Image"), Stats()));

    [Fact]
    public void Evaluate_NoInvocationForThirtyDays_Unused()
    {
        var flag = Single(Evaluate(Function(), null, lastInvocation: Now.AddDays(-31)), FlagKind.Unused);

        Assert.Equal(FlagSeverity.Info, flag.Severity);
        Assert.Equal("No invocation in the last 30 days (last invocation stored 2026-10-22 12:00 UTC), and unchanged since 2026-05-06 (Observe:Fleet:UnusedDays).", flag.Rule);
    }

    [Fact]
    public void Evaluate_NeverInvoked_UnusedSaysNoneStored()
    {
        var flags = Rules.Evaluate(Function(), null, null, Range, Now);

        Assert.Contains("(no invocation stored)", Single(flags, FlagKind.Unused).Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_InvokedTwentyNineDaysAgo_NotUnused() =>
        Assert.Empty(Evaluate(Function(), null, lastInvocation: Now.AddDays(-29)));

    [Fact]
    public void Evaluate_ChangedRecentlyButNeverInvoked_NotUnused() =>
        Assert.Empty(Rules.Evaluate(Function(lastModified: Now.AddDays(-3)), null, null, Range, Now));

    [Fact]
    public void Evaluate_CollectionBeganLessThanUnusedDaysAgo_UnusedNotDecided() =>
        Assert.Empty(Rules.Evaluate(Function(), null, null, Range, Now, collectedSince: Now.AddDays(-10)));

    [Theory]
    [InlineData("Owner", "alice", false)]
    [InlineData("TEAM", "payments", false)]
    [InlineData("cost-center", "42", true)]
    [InlineData("owner", " ", true)]
    public void Evaluate_OwnerTagKeys_MatchedCaseInsensitively(string key, string value, bool unowned)
    {
        var flags = Evaluate(Function(tags: new Dictionary<string, string> { [key] = value }), Stats());

        Assert.Equal(unowned, flags.Any(f => f.Kind == FlagKind.Unowned));
    }

    [Fact]
    public void Evaluate_ConfiguredOwnerKeys_RuleListsThem()
    {
        var rules = new FunctionFlagRules(new FleetOptions { OwnerTagKeys = ["squad"] }, RuntimeCatalog.Default);

        var flag = Single(rules.Evaluate(Function(), Stats(), Now, Range, Now), FlagKind.Unowned);

        Assert.Equal("No tag named squad with a value (Observe:Fleet:OwnerTagKeys).", flag.Rule);
    }

    [Fact]
    public void Evaluate_MaxMemoryUnderThirtyPercent_OverProvisioned()
    {
        var flag = Single(Evaluate(Function(memoryMb: 1024), Stats(maxMemory: 300)), FlagKind.OverProvisioned);

        Assert.Equal("Max memory used 300 MB is under 30% of the 1024 MB configured (Observe:Fleet:OverProvisionedMemoryRatio), from 50 invocation reports.", flag.Rule);
    }

    [Fact]
    public void Evaluate_SmallestMemorySize_NeverOverProvisioned() =>
        Assert.Empty(Evaluate(Function(memoryMb: 128), Stats(maxMemory: 20)));

    [Fact]
    public void Evaluate_MaxMemoryOverNinetyPercent_NearMemoryLimit()
    {
        var flag = Single(Evaluate(Function(memoryMb: 1024), Stats(maxMemory: 1000)), FlagKind.NearMemoryLimit);

        Assert.Equal(FlagSeverity.Warning, flag.Severity);
        Assert.Equal("Max memory used 1000 MB is over 90% of the 1024 MB configured (Observe:Fleet:NearMemoryLimitRatio), from 50 invocation reports.", flag.Rule);
    }

    [Fact]
    public void Evaluate_LambdaInsightsMemory_WinsOverTheReports_EvenWithoutReports()
    {
        // The reports sampled 300 MB, Insights measured every invocation up to 1,000 MB: near the limit, not over-provisioned.
        var flag = Single(Evaluate(Function(memoryMb: 1024), Stats(maxMemory: 300) with { InsightsUsedMemoryMaxMb = 1000 }), FlagKind.NearMemoryLimit);
        Assert.Equal("Max memory used 1000 MB is over 90% of the 1024 MB configured (Observe:Fleet:NearMemoryLimitRatio), from Lambda Insights' used_memory_max.", flag.Rule);

        Assert.Equal(FlagKind.OverProvisioned, Assert.Single(Evaluate(Function(memoryMb: 1024), Stats(reports: 0, maxMemory: null, coldStarts: 0) with { InsightsUsedMemoryMaxMb = 100 })).Kind);
    }

    [Fact]
    public void Evaluate_NoInvocationReports_NoMemoryFlag() =>
        Assert.Empty(Evaluate(Function(memoryMb: 1024), Stats(reports: 0, maxMemory: null, coldStarts: 0)));

    [Fact]
    public void Evaluate_P99OverEightyPercentOfTimeout_NearTimeoutWithTheFigures()
    {
        var flag = Single(Evaluate(Function(timeoutSeconds: 3), Stats(p99: 2710)), FlagKind.NearTimeout);

        Assert.Equal("p99 duration 2.71 s is over 80% of the 3 s timeout (Observe:Fleet:NearTimeoutRatio); the highest per-minute p99 in the range.", flag.Rule);
    }

    [Fact]
    public void Evaluate_P99AtEightyPercent_NotFlagged() =>
        Assert.Empty(Evaluate(Function(timeoutSeconds: 3), Stats(p99: 2400)));

    [Fact]
    public void Evaluate_TimeoutsInReports_Timeouts()
    {
        var flag = Single(Evaluate(Function(timeoutSeconds: 3), Stats(timeouts: 3)), FlagKind.Timeouts);

        Assert.Equal("3 invocations timed out after 3 s in the range (invocation reports with status timeout); any timeout is flagged.", flag.Rule);
    }

    [Theory]
    [InlineData(10, null)]
    [InlineData(11, FlagKind.ErrorRateHigh)]
    [InlineData(100, FlagKind.ErrorRateHigh)]
    [InlineData(101, FlagKind.ErrorRateCritical)]
    public void Evaluate_ErrorRate_OneFlagTheWorseOne(double errors, FlagKind? expected)
    {
        // Of 1,000 invocations: 10 errors is 1% (the thresholds are "over"), 11 is 1.1%, 100 is 10%, 101 is 10.1%.
        var flags = Evaluate(Function(), Stats(invocations: 1_000, errors: errors)).Where(f => f.Kind is FlagKind.ErrorRateHigh or FlagKind.ErrorRateCritical).ToList();

        if (expected is null)
        {
            Assert.Empty(flags);
        }
        else
        {
            Assert.Equal(expected, Assert.Single(flags).Kind);
        }
    }

    [Fact]
    public void Evaluate_CriticalErrorRate_RuleHasTheFiguresAndTheSetting()
    {
        var flag = Single(Evaluate(Function(), Stats(invocations: 1_000, errors: 125)), FlagKind.ErrorRateCritical);

        Assert.Equal(FlagSeverity.Critical, flag.Severity);
        Assert.Equal("Error rate 12.5% (125 errors in 1,000 invocations) is over 10% (Observe:Fleet:ErrorRateCritical).", flag.Rule);
    }

    [Fact]
    public void Evaluate_ErrorCountsPartlyUnread_NoErrorRateFlag() =>
        Assert.Empty(Evaluate(Function(), Stats(errors: 500, unreadErrors: 60)));

    [Fact]
    public void Evaluate_FewerInvocationsThanTheMinimum_NoRateFlags() =>
        Assert.Empty(Evaluate(Function(), Stats(invocations: 99, errors: 50, coldStarts: 50)));

    [Fact]
    public void Evaluate_Throttles_Throttled()
    {
        var flag = Single(Evaluate(Function(), Stats(invocations: 3, throttles: 42)), FlagKind.Throttled);

        Assert.Equal("42 throttled invocations in the range; any throttle is flagged.", flag.Rule);
    }

    [Fact]
    public void Evaluate_ColdStartsOverFivePercent_HighColdStartRate()
    {
        var flag = Single(Evaluate(Function(), Stats(invocations: 1_000, coldStarts: 72)), FlagKind.HighColdStartRate);

        Assert.Equal("Cold-start rate 7.2% (72 cold starts in 1,000 invocations) is over 5% (Observe:Fleet:ColdStartRate).", flag.Rule);
    }

    [Fact]
    public void Evaluate_ColdStartsWithoutReports_NotJudged() =>
        Assert.Empty(Evaluate(Function(), Stats(invocations: 1_000, coldStarts: 900, reports: 0, maxMemory: null)));

    [Fact]
    public void Evaluate_IteratorAgeOverTheThreshold_FlaggedOnlyWithAnEventSource()
    {
        var stream = new EventSourceMapping("uuid-1", "arn:aws:kinesis:us-east-1:111122223333:stream/orders", "Enabled", 100);

        var flag = Single(Evaluate(Function(eventSources: [stream]), Stats(iteratorAge: 450_000)), FlagKind.IteratorAgeHigh);
        Assert.Equal("Iterator age reached 7.5 min, over 5 min (Observe:Fleet:IteratorAgeMs): the consumer is behind its stream.", flag.Rule);

        Assert.Empty(Evaluate(Function(), Stats(iteratorAge: 450_000)));
    }

    [Fact]
    public void Evaluate_NoStats_NoMetricFlagsButConfigurationFlagsStay()
    {
        var flags = Evaluate(Function(runtime: "python3.8", tags: new Dictionary<string, string>()), null);

        Assert.Equal([FlagKind.RuntimeDeprecated, FlagKind.Unowned], flags.Select(f => f.Kind));
    }

    [Fact]
    public void Evaluate_SeveralFlags_MostSevereFirst()
    {
        var flags = Evaluate(Function(runtime: "python3.8", tags: new Dictionary<string, string>()), Stats(errors: 500, throttles: 1));

        Assert.Equal(
            [FlagKind.RuntimeDeprecated, FlagKind.ErrorRateCritical, FlagKind.Throttled, FlagKind.Unowned],
            flags.Select(f => f.Kind));
    }

    [Fact]
    public void Describe_EveryKind_HasANameAndARule()
    {
        foreach (var kind in FunctionFlagRules.Kinds)
        {
            var description = FunctionFlagRules.Describe(kind);
            Assert.Equal(kind, description.Kind);
            Assert.False(string.IsNullOrWhiteSpace(description.Name));
            Assert.EndsWith(".", description.Rule, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(Rules.Explain(kind)));
        }
    }

    [Fact]
    public void Explain_UsesTheThresholdsInForce()
    {
        var rules = new FunctionFlagRules(new FleetOptions { NearTimeoutRatio = 0.5 }, RuntimeCatalog.Default);

        Assert.Equal("The p99 duration is above 50% of the timeout (Observe:Fleet:NearTimeoutRatio).", rules.Explain(FlagKind.NearTimeout));
    }
}
