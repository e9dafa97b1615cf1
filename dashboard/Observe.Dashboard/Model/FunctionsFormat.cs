using System.Globalization;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>How the Functions grid writes its cells: unknown stays unknown, and the tooltip says why.</summary>
public static class FunctionsFormat
{
    /// <summary>The tooltip of a figure with nothing stored for the function in the range.</summary>
    public const string NothingStored = "nothing stored for this function in the range (no metrics collected for it, or it did not exist)";

    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    /// <summary>The figure as a data attribute (round-trip), empty when unknown.</summary>
    public static string Raw(double? value) => value is { } v ? v.ToString("R", Culture) : "";

    /// <summary>A count, or "–" when nothing is stored for the range.</summary>
    public static string Count(double? value) => value is { } v ? FigureFormat.Count(v) : FigureFormat.NoData;

    /// <summary>The error rate; "unknown" when some errors were not read, "–" when nothing ran.</summary>
    public static string ErrorRate(FunctionRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.ErrorsUnknownReason is not null ? FigureFormat.Unknown : FigureFormat.Rate(row.ErrorRate);
    }

    public static string ErrorRateTitle(FunctionRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.ErrorsUnknownReason is { } reason)
        {
            return "Unknown: " + reason;
        }

        return row.Stats switch
        {
            null => NothingStored,
            { Invocations: <= 0 } => "no invocations in the range",
            var s => $"{FigureFormat.ExactRate(row.ErrorRate)} ({FigureFormat.ExactCount(s.Errors)} errors of {FigureFormat.ExactCount(s.Invocations)} invocations)",
        };
    }

    /// <summary>431 ms / 2.71 s / 14.2 min (3 significant figures); "–" when unknown.</summary>
    public static string Duration(double? ms) => ms switch
    {
        null => FigureFormat.NoData,
        < 1 => ms.Value.ToString("0.##", Culture) + " ms",
        < 1000 => ms.Value.ToString("G3", Culture) + " ms",
        < 60_000 => (ms.Value / 1000).ToString("G3", Culture) + " s",
        _ => (ms.Value / 60_000).ToString("G3", Culture) + " min",
    };

    public static string P99Title(FunctionRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.P99Ms is { } p99
            // The header's hint says why it is an upper bound; each cell says only its exact value.
            ? string.Create(Culture, $"at most {p99:#,0.##} ms")
            : row.Stats is null ? NothingStored : "no duration percentiles stored for the range";
    }

    public static string ColdStartTitle(FunctionRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Stats switch
        {
            null => NothingStored,
            { Invocations: <= 0, ColdStarts: > 0 } s => $"{FigureFormat.ExactCount(s.ColdStarts)} cold starts; rate unknown: invocations not read",
            { Invocations: <= 0 } => "no invocations in the range",
            var s => $"{FigureFormat.ExactCount(s.ColdStarts)} cold starts in {FigureFormat.ExactCount(s.Invocations)} invocations",
        };
    }

    /// <summary>Code size: 12.3 MB; "–" for a container image (Lambda reports no size for it).</summary>
    public static string Bytes(LambdaFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var bytes = function.CodeSizeBytes;
        if (bytes <= 0 && string.Equals(function.PackageType, "Image", StringComparison.OrdinalIgnoreCase))
        {
            return FigureFormat.NoData;
        }

        return bytes switch
        {
            < 1024 => bytes.ToString(Culture) + " B",
            < 1024 * 1024 => (bytes / 1024d).ToString("G3", Culture) + " KB",
            < 1024L * 1024 * 1024 => (bytes / (1024d * 1024)).ToString("G3", Culture) + " MB",
            _ => (bytes / (1024d * 1024 * 1024)).ToString("G3", Culture) + " GB",
        };
    }

    /// <summary>$1,234 / $12.34 / &lt;$0.01; "–" when not estimated.</summary>
    public static string Cost(decimal? value) => value switch
    {
        null => FigureFormat.NoData,
        0 => "$0",
        < 0.01m => "<$0.01",
        < 100 => "$" + value.Value.ToString("0.00", Culture),
        < 10_000 => "$" + value.Value.ToString("#,0", Culture),
        _ => "$" + FigureFormat.Count((double)value.Value),
    };
}
