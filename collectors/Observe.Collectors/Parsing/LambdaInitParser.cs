using System.Text.Json;
using Observe.Store.Model;

namespace Observe.Collectors.Parsing;

/// <summary>
/// Reads the JSON log format's <c>platform.initReport</c> record: how an execution environment was initialised
/// (<c>initializationType</c>), how long it took (<c>metrics.durationMs</c>) and how it ended (<c>status</c>). The text
/// log format has no such line. Pure, never throws.
/// </summary>
internal static class LambdaInitParser
{
    private const string Marker = "\"platform.initReport\"";

    public static ReportParseOutcome Parse(string? message, FunctionKey function, DateTimeOffset timestamp, out InitEvent? initEvent, out SkipReason skipped)
    {
        initEvent = null;
        skipped = SkipReason.None;
        if (string.IsNullOrEmpty(message))
        {
            return ReportParseOutcome.NotAReport;
        }

        var span = message.AsSpan().Trim();
        if (span.IsEmpty || span[0] != '{' || !span.Contains(Marker, StringComparison.Ordinal))
        {
            return ReportParseOutcome.NotAReport;
        }

        if (span.Length > LambdaReportParser.MaxJsonLength)
        {
            skipped = SkipReason.TooLong;
            return ReportParseOutcome.Skipped;
        }

        string? type = null, initType = null, status = null;
        double? duration = null;
        try
        {
            using var document = JsonDocument.Parse(span.ToString(), new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                skipped = SkipReason.MalformedJson;
                return ReportParseOutcome.Skipped;
            }

            type = String(root, "type");
            if (type != "platform.initReport")
            {
                // Valid JSON that only mentions the record type (an application log quoting it): not ours.
                return ReportParseOutcome.NotAReport;
            }

            if (root.TryGetProperty("record", out var record) && record.ValueKind == JsonValueKind.Object)
            {
                initType = String(record, "initializationType");
                status = String(record, "status");
                if (record.TryGetProperty("metrics", out var metrics) && metrics.ValueKind == JsonValueKind.Object
                    && metrics.TryGetProperty("durationMs", out var d) && d.ValueKind == JsonValueKind.Number
                    && d.TryGetDouble(out var value) && double.IsFinite(value) && value is >= 0 and < 1e9)
                {
                    duration = value;
                }
            }
        }
        catch (JsonException)
        {
            skipped = SkipReason.MalformedJson;
            return ReportParseOutcome.Skipped;
        }

        // A type this parser does not know is not guessed as on-demand: the record is counted as unreadable instead.
        var known = initType switch
        {
            "on-demand" => InitializationType.OnDemand,
            "provisioned-concurrency" => InitializationType.ProvisionedConcurrency,
            "snap-start" => InitializationType.SnapStart,
            _ => (InitializationType?)null,
        };
        if (known is null || duration is null)
        {
            skipped = SkipReason.MalformedInitReport;
            return ReportParseOutcome.Skipped;
        }

        initEvent = new InitEvent(function, timestamp, known.Value, duration.Value, status switch
        {
            null or "success" => "success",
            "timeout" => "timeout",
            _ => "error",
        });
        return ReportParseOutcome.Parsed;
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
