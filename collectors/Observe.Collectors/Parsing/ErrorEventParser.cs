using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Observe.Collectors.Parsing;

/// <summary>An error found in a log event, with its fingerprint.</summary>
/// <param name="ErrorType">Exception type as logged (<c>System.InvalidOperationException</c>, <c>ValueError</c>), or <c>LoggedError</c> for an error-level line without one.</param>
/// <param name="Message">The error's message as logged (first line, cut at <see cref="ErrorEventParser.MaxMessageLength"/>).</param>
/// <param name="NormalisedMessage">The message with ids, numbers, GUIDs, hex and quoted values replaced (<see cref="ErrorFingerprint.NormaliseMessage"/>).</param>
/// <param name="Frames">Top stack frames, normalised (see <see cref="ErrorFingerprint.NormaliseFrame"/>).</param>
/// <param name="StackTrace">The stack trace as logged, cut at <see cref="ErrorEventParser.MaxStackTraceLength"/>; null when none.</param>
/// <param name="RequestId">The invocation's request id when the event carries it.</param>
/// <param name="TraceId">The X-Ray trace id (Root) when the event carries it.</param>
/// <param name="Fingerprint">Groups occurrences of the same error (<see cref="ErrorFingerprint.Compute"/>).</param>
internal sealed record ErrorEvent(
    string ErrorType,
    string Message,
    string NormalisedMessage,
    IReadOnlyList<string> Frames,
    string? StackTrace,
    string? RequestId,
    string? TraceId,
    string Fingerprint);

/// <summary>
/// Finds errors in Lambda log events: Lambda's text format (<c>timestamp\trequestId\tlevel\tmessage</c>, the .NET
/// levels <c>fail</c>/<c>crit</c> and other runtimes' <c>ERROR</c>/<c>FATAL</c>), Lambda's JSON format (<c>level</c>,
/// <c>errorType</c>, <c>errorMessage</c>, <c>stackTrace</c>), Observe.Instrumentation's JSON lines (the same keys plus
/// <c>exception</c>), Powertools-style JSON (<c>level</c>, <c>message</c>, <c>exception</c> or <c>error</c> as text or
/// object, <c>exception_name</c>), unhandled-exception text and Python tracebacks. Pure and never throws.
/// </summary>
internal static class ErrorEventParser
{
    public const int MaxMessageLength = 1024;
    public const int MaxStackTraceLength = 4096;

    /// <summary>Larger events are not parsed as JSON (CloudWatch Logs events are at most 256 KB).</summary>
    public const int MaxJsonLength = 256 * 1024;

    private const string LoggedError = "LoggedError";

    /// <summary>True when the event is an error; <paramref name="malformed"/> is set for JSON that claims to be one but cannot be read.</summary>
    public static bool TryParse(string? message, out ErrorEvent? error, out bool malformed)
    {
        error = null;
        malformed = false;
        if (string.IsNullOrWhiteSpace(message))
        {
            return false;
        }

        var span = message.AsSpan().Trim();
        if (span[0] == '{')
        {
            if (span.Length > MaxJsonLength)
            {
                return false;
            }

            var found = TryParseJson(span, null, out error, out var valid);
            malformed = !valid && LooksLikeJsonError(span);
            return found;
        }

        return TryParseText(span, out error);
    }

    private static bool LooksLikeJsonError(ReadOnlySpan<char> json) =>
        json.Contains("\"errorType\"", StringComparison.Ordinal) || json.Contains("\"exception\"", StringComparison.Ordinal)
        || json.Contains("\"level\":\"Error\"", StringComparison.OrdinalIgnoreCase);

    // ---- text --------------------------------------------------------------------------------------------------

    private static bool TryParseText(ReadOnlySpan<char> text, out ErrorEvent? error)
    {
        error = null;
        string? requestId = null;
        ReadOnlySpan<char> body;

        // Python: "[ERROR]\t2024-...Z\t<requestId>\t<message>" (logging) or "[ERROR] ValueError: boom\nTraceback ..." (unhandled).
        if (text.StartsWith("[ERROR]", StringComparison.Ordinal) || text.StartsWith("[FATAL]", StringComparison.Ordinal) || text.StartsWith("[CRITICAL]", StringComparison.Ordinal))
        {
            body = text[(text.IndexOf(']') + 1)..].TrimStart();
            if (SplitTabs(body, out var first, out var second, out var rest) && LooksLikeTimestamp(first))
            {
                requestId = second.ToString();
                body = rest;
            }

            return Build(body, requestId, null, requireException: false, out error);
        }

        // Lambda text format: "<timestamp>\t<requestId>\t<level>\t<message>".
        if (SplitTabs(text, out var timestamp, out var id, out var afterId) && LooksLikeTimestamp(timestamp))
        {
            var tab = afterId.IndexOf('\t');
            if (tab < 0)
            {
                return false;
            }

            var level = afterId[..tab];
            if (!IsErrorLevel(level))
            {
                return false;
            }

            body = afterId[(tab + 1)..].Trim();

            // Node.js: "Invoke Error \t{"errorType":...}" carries the error as JSON after the label.
            var json = body.IndexOf('{');
            if (json >= 0 && body[..json].Trim().Equals("Invoke Error", StringComparison.Ordinal)
                && TryParseJson(body[json..], id.ToString(), out error, out _))
            {
                return true;
            }

            return Build(body, id.ToString(), null, requireException: false, out error);
        }

        if (text.StartsWith("Unhandled exception.", StringComparison.Ordinal))
        {
            return Build(text["Unhandled exception.".Length..].TrimStart(), null, null, requireException: false, out error);
        }

        // A bare exception with a stack trace (the runtime writing an unhandled exception, stderr output).
        return Build(text, null, null, requireException: true, out error);
    }

    private static bool SplitTabs(ReadOnlySpan<char> text, out ReadOnlySpan<char> first, out ReadOnlySpan<char> second, out ReadOnlySpan<char> rest)
    {
        first = second = rest = default;
        var a = text.IndexOf('\t');
        if (a <= 0)
        {
            return false;
        }

        var b = text[(a + 1)..].IndexOf('\t');
        if (b <= 0)
        {
            return false;
        }

        first = text[..a];
        second = text.Slice(a + 1, b);
        rest = text[(a + b + 2)..];
        return true;
    }

    private static bool LooksLikeTimestamp(ReadOnlySpan<char> s) =>
        s.Length is >= 19 and <= 40 && char.IsAsciiDigit(s[0]) && s[4] == '-' && s[10] == 'T';

    private static bool IsErrorLevel(ReadOnlySpan<char> level) =>
        level.Equals("fail", StringComparison.Ordinal) || level.Equals("crit", StringComparison.Ordinal)
        || level.Equals("ERROR", StringComparison.OrdinalIgnoreCase) || level.Equals("FATAL", StringComparison.OrdinalIgnoreCase)
        || level.Equals("CRITICAL", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Builds an error from exception text: a header line <c>Type: message</c> then frames (<c>at ...</c> or Python's
    /// <c>File "..."</c>). Without a recognisable header the whole first line is the message of a <c>LoggedError</c>.
    /// </summary>
    private static bool Build(ReadOnlySpan<char> body, string? requestId, string? traceId, bool requireException, out ErrorEvent? error)
    {
        error = null;
        if (body.IsEmpty)
        {
            return false;
        }

        var lineEnd = body.IndexOfAny('\n', '\r');
        var header = (lineEnd < 0 ? body : body[..lineEnd]).Trim();
        var stack = lineEnd < 0 ? default : body[(lineEnd + 1)..];

        // Python puts the traceback first and "ValueError: boom" last.
        if (header.StartsWith("Traceback (most recent call last)", StringComparison.Ordinal))
        {
            var last = stack.TrimEnd();
            var lastLine = last.LastIndexOfAny('\n', '\r');
            header = (lastLine < 0 ? last : last[(lastLine + 1)..]).Trim();
        }

        if (!TrySplitHeader(header, out var type, out var message))
        {
            if (requireException)
            {
                return false;
            }

            type = LoggedError;
            message = header;
        }

        var built = Create(type.ToString(), message, stack, requestId, traceId);
        if (requireException && built.Frames.Count == 0)
        {
            return false;
        }

        error = built;
        return true;
    }

    /// <summary><c>System.InvalidOperationException: msg</c>, <c>ValueError: msg</c>, <c>TypeError: msg</c>.</summary>
    private static bool TrySplitHeader(ReadOnlySpan<char> header, out ReadOnlySpan<char> type, out ReadOnlySpan<char> message)
    {
        type = message = default;
        var colon = header.IndexOf(':');
        var candidate = colon > 0 ? header[..colon] : header;
        if (candidate.Length is 0 or > 200 || !char.IsLetter(candidate[0]))
        {
            return false;
        }

        foreach (var c in candidate)
        {
            if (!(char.IsLetterOrDigit(c) || c is '.' or '_' or '+' or '`' or '$'))
            {
                return false;
            }
        }

        var shortName = ErrorFingerprint.ShortTypeName(candidate);
        if (!(shortName.EndsWith("Exception", StringComparison.Ordinal) || shortName.EndsWith("Error", StringComparison.Ordinal)
              || shortName.EndsWith("Fault", StringComparison.Ordinal) || shortName.EndsWith("Failure", StringComparison.Ordinal)))
        {
            return false;
        }

        type = candidate;
        message = colon > 0 ? header[(colon + 1)..].Trim() : default;
        return true;
    }

    /// <summary>Normalised frames, innermost first (Python tracebacks list them outermost first, so they are reversed).</summary>
    private static List<string> Frames(ReadOnlySpan<char> stack)
    {
        var frames = new List<string>(ErrorFingerprint.TopFrames);
        var python = false;
        foreach (var line in stack.EnumerateLines())
        {
            var trimmed = line.TrimStart();
            python |= trimmed.StartsWith("File \"", StringComparison.Ordinal);
            if (ErrorFingerprint.NormaliseFrame(trimmed) is { } frame)
            {
                frames.Add(frame);
                if (!python && frames.Count == ErrorFingerprint.TopFrames)
                {
                    break;
                }

                // Python's innermost frames come last: keep a window of the latest ones.
                if (python && frames.Count > ErrorFingerprint.TopFrames)
                {
                    frames.RemoveAt(0);
                }
            }
        }

        if (python)
        {
            frames.Reverse();
        }

        return frames;
    }

    // ---- JSON --------------------------------------------------------------------------------------------------

    private struct JsonError
    {
        public string? Level;
        public string? Message;
        public string? ErrorType;
        public string? ErrorMessage;
        public string? StackTrace;
        public string? ExceptionText;
        public string? ExceptionName;
        public string? RequestId;
        public string? TraceId;
        public string? RecordType;
    }

    private static bool TryParseJson(ReadOnlySpan<char> json, string? requestId, out ErrorEvent? error, out bool valid)
    {
        error = null;
        var max = Encoding.UTF8.GetMaxByteCount(json.Length);
        var rented = ArrayPool<byte>.Shared.Rent(max);
        var fields = default(JsonError);
        try
        {
            var length = Encoding.UTF8.GetBytes(json, rented);
            valid = ReadJson(rented.AsSpan(0, length), ref fields);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        if (!valid || fields.RecordType is not null)
        {
            // Lambda's platform.* records are not application errors (REPORT status covers failed invocations).
            return false;
        }

        var hasException = fields.ErrorType is not null || fields.ExceptionName is not null || fields.ExceptionText is not null;
        if (!hasException && !IsErrorLevel(fields.Level))
        {
            return false;
        }

        var typed = fields.ErrorType is not null || fields.ExceptionName is not null;
        if (!typed && fields.ExceptionText is not null && Build(fields.ExceptionText, null, null, requireException: true, out var fromText))
        {
            // "exception": "System.X: msg\n   at ..." (an exception's ToString()) or a Python traceback.
            error = fromText! with { RequestId = fields.RequestId ?? requestId, TraceId = LambdaReportParser.TraceRoot(fields.TraceId) };
            return true;
        }

        var type = typed ? (fields.ErrorType ?? fields.ExceptionName)! : LoggedError;
        var message = (typed ? fields.ErrorMessage ?? fields.Message : fields.Message ?? fields.ErrorMessage) ?? "";
        error = Create(type, message, fields.StackTrace ?? fields.ExceptionText, fields.RequestId ?? requestId, LambdaReportParser.TraceRoot(fields.TraceId));
        return true;
    }

    private static bool IsErrorLevel(string? level) => level is not null && IsErrorLevel(level.AsSpan());

    private static bool ReadJson(ReadOnlySpan<byte> utf8, ref JsonError fields)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = Key(ref reader);
                reader.Read();
                switch (key)
                {
                    case Keys.Level:
                        fields.Level = StringOrNull(ref reader);
                        break;
                    case Keys.Message:
                        fields.Message = StringOrNull(ref reader);
                        break;
                    case Keys.ErrorType:
                        fields.ErrorType = StringOrNull(ref reader);
                        break;
                    case Keys.ErrorMessage:
                        fields.ErrorMessage = StringOrNull(ref reader);
                        break;
                    case Keys.StackTrace:
                        fields.StackTrace = TextOrLines(ref reader);
                        break;
                    case Keys.RequestId:
                        fields.RequestId = StringOrNull(ref reader);
                        break;
                    case Keys.TraceId:
                        fields.TraceId = StringOrNull(ref reader);
                        break;
                    case Keys.ExceptionName:
                        fields.ExceptionName = StringOrNull(ref reader);
                        break;
                    case Keys.Type:
                        fields.RecordType = reader.TokenType == JsonTokenType.String && reader.ValueSpan.StartsWith("platform."u8) ? "platform" : null;
                        reader.Skip();
                        break;
                    case Keys.Exception:
                        ReadException(ref reader, ref fields);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Powertools and Observe write <c>exception</c>/<c>error</c> as an exception's text or as an object.</summary>
    private static void ReadException(ref Utf8JsonReader reader, ref JsonError fields)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            fields.ExceptionText ??= reader.GetString();
            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8) || reader.ValueTextEquals("Type"u8) || reader.ValueTextEquals("name"u8) || reader.ValueTextEquals("errorType"u8);
            var isMessage = reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("Message"u8) || reader.ValueTextEquals("errorMessage"u8);
            var isStack = reader.ValueTextEquals("stackTrace"u8) || reader.ValueTextEquals("StackTrace"u8) || reader.ValueTextEquals("stack"u8);
            reader.Read();
            if (isType)
            {
                fields.ErrorType ??= StringOrNull(ref reader);
            }
            else if (isMessage)
            {
                fields.ErrorMessage ??= StringOrNull(ref reader);
            }
            else if (isStack)
            {
                fields.StackTrace ??= TextOrLines(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private enum Keys
    {
        Other,
        Level,
        Message,
        ErrorType,
        ErrorMessage,
        StackTrace,
        RequestId,
        TraceId,
        ExceptionName,
        Exception,
        Type,
    }

    private static Keys Key(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("level"u8) || reader.ValueTextEquals("Level"u8) || reader.ValueTextEquals("levelname"u8))
        {
            return Keys.Level;
        }

        if (reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("msg"u8))
        {
            return Keys.Message;
        }

        if (reader.ValueTextEquals("errorType"u8) || reader.ValueTextEquals("error_type"u8))
        {
            return Keys.ErrorType;
        }

        if (reader.ValueTextEquals("errorMessage"u8) || reader.ValueTextEquals("error_message"u8))
        {
            return Keys.ErrorMessage;
        }

        if (reader.ValueTextEquals("stackTrace"u8) || reader.ValueTextEquals("stack_trace"u8) || reader.ValueTextEquals("stack"u8))
        {
            return Keys.StackTrace;
        }

        if (reader.ValueTextEquals("requestId"u8) || reader.ValueTextEquals("function_request_id"u8) || reader.ValueTextEquals("AWSRequestId"u8))
        {
            return Keys.RequestId;
        }

        if (reader.ValueTextEquals("traceId"u8) || reader.ValueTextEquals("xray_trace_id"u8))
        {
            return Keys.TraceId;
        }

        if (reader.ValueTextEquals("exception_name"u8))
        {
            return Keys.ExceptionName;
        }

        if (reader.ValueTextEquals("exception"u8) || reader.ValueTextEquals("error"u8) || reader.ValueTextEquals("Exception"u8))
        {
            return Keys.Exception;
        }

        return reader.ValueTextEquals("type"u8) ? Keys.Type : Keys.Other;
    }

    private static string? StringOrNull(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.ValueSpan.Length > MaxStackTraceLength * 4 ? null : reader.GetString();
        }

        reader.Skip();
        return null;
    }

    // A stack trace as one string, or as Lambda's array of lines.
    private static string? TextOrLines(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return StringOrNull(ref reader);
        }

        var text = new StringBuilder();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String && text.Length < MaxStackTraceLength)
            {
                text.Append(reader.GetString()).Append('\n');
            }
            else
            {
                reader.Skip();
            }
        }

        return text.Length == 0 ? null : text.ToString(0, text.Length - 1);
    }

    /// <summary>The one place an error takes shape: message cut to its first line, frames scanned from the stack, fingerprint.</summary>
    private static ErrorEvent Create(string type, ReadOnlySpan<char> message, ReadOnlySpan<char> stack, string? requestId, string? traceId)
    {
        var firstLine = message.IndexOfAny('\n', '\r');
        var shown = (firstLine < 0 ? message : message[..firstLine]).Trim();
        if (shown.Length > MaxMessageLength)
        {
            shown = shown[..MaxMessageLength];
        }

        var normalised = ErrorFingerprint.NormaliseMessage(shown);
        var typeName = type.Length > 200 ? type[..200] : type;
        var trace = stack.IsEmpty ? null : (stack.Length > MaxStackTraceLength ? stack[..MaxStackTraceLength] : stack).ToString();
        var frames = Frames(stack);
        IReadOnlyList<string> top = frames.Count > ErrorFingerprint.TopFrames ? frames.Take(ErrorFingerprint.TopFrames).ToArray() : frames;
        return new ErrorEvent(typeName, shown.ToString(), normalised, top, trace, requestId, traceId, ErrorFingerprint.Compute(typeName, normalised, top));
    }

    private static ErrorEvent Create(string type, string message, string? stack, string? requestId, string? traceId) =>
        Create(type, message.AsSpan(), stack.AsSpan(), requestId, traceId);
}
