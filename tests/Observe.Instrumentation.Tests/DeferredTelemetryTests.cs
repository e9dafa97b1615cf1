using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Observe.Instrumentation.Internal.Logging;
using OpenTelemetry.Trace;

namespace Observe.Instrumentation.Tests;

/// <summary>
/// The OpenTelemetry SDK is built on a background thread; these tests hold it back (the internal set-up gate) so that
/// invocations end before it is ready, as the first invocation of a cold start may.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class DeferredTelemetryTests
{
    private const string LambdaHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    [Fact]
    public async Task InvokeAsync_SdkReadyOnlyAfterTheInvocationEnded_SpanMetricsAndLogRecordsExportedWithTheLinesTraceId()
    {
        using var receiver = new OtlpReceiver();
        using var gate = new ManualResetEventSlim();
        var output = new CapturedOutput();
        // FlushTimeout (and the exporter's timeout) 30 s: the second invocation's flush waits for the set-up and the export;
        // on a loaded machine either can take seconds. It bounds only that wait: the first invocation's flush is cut by its deadline.
        using var lambda = OtlpExportTests.CreateLambda(
            receiver.Endpoint, output, TimeSpan.FromSeconds(30), o => o.TelemetrySetupGate = gate.Wait, extraSettings: [OtlpExportTests.ExportTimeout]);
        var logger = lambda.LoggerFactory.CreateLogger("Orders");
        var first = LambdaHarness.NewRequestId();

        // Little time left: its flush gives up waiting for the SDK after ~300 ms (remaining time minus the margin).
        await lambda.InvokeAsync(LambdaHarness.Context(first, remaining: TimeSpan.FromMilliseconds(350)), _ =>
        {
            logger.LogInformation("Order {OrderId} accepted", "o-1");
            return Task.CompletedTask;
        });
        var firstEnded = DateTimeOffset.UtcNow;
        Assert.Empty(receiver.Requests);

        // Only so that a span stamped when the SDK took it would end visibly after firstEnded; a slow machine only
        // lengthens it, and nothing below depends on it being short.
        await Task.Delay(50);
        gate.Set();

        // The next invocation's flush waits for the SDK (30 s budget) and sends what the first one left.
        await lambda.InvokeAsync(LambdaHarness.Context(LambdaHarness.NewRequestId(), LambdaHeader), _ => Task.CompletedTask);

        var requests = receiver.Requests.ToList();
        var spans = requests.Where(r => r.Path == "/v1/traces")
            .SelectMany(r => Protobuf.Messages(r.Body, 1)).SelectMany(rs => Protobuf.Messages(rs, 2)).SelectMany(ss => Protobuf.Messages(ss, 2)).ToList();
        var span = Assert.Single(spans, s => Protobuf.Attributes(s, 9)["faas.invocation_id"] == first);
        var line = Assert.Single(output.Json, l => l.TryGetProperty("message", out var m) && m.GetString() == "Order o-1 accepted");
        Assert.Equal(line.GetProperty("trace_id").GetString(), Protobuf.Hex(Protobuf.Bytes(span, 1)));
        Assert.Equal(line.GetProperty("span_id").GetString(), Protobuf.Hex(Protobuf.Bytes(span, 2)));
        Assert.Equal("True", Protobuf.Attributes(span, 9)["faas.coldstart"]);

        // The span keeps the time it ended, not the time the SDK took it.
        var endNanoseconds = Protobuf.Read(span).Single(f => f.Field == 8).Varint;
        Assert.True(DateTimeOffset.FromUnixTimeMilliseconds((long)(endNanoseconds / 1_000_000)) <= firstEnded, "the span's end time is when the SDK became ready");

        var record = Assert.Single(
            requests.Where(r => r.Path == "/v1/logs").SelectMany(r => Protobuf.Messages(r.Body, 1)).SelectMany(rl => Protobuf.Messages(rl, 2)).SelectMany(sl => Protobuf.Messages(sl, 2)),
            r => Protobuf.String(Protobuf.Bytes(r, 5)!, 1) == "Order o-1 accepted");
        Assert.Equal(Protobuf.Hex(Protobuf.Bytes(span, 1)), Protobuf.Hex(Protobuf.Bytes(record, 9)));
        Assert.Equal(Protobuf.Hex(Protobuf.Bytes(span, 2)), Protobuf.Hex(Protobuf.Bytes(record, 10)));
        Assert.Equal("o-1", Protobuf.Attributes(record, 6)["OrderId"]);
        var recordTime = Protobuf.Read(record).Single(f => f.Field == 1).Varint;
        Assert.True(DateTimeOffset.FromUnixTimeMilliseconds((long)(recordTime / 1_000_000)) <= firstEnded, "the log record's time is when it was replayed");

        // faas.coldstarts is recorded only by the first (cold) invocation: its metrics were replayed into the SDK.
        var metricNames = requests.Where(r => r.Path == "/v1/metrics")
            .SelectMany(r => Protobuf.Messages(r.Body, 1)).SelectMany(rm => Protobuf.Messages(rm, 2)).SelectMany(sm => Protobuf.Messages(sm, 2))
            .Select(m => Protobuf.String(m, 1)).ToList();
        Assert.Contains("faas.coldstarts", metricNames);
        Assert.Contains("faas.init_duration", metricNames);
    }

    [Fact]
    public async Task InvokeAsync_SdkSlowerThanTheFlushBudget_ReturnsWithinBudgetReportsAndExportsLater()
    {
        using var events = new DiagnosticEvents();
        using var gate = new ManualResetEventSlim();
        using var harness = new LambdaHarness(o =>
        {
            o.FlushTimeout = TimeSpan.FromMilliseconds(200);
            o.TelemetrySetupGate = gate.Wait;
        });
        var logger = harness.Lambda.LoggerFactory.CreateLogger("Orders");
        var requestIds = new[] { LambdaHarness.NewRequestId(), LambdaHarness.NewRequestId() };

        foreach (var requestId in requestIds)
        {
            var stopwatch = Stopwatch.StartNew();
            var result = await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId), _ =>
            {
                logger.LogInformation("handled");
                return Task.FromResult(requestId);
            });
            stopwatch.Stop();
            Assert.Equal(requestId, result);
            Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(190), $"returned after {stopwatch.ElapsedMilliseconds} ms without waiting for the SDK");

            // The gate stays shut until after this loop: an invocation that waited for the SDK would never return. 30 s
            // tells that apart on any machine; which budget the flush waited is checked below from what it reported,
            // which load cannot change (a wall-clock bound near 200 ms could not hold on a loaded machine).
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.ElapsedMilliseconds} ms for a 200 ms budget");
        }

        Assert.Empty(harness.Spans);
        Assert.Equal(
            requestIds.Length,
            events.Named("FlushTimedOut").Count(e => (int)e.Payload![0]! == 200 && (string?)e.Payload[1] == "waiting for the OpenTelemetry providers"));

        gate.Set();
        Assert.True(harness.Lambda.WaitForTelemetry(TimeSpan.FromSeconds(30)));
        foreach (var requestId in requestIds)
        {
            var span = harness.SpanOf(requestId);
            Assert.Equal(span.TraceId.ToHexString(), Assert.Single(harness.LinesOf(requestId)).GetProperty("trace_id").GetString());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task InvokeAsync_UnsampledBeforeSdkReady_SameDecisionAsTheSdk(bool recordUnsampled)
    {
        using var gate = new ManualResetEventSlim();
        using var harness = new LambdaHarness(o =>
        {
            o.FlushTimeout = TimeSpan.FromMilliseconds(50);
            o.RecordUnsampledInvocations = recordUnsampled;
            o.TelemetrySetupGate = gate.Wait;
        });
        var logger = harness.Lambda.LoggerFactory.CreateLogger("Orders");
        var requestId = LambdaHarness.NewRequestId();

        await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"), _ =>
        {
            logger.LogInformation("unsampled");
            return Task.CompletedTask;
        });
        gate.Set();

        // The getter waits only FlushTimeout (50 ms here): wait for the set-up itself before asking for the real provider.
        Assert.True(harness.Lambda.WaitForTelemetry(TimeSpan.FromSeconds(30)));
        harness.Lambda.TracerProvider.ForceFlush();

        // Log lines carry Lambda's trace id either way; the span exists only when unsampled invocations are recorded.
        var line = Assert.Single(harness.LinesOf(requestId));
        Assert.Equal("5759e988bd862e3fe1be46a994272793", line.GetProperty("trace_id").GetString());
        Assert.Equal(recordUnsampled ? 1 : 0, harness.Spans.Count(a => (string?)a.GetTagItem("faas.invocation_id") == requestId));
    }

    [Fact]
    public async Task InvokeAsync_MoreInvocationsThanKeptBeforeSdkReady_KeepsTheBoundAndReportsTheRest()
    {
        using var events = new DiagnosticEvents();
        using var gate = new ManualResetEventSlim();
        using var harness = new LambdaHarness(o =>
        {
            o.FlushTimeout = TimeSpan.FromMilliseconds(1);
            o.TelemetrySetupGate = gate.Wait;
        });
        var requestIds = Enumerable.Range(0, Internal.TelemetryPipeline.MaxPendingInvocations + 3).Select(_ => LambdaHarness.NewRequestId()).ToList();

        foreach (var requestId in requestIds)
        {
            await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId), _ => Task.CompletedTask);
        }

        gate.Set();

        // The getter waits only FlushTimeout (1 ms here): wait for the set-up itself before asking for the real provider.
        Assert.True(harness.Lambda.WaitForTelemetry(TimeSpan.FromSeconds(30)));
        harness.Lambda.TracerProvider.ForceFlush();

        var exported = harness.Spans.Select(a => (string?)a.GetTagItem("faas.invocation_id")).ToHashSet();
        Assert.Equal(Internal.TelemetryPipeline.MaxPendingInvocations, requestIds.Count(exported.Contains));
        Assert.True(requestIds.Take(Internal.TelemetryPipeline.MaxPendingInvocations).All(exported.Contains), "the first invocations are the ones kept");
        Assert.Equal(["invocation spans: 3", "invocations' metrics: 3"], events.Named("TelemetryDropped").Select(e => $"{e.Payload![0]}: {e.Payload[1]}").Order());
    }

    [Fact]
    public async Task TracerAndMeterProvider_SdkNotReady_ReturnWithinTheFlushTimeoutInsteadOfWaiting()
    {
        using var gate = new ManualResetEventSlim();
        using var harness = new LambdaHarness(o =>
        {
            o.FlushTimeout = TimeSpan.FromMilliseconds(200);
            o.TelemetrySetupGate = gate.Wait;
        });
        try
        {
            // Before issue 9 these waited without a limit: the guard below fails the test instead of hanging it.
            var tracer = await Task.Run(() => harness.Lambda.TracerProvider).WaitAsync(TimeSpan.FromSeconds(30));
            var meter = await Task.Run(() => harness.Lambda.MeterProvider).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.NotNull(tracer);
            Assert.NotNull(meter);
            Assert.False(harness.Lambda.IsTelemetryReady);
        }
        finally
        {
            gate.Set();
        }
    }

    [Fact]
    public async Task Create_NoHostHoldsTheSetUpBack_ProvidersBuiltWithoutAnyFlush()
    {
        using var harness = new LambdaHarness(o => o.TelemetrySetupGate = () => { });
        var until = DateTime.UtcNow.AddSeconds(30);

        // The managed-runtime wrapper: nothing waits for the providers, they are built beside the initialization.
        while (!harness.Lambda.IsTelemetryReady && DateTime.UtcNow < until)
        {
            await Task.Delay(10);
        }

        Assert.True(harness.Lambda.IsTelemetryReady);
    }

    [Fact]
    public async Task Create_SdkSetUpFails_ReportedAndInvocationsStillRun()
    {
        using var events = new DiagnosticEvents();
        var options = new ObserveLambdaOptions { EnableOtlpExport = false, FlushTimeout = TimeSpan.FromMilliseconds(100) };
        options.ConfigureTracing = _ => throw new InvalidOperationException("broken tracing set-up");
        using var lambda = ObserveLambda.Create(options, TestEnvironment.Create(), new CapturedOutput().Sink, TimeProvider.System);

        var result = await lambda.InvokeAsync(LambdaHarness.Context(LambdaHarness.NewRequestId()), _ => Task.FromResult(5));

        Assert.Equal(5, result);
        var error = Assert.Throws<InvalidOperationException>(() => lambda.TracerProvider);
        Assert.Equal("broken tracing set-up", error.InnerException?.Message);
        Assert.Contains(events.Named("TelemetrySetupFailed"), e => ((string)e.Payload![0]!).Contains("broken tracing set-up", StringComparison.Ordinal));
    }

    [Fact]
    public void DeferredLogProvider_CallsBeforeAttach_KeptUpToTheBoundThenReplayedLaterCallsForwarded()
    {
        var settings = new LogSettings(new ObserveLoggerOptions(), TestEnvironment.Create(), new CapturedOutput().Sink, TimeProvider.System);
        using var deferred = new DeferredExportLoggerProvider(settings);
        var logger = deferred.CreateLogger("Orders");
        for (var i = 0; i < DeferredExportLoggerProvider.MaxPending + 1; i++)
        {
            logger.Log(LogLevel.Information, new EventId(i), new Numbered(i), null, (state, _) => $"kept {state.Value}");
        }

        var received = new List<(string Category, EventId EventId, object? State, string Message)>();
        deferred.Attach(new RecordingProvider(received));
        logger.Log(LogLevel.Warning, new EventId(9), new Numbered(-1), null, (state, _) => $"forwarded {state.Value}");

        Assert.Equal(DeferredExportLoggerProvider.MaxPending + 1, received.Count);
        Assert.Equal(("Orders", new EventId(0), (object?)new Numbered(0), "kept 0"), received[0]);
        Assert.Equal("kept 255", received[DeferredExportLoggerProvider.MaxPending - 1].Message);
        Assert.Equal(("Orders", new EventId(9), (object?)new Numbered(-1), "forwarded -1"), received[^1]);
    }

    [Fact]
    public void DeferredLogProvider_KeptCallWhoseMessageFailsToFormat_IsReportedAndTheOthersStillReplayed()
    {
        using var events = new DiagnosticEvents();
        var settings = new LogSettings(new ObserveLoggerOptions(), TestEnvironment.Create(), new CapturedOutput().Sink, TimeProvider.System);
        using var deferred = new DeferredExportLoggerProvider(settings);
        var logger = deferred.CreateLogger("Orders");
        logger.Log(LogLevel.Information, new EventId(1), new Numbered(1), null, (_, _) => throw new FormatException("bad value"));
        logger.Log(LogLevel.Information, new EventId(2), new Numbered(2), null, (state, _) => $"kept {state.Value}");

        var received = new List<(string Category, EventId EventId, object? State, string Message)>();
        deferred.Attach(new RecordingProvider(received));

        // Formatted at replay, off the function's path: the failing one keeps its record with an empty message.
        Assert.Equal(["", "kept 2"], received.Select(r => r.Message));
        Assert.Contains(events.Named("LogWriteFailed"), e => ((string)e.Payload![0]!).Contains("bad value", StringComparison.Ordinal));
    }

    private readonly record struct Numbered(int Value);

    private sealed class RecordingProvider(List<(string Category, EventId EventId, object? State, string Message)> received) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new RecordingLogger(categoryName, received);

        public void Dispose()
        {
        }
    }

    private sealed class RecordingLogger(string category, List<(string Category, EventId EventId, object? State, string Message)> received) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            received.Add((category, eventId, state, formatter(state, exception)));
    }
}
