using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Observe.Instrumentation.Internal;
using Observe.Instrumentation.Internal.Logging;

namespace Observe.Instrumentation.Tests;

/// <summary>Collects the lines a <see cref="LineSink"/> writes, for assertions.</summary>
internal sealed class CapturedOutput
{
    private readonly MemoryStream _stream = new();

    public CapturedOutput() => Sink = new LineSink(_stream);

    public LineSink Sink { get; }

    public string Text
    {
        get
        {
            lock (_stream)
            {
                return Encoding.UTF8.GetString(_stream.ToArray());
            }
        }
    }

    public IReadOnlyList<string> Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Every line parsed as JSON; a line that is not JSON fails the test here.</summary>
    public IReadOnlyList<JsonElement> Json => [.. Lines.Select(line => JsonDocument.Parse(line).RootElement.Clone())];
}

internal static class TestEnvironment
{
    public static LambdaEnvironment Create(params (string Name, string Value)[] variables)
    {
        var values = new Dictionary<string, string>
        {
            [LambdaEnvironment.FunctionNameVariable] = "orders",
            [LambdaEnvironment.FunctionVersionVariable] = "7",
            [LambdaEnvironment.RegionVariable] = "eu-west-1",
            [LambdaEnvironment.LogStreamVariable] = "2026/11/22/[7]abc",
        };
        foreach (var (name, value) in variables)
        {
            values[name] = value;
        }

        return new LambdaEnvironment(name => values.GetValueOrDefault(name));
    }

    public static ILoggerFactory CreateLoggerFactory(CapturedOutput output, LambdaEnvironment environment, Action<ObserveLoggerOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new ObserveLoggerOptions();
        configure?.Invoke(options);
        var provider = new ObserveJsonLoggerProvider(new LogSettings(options, environment, output.Sink, time ?? TimeProvider.System));
        return LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Trace);
            builder.AddProvider(provider);
        });
    }
}
