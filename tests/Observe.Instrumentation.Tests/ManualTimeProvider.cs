namespace Observe.Instrumentation.Tests;

/// <summary>A clock the test sets (Microsoft.Extensions.TimeProvider.Testing is not in the registry here).</summary>
internal sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
