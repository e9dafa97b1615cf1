namespace Observe.Instrumentation;

/// <summary>The CloudWatch metric units an embedded metric may declare.</summary>
public enum EmfUnit
{
    /// <summary>No unit.</summary>
    None,

    /// <summary>A count of things.</summary>
    Count,

    /// <summary>Seconds.</summary>
    Seconds,

    /// <summary>Milliseconds.</summary>
    Milliseconds,

    /// <summary>Microseconds.</summary>
    Microseconds,

    /// <summary>Bytes.</summary>
    Bytes,

    /// <summary>Kilobytes (1,024 bytes).</summary>
    Kilobytes,

    /// <summary>Megabytes.</summary>
    Megabytes,

    /// <summary>Gigabytes.</summary>
    Gigabytes,

    /// <summary>Terabytes.</summary>
    Terabytes,

    /// <summary>Bits.</summary>
    Bits,

    /// <summary>Kilobits.</summary>
    Kilobits,

    /// <summary>Megabits.</summary>
    Megabits,

    /// <summary>Gigabits.</summary>
    Gigabits,

    /// <summary>Terabits.</summary>
    Terabits,

    /// <summary>A percentage (0 to 100).</summary>
    Percent,

    /// <summary>Bytes per second.</summary>
    BytesPerSecond,

    /// <summary>Kilobytes per second.</summary>
    KilobytesPerSecond,

    /// <summary>Megabytes per second.</summary>
    MegabytesPerSecond,

    /// <summary>Gigabytes per second.</summary>
    GigabytesPerSecond,

    /// <summary>Terabytes per second.</summary>
    TerabytesPerSecond,

    /// <summary>Bits per second.</summary>
    BitsPerSecond,

    /// <summary>Kilobits per second.</summary>
    KilobitsPerSecond,

    /// <summary>Megabits per second.</summary>
    MegabitsPerSecond,

    /// <summary>Gigabits per second.</summary>
    GigabitsPerSecond,

    /// <summary>Terabits per second.</summary>
    TerabitsPerSecond,

    /// <summary>Count per second.</summary>
    CountPerSecond,
}
