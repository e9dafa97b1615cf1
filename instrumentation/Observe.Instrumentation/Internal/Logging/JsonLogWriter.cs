using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Observe.Instrumentation.Internal.Logging;

/// <summary>
/// Formats one log entry as a JSON line with <see cref="Utf8JsonWriter"/> into a buffer reused per thread and hands it
/// to the sink. Keys follow Lambda's own JSON log format (<c>timestamp</c>, <c>level</c>, <c>message</c>,
/// <c>requestId</c>, <c>traceId</c>, <c>errorType</c>, <c>errorMessage</c>, <c>stackTrace</c>) so CloudWatch Logs
/// Insights discovers them; OpenTelemetry's <c>trace_id</c>/<c>span_id</c> are added for log-to-span joins.
/// </summary>
internal sealed class JsonLogWriter
{
    public const string Redacted = "***";

    // Logs are read by people and Logs Insights, never embedded in HTML: keep non-ASCII text and quotes readable.
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    // Lines above this size release their buffer instead of keeping it for the thread's lifetime.
    private const int MaxRetainedBytes = 64 * 1024;
    private const int MaxExceptionDepth = 8;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = Encoder, SkipValidation = true };

    private static readonly HashSet<string> ReservedKeys = new(StringComparer.Ordinal)
    {
        "timestamp", "level", "message", "category", "eventId", "requestId", "traceId", "trace_id", "span_id",
        "functionName", "functionVersion", "coldStart", "correlationId", "errorType", "errorMessage", "stackTrace",
        "innerException", "innerExceptions", "scopes",
    };

    private static readonly JsonEncodedText[] LevelNames =
    [
        JsonEncodedText.Encode("Trace"), JsonEncodedText.Encode("Debug"), JsonEncodedText.Encode("Information"),
        JsonEncodedText.Encode("Warning"), JsonEncodedText.Encode("Error"), JsonEncodedText.Encode("Critical"),
        JsonEncodedText.Encode("None"),
    ];

    [ThreadStatic]
    private static JsonLogWriter? t_cached;

    private readonly ByteBuffer _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;
    private readonly CharBuffer _chars = new();
    private readonly CharBuffer _keyChars = new();
    private readonly HashSet<string> _writtenKeys = new(StringComparer.Ordinal);
    private LogSettings _settings = null!;
    private bool _hasPlainScopes;

    private JsonLogWriter() => _writer = new Utf8JsonWriter(_buffer, WriterOptions);

    /// <summary>
    /// The parsed template of a Microsoft.Extensions.Logging state, whose last property is <c>{OriginalFormat}</c>; null
    /// when the state has none (or the template cache is full) and the message comes from the state's formatter.
    /// </summary>
    public static MessageTemplate? TemplateOf(ObserveJsonLoggerProvider provider, IReadOnlyList<KeyValuePair<string, object?>>? properties) =>
        properties is { Count: > 0 } && properties[properties.Count - 1] is { Key: "{OriginalFormat}", Value: string format }
            ? provider.GetTemplate(format)
            : null;

    /// <summary>
    /// Writes one entry: its message rendered from <paramref name="template"/> with <paramref name="properties"/>, or
    /// <paramref name="formattedMessage"/> when there is no template.
    /// </summary>
    public static void Write(ObserveJsonLoggerProvider provider, string category, LogLevel level, EventId eventId, IReadOnlyList<KeyValuePair<string, object?>>? properties, MessageTemplate? template, string? formattedMessage, Exception? exception)
    {
        // A value's ToString that logs would re-enter on the same thread: give it its own writer.
        var writer = t_cached ?? new JsonLogWriter();
        t_cached = null;
        try
        {
            writer.WriteEntry(provider, category, level, eventId, properties, template, formattedMessage, exception);
            provider.Settings.Sink.Write(writer._buffer.WrittenSpan);
        }
        finally
        {
            if (writer._buffer.Capacity <= MaxRetainedBytes)
            {
                writer._buffer.ResetWrittenCount();
                t_cached = writer;
            }
        }
    }

    private void WriteEntry(ObserveJsonLoggerProvider provider, string category, LogLevel level, EventId eventId, IReadOnlyList<KeyValuePair<string, object?>>? properties, MessageTemplate? template, string? formattedMessage, Exception? exception)
    {
        var settings = provider.Settings;
        _settings = settings;
        _writtenKeys.Clear();
        _hasPlainScopes = false;
        var w = _writer;
        w.Reset(_buffer);
        w.WriteStartObject();

        WriteTimestamp(w, settings.TimeProvider.GetUtcNow().UtcDateTime);
        w.WriteString("level"u8, LevelNames[(int)level]);

        var propertyCount = properties?.Count ?? 0;
        _chars.Clear();
        if (template is not null)
        {
            // The last property is the template's {OriginalFormat}: rendered into the message, not written as a field.
            propertyCount--;
            template.Render(properties!, propertyCount, settings.Redacted, _chars);
            w.WriteString("message"u8, _chars.Written);
        }
        else
        {
            w.WriteString("message"u8, formattedMessage);
        }

        w.WriteString("category"u8, category);
        if (eventId.Id != 0)
        {
            w.WriteNumber("eventId"u8, eventId.Id);
        }

        WriteContext(w, settings);

        for (var i = 0; i < propertyCount; i++)
        {
            var (key, value) = properties![i];
            if (key == "{OriginalFormat}" || !_writtenKeys.Add(key))
            {
                continue;
            }

            if (ReservedKeys.Contains(key))
            {
                // Never emit a second "message" or "level": Logs Insights would pick one arbitrarily.
                _keyChars.Clear();
                _keyChars.Append("_");
                _keyChars.Append(key);
                WriteProperty(w, _keyChars.Written, key, value);
            }
            else
            {
                WriteProperty(w, key, key, value);
            }
        }

        if (settings.IncludeScopes && provider.ScopeProvider is { } scopes)
        {
            scopes.ForEachScope(static (scope, self) => self.WriteScopeProperties(scope), this);
            if (_hasPlainScopes)
            {
                w.WriteStartArray("scopes"u8);
                scopes.ForEachScope(static (scope, self) => self.WritePlainScope(scope), this);
                w.WriteEndArray();
            }
        }

        if (exception is not null)
        {
            WriteExceptionFields(w, exception, 0);
        }

        w.WriteEndObject();
        w.Flush();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
    }

    private static void WriteTimestamp(Utf8JsonWriter w, DateTime utc)
    {
        // Lambda's format: milliseconds and a Z, e.g. 2024-10-10T13:34:07.448Z.
        Span<byte> text = stackalloc byte[24];
        utc.TryFormat(text, out var written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        w.WriteString("timestamp"u8, text[..written]);
    }

    private static void WriteContext(Utf8JsonWriter w, LogSettings settings)
    {
        var invocation = InvocationState.Current;
        if (invocation is not null)
        {
            w.WriteString("requestId"u8, invocation.Context.RequestId);
        }

        // traceId is Lambda's key for Lambda's own X-Ray trace (Lambda-Runtime-Trace-Id / _X_AMZN_TRACE_ID), whatever
        // parents the span: a caller's traceparent gives the span another trace, and the line must still correlate with
        // the invocation in X-Ray. The span's own trace and span are trace_id/span_id (W3C hex, OpenTelemetry's names).
        if (invocation?.TraceHeader is { } header)
        {
            Span<char> xray = stackalloc char[35];
            XRayTraceHeader.WriteXRayTraceId(header.TraceId, xray);
            w.WriteString("traceId"u8, xray);
        }

        var activity = Activity.Current;
        if (activity is not null && activity.IdFormat == ActivityIdFormat.W3C)
        {
            w.WriteString("trace_id"u8, activity.TraceId.ToHexString());
            w.WriteString("span_id"u8, activity.SpanId.ToHexString());
        }
        else if (invocation?.TraceHeader is { } unrecorded)
        {
            // No span (Sampled=0 and not recorded): the invocation's trace is still Lambda's.
            w.WriteString("trace_id"u8, unrecorded.TraceId.ToHexString());
        }

        w.WriteString("functionName"u8, settings.FunctionName);
        w.WriteString("functionVersion"u8, settings.FunctionVersion);
        if (invocation is not null)
        {
            w.WriteBoolean("coldStart"u8, invocation.ColdStart);
            if (invocation.CorrelationId is { } correlationId)
            {
                w.WriteString("correlationId"u8, settings.Redacted.Contains("correlationId") ? Redacted : correlationId);
            }
        }
    }

    private void WriteScopeProperties(object? scope)
    {
        if (scope is IReadOnlyList<KeyValuePair<string, object?>> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                WriteScopeProperty(list[i]);
            }
        }
        else if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var pair in pairs)
            {
                WriteScopeProperty(pair);
            }
        }
        else if (scope is not null)
        {
            _hasPlainScopes = true;
        }
    }

    private void WriteScopeProperty(KeyValuePair<string, object?> pair)
    {
        // The inner scope and the entry's own properties win over outer scopes with the same key.
        if (pair.Key == "{OriginalFormat}" || ReservedKeys.Contains(pair.Key) || !_writtenKeys.Add(pair.Key))
        {
            return;
        }

        WriteProperty(_writer, pair.Key, pair.Key, pair.Value);
    }

    private void WritePlainScope(object? scope)
    {
        if (scope is not null and not IEnumerable<KeyValuePair<string, object?>>)
        {
            _chars.Clear();
            _chars.AppendValue(scope, null);
            _writer.WriteStringValue(_chars.Written);
        }
    }

    private void WriteProperty(Utf8JsonWriter w, ReadOnlySpan<char> name, string key, object? value)
    {
        if (_settings.Redacted.Count > 0 && _settings.Redacted.Contains(key))
        {
            w.WriteString(name, Redacted);
            return;
        }

        switch (value)
        {
            case null: w.WriteNull(name); break;
            case string s: w.WriteString(name, s); break;
            case bool b: w.WriteBoolean(name, b); break;
            case int i: w.WriteNumber(name, i); break;
            case long l: w.WriteNumber(name, l); break;
            case short s16: w.WriteNumber(name, s16); break;
            case byte u8: w.WriteNumber(name, u8); break;
            case sbyte s8: w.WriteNumber(name, s8); break;
            case ushort u16: w.WriteNumber(name, u16); break;
            case uint u32: w.WriteNumber(name, u32); break;
            case ulong u64: w.WriteNumber(name, u64); break;
            case decimal m: w.WriteNumber(name, m); break;
            case double d when double.IsFinite(d): w.WriteNumber(name, d); break;
            case float f when float.IsFinite(f): w.WriteNumber(name, f); break;
            case DateTime dt: w.WriteString(name, dt); break;
            case DateTimeOffset dto: w.WriteString(name, dto); break;
            case Guid g: w.WriteString(name, g); break;
            default:
                _chars.Clear();
                _chars.AppendValue(value, null);
                w.WriteString(name, _chars.Written);
                break;
        }
    }

    private static void WriteExceptionFields(Utf8JsonWriter w, Exception exception, int depth)
    {
        w.WriteString("errorType"u8, exception.GetType().FullName);
        w.WriteString("errorMessage"u8, exception.Message);
        w.WriteStartArray("stackTrace"u8);
        if (exception.StackTrace is { } stack)
        {
            foreach (var line in stack.AsSpan().EnumerateLines())
            {
                var trimmed = line.Trim();
                if (!trimmed.IsEmpty)
                {
                    w.WriteStringValue(trimmed);
                }
            }
        }

        w.WriteEndArray();
        if (depth >= MaxExceptionDepth)
        {
            return;
        }

        if (exception is AggregateException aggregate)
        {
            w.WriteStartArray("innerExceptions"u8);
            foreach (var inner in aggregate.InnerExceptions)
            {
                w.WriteStartObject();
                WriteExceptionFields(w, inner, depth + 1);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
        else if (exception.InnerException is { } inner)
        {
            w.WriteStartObject("innerException"u8);
            WriteExceptionFields(w, inner, depth + 1);
            w.WriteEndObject();
        }
    }
}
