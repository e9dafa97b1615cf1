using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Observe.Instrumentation.Internal;
using Observe.Instrumentation.Internal.Logging;

namespace Observe.Instrumentation.Tests;

public class JsonLoggerTests
{
    [Fact]
    public void Log_TemplateWithProperties_WritesLambdaKeysAndTypedProperties()
    {
        var output = new CapturedOutput();
        var time = new ManualTimeProvider(new DateTimeOffset(2024, 10, 10, 13, 34, 7, 448, TimeSpan.Zero));
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create(), time: time);

        factory.CreateLogger("Orders.Api").LogInformation("Order {OrderId} for {Customer} took {Elapsed:N1} ms, paid {Paid}", 42, "ann", 12.345, true);

        var line = Assert.Single(output.Json);
        Assert.Equal("2024-10-10T13:34:07.448Z", line.GetProperty("timestamp").GetString());
        Assert.Equal("Information", line.GetProperty("level").GetString());
        Assert.Equal("Order 42 for ann took 12.3 ms, paid True", line.GetProperty("message").GetString());
        Assert.Equal("Orders.Api", line.GetProperty("category").GetString());
        Assert.Equal(42, line.GetProperty("OrderId").GetInt32());
        Assert.Equal("ann", line.GetProperty("Customer").GetString());
        Assert.Equal(12.345, line.GetProperty("Elapsed").GetDouble());
        Assert.True(line.GetProperty("Paid").GetBoolean());
        Assert.Equal("orders", line.GetProperty("functionName").GetString());
        Assert.Equal("7", line.GetProperty("functionVersion").GetString());
        Assert.False(line.TryGetProperty("{OriginalFormat}", out _));
        Assert.False(line.TryGetProperty("requestId", out _));
    }

    [Fact]
    public void Log_InsideSpanAndInvocationWithoutLambdaHeader_CarriesSpanIdsAndNoLambdaTraceId()
    {
        var output = new CapturedOutput();
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create());
        using var source = new ActivitySource("test.logging");
        using var listener = ListenToAll(source.Name);

        using (var activity = source.StartActivity("invoke"))
        {
            InvocationState.Current = new InvocationState(new LambdaInvocationContext("req-1", null, DateTimeOffset.MaxValue), null, coldStart: true, "corr-9", 0.5);
            factory.CreateLogger("x").LogWarning("inside");
            InvocationState.Current = null;

            var line = Assert.Single(output.Json);
            var hex = activity!.TraceId.ToHexString();
            Assert.Equal(hex, line.GetProperty("trace_id").GetString());
            Assert.Equal(activity.SpanId.ToHexString(), line.GetProperty("span_id").GetString());
            // traceId is Lambda's own X-Ray trace (its header), not the span's: with no header there is none.
            Assert.False(line.TryGetProperty("traceId", out _));
            Assert.Equal("req-1", line.GetProperty("requestId").GetString());
            Assert.True(line.GetProperty("coldStart").GetBoolean());
            Assert.Equal("corr-9", line.GetProperty("correlationId").GetString());
            Assert.Equal("Warning", line.GetProperty("level").GetString());
        }
    }

    [Fact]
    public void Log_NoSpanButUnsampledTraceHeader_UsesHeaderTraceId()
    {
        var output = new CapturedOutput();
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create());
        Assert.True(XRayTraceHeader.TryParse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0", out var header));

        InvocationState.Current = new InvocationState(new LambdaInvocationContext("req-2", null, DateTimeOffset.MaxValue), header, false, null, 0.5);
        factory.CreateLogger("x").LogInformation("unsampled");
        InvocationState.Current = null;

        var line = Assert.Single(output.Json);
        Assert.Equal("1-5759e988-bd862e3fe1be46a994272793", line.GetProperty("traceId").GetString());
        Assert.Equal("5759e988bd862e3fe1be46a994272793", line.GetProperty("trace_id").GetString());
    }

    [Fact]
    public void Log_ExceptionWithInner_WritesTypeMessageStackAndInner()
    {
        var output = new CapturedOutput();
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create());
        Exception thrown;
        try
        {
            try
            {
                throw new FormatException("bad amount");
            }
            catch (FormatException cause)
            {
                throw new InvalidOperationException("order rejected", cause);
            }
        }
        catch (InvalidOperationException ex)
        {
            thrown = ex;
        }

        factory.CreateLogger("x").LogError(thrown, "Failed {Order}", 5);

        var line = Assert.Single(output.Json);
        Assert.Equal("Error", line.GetProperty("level").GetString());
        Assert.Equal("Failed 5", line.GetProperty("message").GetString());
        Assert.Equal("System.InvalidOperationException", line.GetProperty("errorType").GetString());
        Assert.Equal("order rejected", line.GetProperty("errorMessage").GetString());
        Assert.Contains(line.GetProperty("stackTrace").EnumerateArray(), frame => frame.GetString()!.Contains(nameof(Log_ExceptionWithInner_WritesTypeMessageStackAndInner), StringComparison.Ordinal));
        var inner = line.GetProperty("innerException");
        Assert.Equal("System.FormatException", inner.GetProperty("errorType").GetString());
        Assert.Equal("bad amount", inner.GetProperty("errorMessage").GetString());
        Assert.NotEqual(0, inner.GetProperty("stackTrace").GetArrayLength());
    }

    [Fact]
    public void Log_AggregateException_ListsEveryInnerException()
    {
        var output = new CapturedOutput();
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create());

        factory.CreateLogger("x").LogError(new AggregateException(new TimeoutException("a"), new ArgumentException("b")), "batch failed");

        var inner = Assert.Single(output.Json).GetProperty("innerExceptions");
        Assert.Equal(["System.TimeoutException", "System.ArgumentException"], inner.EnumerateArray().Select(e => e.GetProperty("errorType").GetString()));
    }

    [Fact]
    public void Log_RedactedProperty_HiddenInPropertyMessageAndScope()
    {
        var output = new CapturedOutput();
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create(), o => o.RedactedProperties.Add("cardNumber"));
        var logger = factory.CreateLogger("x");

        using (logger.BeginScope(new Dictionary<string, object?> { ["CardNumber"] = "4111", ["Shop"] = "north" }))
        {
            logger.LogInformation("Paid with {CardNumber} at {Amount}", "4111111111111111", 10);
        }

        var line = Assert.Single(output.Json);
        Assert.DoesNotContain("4111", Assert.Single(output.Lines), StringComparison.Ordinal);
        Assert.Equal("Paid with *** at 10", line.GetProperty("message").GetString());
        Assert.Equal("***", line.GetProperty("CardNumber").GetString());
        Assert.Equal("north", line.GetProperty("Shop").GetString());
    }

    [Fact]
    public void Log_Scopes_PropertiesFlattenedInnerWinsPlainScopesListed()
    {
        var output = new CapturedOutput();
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create());
        var logger = factory.CreateLogger("x");

        using (logger.BeginScope("batch {BatchId} of {Tenant}", 3, "outer"))
        using (logger.BeginScope(new Dictionary<string, object?> { ["Tenant"] = "inner" }))
        using (logger.BeginScope("plain text scope"))
        {
            logger.LogInformation("Item {Tenant}", "entry");
        }

        var line = Assert.Single(output.Json);
        Assert.Equal(3, line.GetProperty("BatchId").GetInt32());
        Assert.Equal("entry", line.GetProperty("Tenant").GetString());
        Assert.Equal(["plain text scope"], line.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(2, Assert.Single(output.Lines).Split("\"Tenant\"").Length);
    }

    [Fact]
    public void Log_PropertyNamedLikeReservedKey_IsPrefixedNotDuplicated()
    {
        var output = new CapturedOutput();
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create());

        factory.CreateLogger("x").LogInformation("{message} at {level}", "user text", 3);

        var line = Assert.Single(output.Json);
        Assert.Equal("user text at 3", line.GetProperty("message").GetString());
        Assert.Equal("user text", line.GetProperty("_message").GetString());
        Assert.Equal(3, line.GetProperty("_level").GetInt32());
    }

    [Fact]
    public void Log_StateNotAPropertyList_MessageFromFormatter()
    {
        var output = new CapturedOutput();
        var time = new ManualTimeProvider(new DateTimeOffset(2024, 10, 10, 13, 34, 7, 448, TimeSpan.Zero));
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create(), time: time);
        var logger = factory.CreateLogger("x");

        logger.Log(LogLevel.Warning, new EventId(7), new OrderState(42), null, (state, _) => $"order {state.Id}");
        logger.Log(LogLevel.Error, default, "plain state", new InvalidOperationException("boom"), (state, e) => $"{state}: {e!.Message}");

        Assert.Equal(
            [
                """{"timestamp":"2024-10-10T13:34:07.448Z","level":"Warning","message":"order 42","category":"x","eventId":7,"functionName":"orders","functionVersion":"7"}""",
                """{"timestamp":"2024-10-10T13:34:07.448Z","level":"Error","message":"plain state: boom","category":"x","functionName":"orders","functionVersion":"7","errorType":"System.InvalidOperationException","errorMessage":"boom","stackTrace":[]}""",
            ],
            output.Lines);
    }

    [Fact]
    public void Log_PropertyListWithoutTemplate_MessageFromFormatterPropertiesWritten()
    {
        var output = new CapturedOutput();
        var time = new ManualTimeProvider(new DateTimeOffset(2024, 10, 10, 13, 34, 7, 448, TimeSpan.Zero));
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create(), time: time);
        List<KeyValuePair<string, object?>> state = [new("OrderId", 42), new("level", "mine"), new("Note", null)];

        factory.CreateLogger("x").Log(LogLevel.Information, default, state, null, (_, _) => "custom message");

        Assert.Equal(
            """{"timestamp":"2024-10-10T13:34:07.448Z","level":"Information","message":"custom message","category":"x","functionName":"orders","functionVersion":"7","OrderId":42,"_level":"mine","Note":null}""",
            Assert.Single(output.Lines));
    }

    [Fact]
    public void Log_TemplateCacheFull_MessageFromFormatterOriginalFormatNotWritten()
    {
        var output = new CapturedOutput();
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create());
        var logger = factory.CreateLogger("x");
#pragma warning disable CA2254 // The point of the test is many distinct templates.
        for (var i = 0; i < 2048; i++)
        {
            logger.LogInformation($"template {i} {{A}}", i);
        }
#pragma warning restore CA2254

        logger.LogInformation("one more {A,5}|", 7);

        var line = output.Json[^1];
        Assert.Equal("one more     7|", line.GetProperty("message").GetString());
        Assert.Equal(7, line.GetProperty("A").GetInt32());
        Assert.False(line.TryGetProperty("{OriginalFormat}", out _));
    }

    [Fact]
    public void Log_ReferenceTypeStateWithTemplate_AllocatesNothingOnceWarm()
    {
        var settings = new LogSettings(new ObserveLoggerOptions(), TestEnvironment.Create(), new LineSink(Stream.Null), TimeProvider.System);
        var logger = new ObserveJsonLoggerProvider(settings).CreateLogger("x");
        List<KeyValuePair<string, object?>> state = [new("OrderId", "o-1"), new("Customer", "ann"), new("{OriginalFormat}", "Order {OrderId} for {Customer}")];
        Func<List<KeyValuePair<string, object?>>, Exception?, string> formatter = (_, _) => throw new InvalidOperationException("The template renders the message.");
        logger.Log(LogLevel.Information, default, state, null, formatter);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            logger.Log(LogLevel.Information, default, state, null, formatter);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("{A} and {B}")]
    [InlineData("{{escaped}} {A} }} {{")]
    [InlineData("{A,8}|{B,-6}|{C:yyyy-MM-dd}|{D:x4}")]
    [InlineData("{A:N2} {B} {C} {D} {E}")]
    [InlineData("{A}{B}{C}{D}{E} tail")]
    public void Render_AnyTemplate_MatchesMicrosoftExtensionsLogging(string template)
    {
        var captured = new List<(object State, string Message)>();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new CapturingProvider(captured)));
        object?[] args = [1234.5678, "text", new DateTime(2026, 11, 22, 5, 6, 7, DateTimeKind.Utc), 255, new[] { 1, 2 }];

#pragma warning disable CA2254 // The point of the test is arbitrary templates.
        factory.CreateLogger("x").LogInformation(template, args);
#pragma warning restore CA2254

        var (state, expected) = Assert.Single(captured);
        var values = (IReadOnlyList<KeyValuePair<string, object?>>)state;
        var buffer = new CharBuffer();
        MessageTemplate.Parse(template).Render(values, values.Count - 1, new HashSet<string>(), buffer);
        Assert.Equal(expected, buffer.Written.ToString());
    }

    [Fact]
    public void IsEnabled_LambdaLevelSet_WinsOverOption()
    {
        var output = new CapturedOutput();
        var env = TestEnvironment.Create((LambdaEnvironment.LambdaLogLevelVariable, "WARN"), (LambdaEnvironment.ObserveLogLevelVariable, "DEBUG"));
        using var factory = TestEnvironment.CreateLoggerFactory(output, env, o => o.MinimumLevel = LogLevel.Trace);
        var logger = factory.CreateLogger("x");

        logger.LogInformation("dropped");
        logger.LogWarning("kept");

        Assert.Equal("kept", Assert.Single(output.Json).GetProperty("message").GetString());
    }

    [Fact]
    public void IsEnabled_OwnVariableWithoutOption_Used()
    {
        var output = new CapturedOutput();
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create((LambdaEnvironment.ObserveLogLevelVariable, "debug")));

        factory.CreateLogger("x").LogDebug("kept");

        Assert.Single(output.Lines);
    }

    [Fact]
    public void IsEnabled_DebugSampling_OnlyForInvocationsDrawnBelowRate()
    {
        var output = new CapturedOutput();
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create(), o => o.DebugSampleRate = 0.25);
        var logger = factory.CreateLogger("x");

        logger.LogDebug("outside any invocation");
        InvocationState.Current = new InvocationState(new LambdaInvocationContext("sampled", null, DateTimeOffset.MaxValue), null, false, null, 0.1);
        logger.LogDebug("sampled debug");
        logger.LogTrace("trace stays off");
        InvocationState.Current = new InvocationState(new LambdaInvocationContext("not-sampled", null, DateTimeOffset.MaxValue), null, false, null, 0.9);
        logger.LogDebug("not sampled");
        InvocationState.Current = null;

        Assert.Equal(["sampled debug"], output.Json.Select(l => l.GetProperty("message").GetString()));
    }

    [Fact]
    public void Log_ValueToStringThrows_NothingThrownAndOtherLinesUnaffected()
    {
        var output = new CapturedOutput();
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create());
        var logger = factory.CreateLogger("x");

        logger.LogInformation("bad {Value}", new ThrowingToString());
        logger.LogInformation("good");

        Assert.Equal("good", Assert.Single(output.Json).GetProperty("message").GetString());
    }

    [Fact]
    public void Log_ManyThreads_EveryLineIsWholeJson()
    {
        var output = new CapturedOutput();
        using var factory = TestEnvironment.CreateLoggerFactory(output, TestEnvironment.Create());
        var logger = factory.CreateLogger("x");

        Parallel.For(0, 2000, i => logger.LogInformation("line {Index} {Text}", i, new string('x', i % 300)));

        var lines = output.Json;
        Assert.Equal(2000, lines.Count);
        Assert.Equal(Enumerable.Range(0, 2000), lines.Select(l => l.GetProperty("Index").GetInt32()).Order());
    }

    internal static ActivityListener ListenToAll(string sourceName)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private readonly record struct OrderState(int Id);

    private sealed class ThrowingToString
    {
        public override string ToString() => throw new InvalidOperationException("ToString failed");
    }

    private sealed class CapturingProvider(List<(object, string)> captured) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(captured);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(List<(object, string)> captured) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            captured.Add((state!, formatter(state, exception)));
    }
}
