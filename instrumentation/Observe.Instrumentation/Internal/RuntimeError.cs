using System.Text.Json.Serialization;

namespace Observe.Instrumentation.Internal;

/// <summary>The error document the Runtime API takes for init and invocation errors.</summary>
internal sealed record RuntimeError(
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("errorType")] string ErrorType,
    [property: JsonPropertyName("stackTrace")] IReadOnlyList<string> StackTrace)
{
    public static RuntimeError From(Exception exception) =>
        new(exception.Message, exception.GetType().Name, exception.StackTrace?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? []);
}

/// <summary>Source-generated serialization, so the package stays trimming and Native AOT safe.</summary>
[JsonSerializable(typeof(RuntimeError))]
internal sealed partial class InstrumentationJsonContext : JsonSerializerContext;
