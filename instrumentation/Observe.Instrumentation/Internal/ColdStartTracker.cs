namespace Observe.Instrumentation.Internal;

/// <summary>How an invocation relates to the start of its execution environment.</summary>
internal enum InvocationStart
{
    /// <summary>A later invocation of an environment that already served one.</summary>
    Warm,

    /// <summary>The first invocation of an on-demand environment: the caller waited for its initialization.</summary>
    Cold,

    /// <summary>The first invocation of a provisioned-concurrency environment, initialized before any caller waited: not a cold start.</summary>
    Provisioned,

    /// <summary>The first invocation after a SnapStart restore: the caller waited for the restore, not for initialization.</summary>
    Restore,
}

/// <summary>
/// Classifies invocations by <c>AWS_LAMBDA_INITIALIZATION_TYPE</c>. Under SnapStart the snapshot is taken after
/// initialization, before any invocation, so every restored copy starts with its counter at zero and reports its
/// first invocation as a restore.
/// </summary>
internal sealed class ColdStartTracker
{
    private readonly InvocationStart _first;
    private int _invocations;

    public ColdStartTracker(string initializationType)
    {
        _first = initializationType switch
        {
            "provisioned-concurrency" => InvocationStart.Provisioned,
            "snap-start" => InvocationStart.Restore,
            "on-demand" => InvocationStart.Cold,
            _ => Unknown(initializationType),
        };
    }

    public InvocationStart Next() => Interlocked.Increment(ref _invocations) == 1 ? _first : InvocationStart.Warm;

    private static InvocationStart Unknown(string value)
    {
        InstrumentationEventSource.Log.InvalidSetting(LambdaEnvironment.InitializationTypeVariable, value, "expected on-demand, provisioned-concurrency or snap-start; treated as on-demand");
        return InvocationStart.Cold;
    }
}
