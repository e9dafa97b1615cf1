using OpenTelemetry;
using OpenTelemetry.Logs;

namespace Observe.Instrumentation.Internal.Logging;

/// <summary>
/// Applies the JSON logger's redaction to log records before the OTLP exporter sees them: redacted attributes become
/// <c>***</c> and the formatted message is rendered again from its template with them hidden.
/// </summary>
internal sealed class RedactingLogProcessor(LogSettings settings) : BaseProcessor<LogRecord>
{
    public override void OnEnd(LogRecord data)
    {
        if (data.Attributes is not { Count: > 0 } attributes)
        {
            return;
        }

        KeyValuePair<string, object?>[]? redacted = null;
        for (var i = 0; i < attributes.Count; i++)
        {
            if (settings.Redacted.Contains(attributes[i].Key))
            {
                redacted ??= [.. attributes];
                redacted[i] = new(attributes[i].Key, JsonLogWriter.Redacted);
            }
        }

        if (redacted is null)
        {
            return;
        }

        data.Attributes = redacted;
        if (redacted[^1] is { Key: "{OriginalFormat}", Value: string format })
        {
            var buffer = new CharBuffer();
            MessageTemplate.Parse(format).Render(redacted, redacted.Length - 1, settings.Redacted, buffer);
            data.FormattedMessage = new string(buffer.Written);
        }
    }
}
