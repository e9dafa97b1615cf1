using System.Collections;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Observe.Instrumentation;
using Observe.Instrumentation.Internal;
using Observe.Instrumentation.Internal.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Observe.Benchmarks;

/// <summary>
/// One log line with 4 template properties, formatted as JSON and written to a null stream, in the same run:
/// Microsoft's JsonConsoleFormatter (baseline), Serilog's JsonFormatter and Observe's JSON logger.
/// The state is built once (values already boxed), so the numbers are the formatter's cost, not the call site's.
/// </summary>
[MemoryDiagnoser]
public class InstrumentationLogBenchmarks
{
    private const string Template = "Order {OrderId} for {Customer} took {Elapsed} ms ({Items} items)";
    private static readonly Func<TemplateState, Exception?, string> Format = (s, _) => s.ToString();

    private readonly TemplateState _state = new(Template, ("OrderId", 4242), ("Customer", "ann@example.com"), ("Elapsed", 12.5), ("Items", 3));
    private readonly object[] _serilogArgs = [4242, "ann@example.com", 12.5, 3];
    private ConsoleFormatter _jsonConsole = null!;
    private readonly LoggerExternalScopeProvider _scopes = new();
    private TextWriter _nullWriter = null!;
    private Microsoft.Extensions.Logging.ILogger _observe = null!;
    private Serilog.Core.Logger _serilog = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection().AddLogging(b => b.AddJsonConsole()).BuildServiceProvider();
        _jsonConsole = services.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Json);
        _nullWriter = new StreamWriter(Stream.Null);

        var settings = new LogSettings(new ObserveLoggerOptions(), new LambdaEnvironment(_ => null), new LineSink(Stream.Null), TimeProvider.System);
        _observe = new ObserveJsonLoggerProvider(settings).CreateLogger("Orders.Api");

        _serilog = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(new FormatterSink(new JsonFormatter(renderMessage: true), _nullWriter)).CreateLogger();
    }

    [GlobalCleanup]
    public void Cleanup() => _serilog.Dispose();

    [Benchmark(Baseline = true)]
    public void MicrosoftJsonConsoleFormatter()
    {
        var entry = new LogEntry<TemplateState>(LogLevel.Information, "Orders.Api", default, _state, null, Format);
        _jsonConsole.Write(entry, _scopes, _nullWriter);
        _nullWriter.Flush();
    }

    [Benchmark]
    public void SerilogJsonFormatter()
    {
        _serilog.Write(LogEventLevel.Information, Template, _serilogArgs);
        _nullWriter.Flush();
    }

    [Benchmark]
    public void ObserveJsonLogger() => _observe.Log(LogLevel.Information, default, _state, null, Format);

    /// <summary>A reusable Microsoft.Extensions.Logging state, shaped like what LoggerMessage builds.</summary>
    private sealed class TemplateState(string template, params (string Name, object Value)[] values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?>[] _items = [.. values.Select(v => new KeyValuePair<string, object?>(v.Name, v.Value)), new("{OriginalFormat}", template)];

        public int Count => _items.Length;

        public KeyValuePair<string, object?> this[int index] => _items[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_items).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"Order {_items[0].Value} for {_items[1].Value} took {_items[2].Value} ms ({_items[3].Value} items)";
    }

    private sealed class FormatterSink(JsonFormatter formatter, TextWriter writer) : Serilog.Core.ILogEventSink
    {
        public void Emit(LogEvent logEvent) => formatter.Format(logEvent, writer);
    }
}
