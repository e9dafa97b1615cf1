namespace Observe.Instrumentation;

/// <summary>Settings of the Observe instrumentation.</summary>
public sealed class ObserveInstrumentationOptions
{
    /// <summary>Service name reported on spans and logs; defaults to the function name.</summary>
    public string? ServiceName { get; set; }
}
