using System.Globalization;
using System.Text;
using System.Text.Json;
using Observe.Store.Model;

namespace Observe.Collectors.Parsing;

/// <summary>What a line turned out to be.</summary>
internal enum ReportParseOutcome
{
    /// <summary>Not a REPORT line or <c>platform.report</c> record: nothing to do.</summary>
    NotAReport,

    Parsed,

    /// <summary>Looked like a report but could not be read; see the skip reason.</summary>
    Skipped,
}

/// <summary>Why a line that looked like something Observe reads was skipped.</summary>
internal enum SkipReason
{
    None,

    /// <summary>A REPORT line without a request id or a readable Duration.</summary>
    MalformedReport,

    /// <summary>A <c>platform.report</c> record that is not valid JSON or lacks requestId or durationMs.</summary>
    MalformedJson,

    /// <summary>Longer than the parser reads (<see cref="LambdaReportParser.MaxJsonLength"/>).</summary>
    TooLong,

    /// <summary>A <c>platform.initReport</c> record without a known <c>initializationType</c> or a readable <c>durationMs</c>.</summary>
    MalformedInitReport,
}

/// <summary>
/// Reads Lambda's per-invocation report: the text <c>REPORT RequestId: ...</c> line (tab-separated fields, optional
/// <c>XRAY TraceId</c> part) and the JSON <c>platform.report</c> record of the JSON log format. Pure, never throws,
/// allocates only the report and its strings.
/// </summary>
internal static class LambdaReportParser
{
    /// <summary>A <c>platform.report</c> record is a few hundred bytes; anything far larger is not one worth reading.</summary>
    public const int MaxJsonLength = 64 * 1024;

    private const string TextPrefix = "REPORT RequestId: ";

    [ThreadStatic]
    private static byte[]? t_utf8;
    private const int MaxRequestIdLength = 128;

    public static ReportParseOutcome Parse(string? message, FunctionKey function, DateTimeOffset timestamp, out InvocationReport? report, out SkipReason skipped)
    {
        report = null;
        skipped = SkipReason.None;
        if (string.IsNullOrEmpty(message))
        {
            return ReportParseOutcome.NotAReport;
        }

        var span = message.AsSpan().TrimStart();
        if (span.StartsWith(TextPrefix, StringComparison.Ordinal))
        {
            return ParseText(span[TextPrefix.Length..], function, timestamp, out report, out skipped);
        }

        if (span.Length > 0 && span[0] == '{' && span.Contains("\"platform.report\"", StringComparison.Ordinal))
        {
            return ParseJson(span, function, timestamp, out report, out skipped);
        }

        // Lambda's own line, mangled (markup around or inside it, a missing space): not readable, but never ignored
        // without being counted, or a lost invocation would look like no invocation.
        if (LooksLikeReport(span))
        {
            skipped = SkipReason.MalformedReport;
            return ReportParseOutcome.Skipped;
        }

        return ReportParseOutcome.NotAReport;
    }

    /// <summary>
    /// A line that is Lambda's REPORT line in some damaged form: it begins with the word REPORT and names a request id
    /// or a duration. An application line that starts with "REPORT" (a report it generated) names neither, and one
    /// quoting a REPORT line further in (after its own timestamp and level) is the application's, not Lambda's.
    /// </summary>
    private static bool LooksLikeReport(ReadOnlySpan<char> line) =>
        line.StartsWith("REPORT", StringComparison.Ordinal) && line.Length > 6 && !char.IsLetterOrDigit(line[6])
        && (line.Contains("RequestId", StringComparison.Ordinal) || line.Contains("Duration", StringComparison.Ordinal));

    private static ReportParseOutcome ParseText(ReadOnlySpan<char> rest, FunctionKey function, DateTimeOffset timestamp, out InvocationReport? report, out SkipReason skipped)
    {
        report = null;
        var idEnd = rest.IndexOfAny('\t', '\n', '\r');
        var requestId = (idEnd < 0 ? rest : rest[..idEnd]).Trim();
        if (!IsPlausibleId(requestId))
        {
            skipped = SkipReason.MalformedReport;
            return ReportParseOutcome.Skipped;
        }

        double? duration = null, billed = null, init = null, restore = null;
        int memorySize = 0, maxMemory = 0;
        var status = "success";
        ReadOnlySpan<char> traceId = default;
        rest = idEnd < 0 ? default : rest[(idEnd + 1)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOfAny('\t', '\n', '\r');
            var field = (end < 0 ? rest : rest[..end]).Trim();
            rest = end < 0 ? default : rest[(end + 1)..];
            var colon = field.IndexOf(": ", StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = field[..colon];
            var value = field[(colon + 2)..].Trim();
            switch (name)
            {
                case "Duration":
                    duration = Number(value);
                    break;
                case "Billed Duration":
                    billed = Number(value);
                    break;
                case "Memory Size":
                    memorySize = Integer(value);
                    break;
                case "Max Memory Used":
                    maxMemory = Integer(value);
                    break;
                case "Init Duration":
                    init = Number(value);
                    break;
                case "Restore Duration":
                    restore = Number(value);
                    break;
                case "Status":
                    status = NormaliseStatus(value);
                    break;
                case "XRAY TraceId":
                    traceId = value;
                    break;
            }
        }

        if (duration is null)
        {
            skipped = SkipReason.MalformedReport;
            return ReportParseOutcome.Skipped;
        }

        skipped = SkipReason.None;
        report = new InvocationReport
        {
            Function = function,
            RequestId = requestId.ToString(),
            Timestamp = timestamp,
            DurationMs = duration.Value,
            BilledDurationMs = billed ?? 0,
            MemorySizeMb = memorySize,
            MaxMemoryUsedMb = maxMemory,
            InitDurationMs = init,
            RestoreDurationMs = restore,
            Status = status,
            TraceId = IsPlausibleId(traceId) ? traceId.ToString() : null,
        };
        return ReportParseOutcome.Parsed;
    }

    private static ReportParseOutcome ParseJson(ReadOnlySpan<char> json, FunctionKey function, DateTimeOffset timestamp, out InvocationReport? report, out SkipReason skipped)
    {
        report = null;
        if (json.Length > MaxJsonLength)
        {
            skipped = SkipReason.TooLong;
            return ReportParseOutcome.Skipped;
        }

        // One UTF-8 buffer per thread, reused: transcoding a report costs no allocation and no zeroing.
        var max = Encoding.UTF8.GetMaxByteCount(json.Length);
        var buffer = t_utf8 is { } cached && cached.Length >= max ? cached : (t_utf8 = new byte[Math.Max(max, 4096)]);
        var length = Encoding.UTF8.GetBytes(json, buffer);
        var fields = default(JsonReportFields);
        var valid = ReadJson(buffer.AsSpan(0, length), ref fields);
        if (valid && !fields.IsReport)
        {
            // Valid JSON that only mentions platform.report (an application log quoting it): not ours.
            skipped = SkipReason.None;
            return ReportParseOutcome.NotAReport;
        }

        if (!valid || fields.RequestId is null || fields.Duration is null)
        {
            skipped = SkipReason.MalformedJson;
            return ReportParseOutcome.Skipped;
        }

        skipped = SkipReason.None;
        report = new InvocationReport
        {
            Function = function,
            RequestId = fields.RequestId,
            Timestamp = timestamp,
            DurationMs = fields.Duration.Value,
            BilledDurationMs = fields.Billed ?? 0,
            MemorySizeMb = fields.MemorySize,
            MaxMemoryUsedMb = fields.MaxMemory,
            InitDurationMs = fields.Init,
            RestoreDurationMs = fields.Restore,
            Status = fields.Status ?? "success",
            TraceId = fields.TraceId,
        };
        return ReportParseOutcome.Parsed;
    }

    private struct JsonReportFields
    {
        public bool IsReport;
        public string? RequestId;
        public string? Status;
        public string? TraceId;
        public double? Duration;
        public double? Billed;
        public double? Init;
        public double? Restore;
        public int MemorySize;
        public int MaxMemory;
    }

    private static bool ReadJson(ReadOnlySpan<byte> utf8, ref JsonReportFields fields)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    fields.IsReport = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("platform.report"u8);

                    // A non-string value (object, array) must be stepped over whole; on a string Skip does nothing.
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("record"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        ReadRecord(ref reader, ref fields);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // Anything after the object (a second record, trailing text) makes the line malformed.
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader.GetString on an invalid escape or lone surrogate.
            return false;
        }
    }

    private static void ReadRecord(ref Utf8JsonReader reader, ref JsonReportFields fields)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("requestId"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= MaxRequestIdLength)
                {
                    var id = reader.GetString();
                    fields.RequestId = IsPlausibleId(id) ? id : null;
                }

                reader.Skip();
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    fields.Status = reader.ValueTextEquals("success"u8) ? "success"
                        : reader.ValueTextEquals("timeout"u8) ? "timeout"
                        : "error";
                }

                reader.Skip();
            }
            else if (reader.ValueTextEquals("metrics"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadMetrics(ref reader, ref fields);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("tracing"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadTracing(ref reader, ref fields);
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void ReadMetrics(ref Utf8JsonReader reader, ref JsonReportFields fields)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var which = reader.ValueTextEquals("durationMs"u8) ? 1
                : reader.ValueTextEquals("billedDurationMs"u8) ? 2
                : reader.ValueTextEquals("memorySizeMB"u8) ? 3
                : reader.ValueTextEquals("maxMemoryUsedMB"u8) ? 4
                : reader.ValueTextEquals("initDurationMs"u8) ? 5
                : reader.ValueTextEquals("restoreDurationMs"u8) ? 6
                : 0;
            reader.Read();
            if (which == 0 || reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var value) || !IsSane(value))
            {
                reader.Skip();
                continue;
            }

            switch (which)
            {
                case 1: fields.Duration = value; break;
                case 2: fields.Billed = value; break;
                case 3: fields.MemorySize = ToMegabytes(value); break;
                case 4: fields.MaxMemory = ToMegabytes(value); break;
                case 5: fields.Init = value; break;
                case 6: fields.Restore = value; break;
            }
        }
    }

    private static void ReadTracing(ref Utf8JsonReader reader, ref JsonReportFields fields)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isValue = reader.ValueTextEquals("value"u8);
            reader.Read();
            if (isValue && reader.TokenType == JsonTokenType.String)
            {
                fields.TraceId = TraceRoot(reader.GetString());
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>The Root of an <c>X-Amzn-Trace-Id</c> value (<c>Root=1-...;Parent=...;Sampled=1</c>), or the value when it has no parts.</summary>
    internal static string? TraceRoot(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        var span = header.AsSpan();
        var root = span.IndexOf("Root=", StringComparison.Ordinal);
        if (root >= 0)
        {
            span = span[(root + 5)..];
            var end = span.IndexOf(';');
            span = end < 0 ? span : span[..end];
        }
        else if (span.Contains('='))
        {
            return null;
        }

        span = span.Trim();
        return IsPlausibleId(span) ? span.ToString() : null;
    }

    private static bool IsPlausibleId(ReadOnlySpan<char> id)
    {
        if (id.IsEmpty || id.Length > MaxRequestIdLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        return true;
    }

    private static double? Number(ReadOnlySpan<char> value)
    {
        var space = value.IndexOf(' ');
        var number = space < 0 ? value : value[..space];
        return (TryParseShortDecimal(number, out var parsed) || double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out parsed))
               && IsSane(parsed) ? parsed : null;
    }

    private static readonly double[] PowersOfTen = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>
    /// REPORT figures are short decimals (<c>4157.16</c>). With at most 15 digits the digits form an exact integer and
    /// 10^k is exact, so one IEEE division gives the correctly rounded value, the same double.Parse returns, at a
    /// fraction of its cost. Anything else falls back to double.TryParse.
    /// </summary>
    internal static bool TryParseShortDecimal(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        long mantissa = 0;
        var digits = 0;
        var fraction = -1;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                mantissa = (mantissa * 10) + (c - '0');
                digits++;
                if (fraction >= 0)
                {
                    fraction++;
                }
            }
            else if (c == '.' && fraction < 0)
            {
                fraction = 0;
            }
            else
            {
                return false;
            }
        }

        if (digits is 0 or > 15 || fraction == 0)
        {
            return false;
        }

        value = fraction > 0 ? mantissa / PowersOfTen[fraction] : mantissa;
        return true;
    }

    private static int Integer(ReadOnlySpan<char> value) => Number(value) is { } number ? ToMegabytes(number) : 0;

    // Lambda memory is at most 10,240 MB; a bigger figure is garbage, not a function.
    private static int ToMegabytes(double value) => value is >= 0 and <= 1_000_000 ? (int)Math.Round(value) : 0;

    private static bool IsSane(double value) => double.IsFinite(value) && value is >= 0 and < 1e12;

    private static string NormaliseStatus(ReadOnlySpan<char> value) =>
        value.Equals("success", StringComparison.OrdinalIgnoreCase) ? "success"
        : value.Equals("timeout", StringComparison.OrdinalIgnoreCase) ? "timeout"
        : "error";
}
