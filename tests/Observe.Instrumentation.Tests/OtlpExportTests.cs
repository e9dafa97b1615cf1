using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Observe.Instrumentation.Tests;

[Collection(TelemetryCollection.Name)]
public class OtlpExportTests
{
    private const string LambdaHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    /// <summary>
    /// The flush budget of tests that read what the receiver got once the invocation returned: the flush ends as soon as
    /// every signal is sent, so this only bounds it; a few seconds could run out on a loaded machine.
    /// </summary>
    private static readonly TimeSpan Received = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The exporter's own timeout for those tests: CreateLambda's 2 s keeps the failing-endpoint tests short, but a
    /// loaded machine can take longer than that to JIT, serialize and send the first export to a working receiver.
    /// </summary>
    internal static readonly (string Name, string Value) ExportTimeout = ("OTEL_EXPORTER_OTLP_TIMEOUT", "30000");

    [Fact]
    public async Task InvokeAsync_OtlpEndpointFromOtelVariables_ListenerDecodesSpanAndMetrics()
    {
        using var receiver = new OtlpReceiver();
        var output = new CapturedOutput();
        using var lambda = CreateLambda(receiver.Endpoint, output, Received, extraSettings: [ExportTimeout]);
        var requestId = LambdaHarness.NewRequestId();
        var logger = lambda.LoggerFactory.CreateLogger("x");

        await lambda.InvokeAsync(LambdaHarness.Context(requestId, LambdaHeader), _ =>
        {
            logger.LogInformation("exported");
            return Task.CompletedTask;
        });

        // The flush at the end of the invocation has already sent both signals: no waiting here.
        var requests = receiver.Requests.ToList();
        var traces = Assert.Single(requests, r => r.Path == "/v1/traces");
        Assert.Equal("application/x-protobuf", traces.ContentType);
        var resourceSpans = Assert.Single(Protobuf.Messages(traces.Body, 1));
        var resource = Protobuf.Attributes(Protobuf.Bytes(resourceSpans, 1)!, 1);
        Assert.Equal("orders", resource["service.name"]);
        Assert.Equal("aws_lambda", resource["cloud.platform"]);
        var scopeSpans = Assert.Single(Protobuf.Messages(resourceSpans, 2));
        Assert.Equal(ObserveLambda.InstrumentationName, Protobuf.String(Protobuf.Bytes(scopeSpans, 1)!, 1));
        var span = Assert.Single(Protobuf.Messages(scopeSpans, 2));
        Assert.Equal("5759e988bd862e3fe1be46a994272793", Protobuf.Hex(Protobuf.Bytes(span, 1)));
        Assert.Equal("53995c3f42cd8ad8", Protobuf.Hex(Protobuf.Bytes(span, 4)));
        Assert.Equal("orders", Protobuf.String(span, 5));
        Assert.Equal(2UL, Protobuf.Read(span).Single(f => f.Field == 6).Varint); // SPAN_KIND_SERVER
        var attributes = Protobuf.Attributes(span, 9);
        Assert.Equal(requestId, attributes["faas.invocation_id"]);
        Assert.Equal("True", attributes["faas.coldstart"]);
        Assert.Equal(Protobuf.Hex(Protobuf.Bytes(span, 2)), Assert.Single(output.Json, l => l.TryGetProperty("requestId", out _)).GetProperty("span_id").GetString());

        var metrics = Assert.Single(requests, r => r.Path == "/v1/metrics");
        var names = Protobuf.Messages(metrics.Body, 1).SelectMany(rm => Protobuf.Messages(rm, 2)).SelectMany(sm => Protobuf.Messages(sm, 2)).Select(m => Protobuf.String(m, 1)).ToList();
        Assert.Contains("faas.invocations", names);
        Assert.Contains("faas.coldstarts", names);
        Assert.Contains("faas.invoke_duration", names);
    }

    [Fact]
    public async Task InvokeAsync_OtlpLogExport_ListenerDecodesLogRecordsWithSpanIdsLevelsAndRedaction()
    {
        using var receiver = new OtlpReceiver();
        var output = new CapturedOutput();
        using var lambda = CreateLambda(receiver.Endpoint, output, Received, o => o.Logging.RedactedProperties.Add("Card"), extraSettings: [ExportTimeout]);
        var logger = lambda.LoggerFactory.CreateLogger("Orders");

        await lambda.InvokeAsync(LambdaHarness.Context(LambdaHarness.NewRequestId(), LambdaHeader), _ =>
        {
            logger.LogInformation("Order {OrderId} paid with {Card}", "o-1", "4111111111111111");
            logger.LogDebug("below the level, exported nowhere");
            return Task.CompletedTask;
        });

        // Flushed at the end of the invocation, like traces and metrics.
        var requests = receiver.Requests.ToList();
        var span = Protobuf.Messages(Assert.Single(requests, r => r.Path == "/v1/traces").Body, 1)
            .SelectMany(rs => Protobuf.Messages(rs, 2)).SelectMany(ss => Protobuf.Messages(ss, 2)).Single();
        var logs = Assert.Single(requests, r => r.Path == "/v1/logs");
        Assert.Equal("application/x-protobuf", logs.ContentType);
        var resourceLogs = Assert.Single(Protobuf.Messages(logs.Body, 1));
        Assert.Equal("orders", Protobuf.Attributes(Protobuf.Bytes(resourceLogs, 1)!, 1)["service.name"]);
        var record = Assert.Single(Protobuf.Messages(resourceLogs, 2).SelectMany(sl => Protobuf.Messages(sl, 2)));

        Assert.Equal(Protobuf.Hex(Protobuf.Bytes(span, 1)), Protobuf.Hex(Protobuf.Bytes(record, 9)));
        Assert.Equal(Protobuf.Hex(Protobuf.Bytes(span, 2)), Protobuf.Hex(Protobuf.Bytes(record, 10)));
        Assert.Equal(9UL, Protobuf.Read(record).Single(f => f.Field == 2).Varint); // SEVERITY_NUMBER_INFO
        Assert.Equal("Order o-1 paid with ***", Protobuf.String(Protobuf.Bytes(record, 5)!, 1));
        var attributes = Protobuf.Attributes(record, 6);
        Assert.Equal("o-1", attributes["OrderId"]);
        Assert.Equal("***", attributes["Card"]);
        Assert.DoesNotContain("4111111111111111", System.Text.Encoding.UTF8.GetString(logs.Body), StringComparison.Ordinal);

        // The JSON line on stdout is the same line, with the same ids.
        var line = Assert.Single(output.Json, l => l.TryGetProperty("message", out var m) && m.GetString() == "Order o-1 paid with ***");
        Assert.Equal(Protobuf.Hex(Protobuf.Bytes(record, 10)), line.GetProperty("span_id").GetString());
    }

    [Theory]
    [InlineData("setting")]
    [InlineData("OTEL_LOGS_EXPORTER")]
    public async Task InvokeAsync_OtlpLogExportTurnedOff_TracesExportedLogsNot(string how)
    {
        using var receiver = new OtlpReceiver();
        using var lambda = how == "setting"
            ? CreateLambda(receiver.Endpoint, new CapturedOutput(), Received, o => o.EnableOtlpLogExport = false, extraSettings: [ExportTimeout])
            : CreateLambda(receiver.Endpoint, new CapturedOutput(), Received, extraSettings: [("OTEL_LOGS_EXPORTER", "none"), ExportTimeout]);
        var logger = lambda.LoggerFactory.CreateLogger("Orders");

        await lambda.InvokeAsync(LambdaHarness.Context(LambdaHarness.NewRequestId(), LambdaHeader), _ =>
        {
            logger.LogInformation("stdout only");
            return Task.CompletedTask;
        });

        var paths = receiver.Requests.Select(r => r.Path).ToList();
        Assert.Contains("/v1/traces", paths);
        Assert.DoesNotContain("/v1/logs", paths);
    }

    [Fact]
    public async Task InvokeAsync_OtlpEndpointBlackHoled_FinishesWithinBudgetResultUnaffected()
    {
        using var blackHole = new BlackHole();

        // The exporter's own timeout is 6 s, far from the 300 ms budget: a wall-clock bound between them (5 s) tells
        // "gave up at the budget" from "waited for the exporter" on a loaded machine (1.5 s against 2 s could not).
        // Not longer: disposing the providers waits up to 5 s for each export still hanging on the black hole.
        using var lambda = CreateLambda(blackHole.Endpoint, new CapturedOutput(), flushTimeout: TimeSpan.FromMilliseconds(300), extraSettings: [("OTEL_EXPORTER_OTLP_TIMEOUT", "6000")]);
        var stopwatch = Stopwatch.StartNew();

        var logger = lambda.LoggerFactory.CreateLogger("Orders");

        var result = await lambda.InvokeAsync(LambdaHarness.Context(LambdaHarness.NewRequestId(), LambdaHeader), _ =>
        {
            logger.LogInformation("exported to the black hole too");
            return Task.FromResult("result");
        });

        stopwatch.Stop();
        Assert.Equal("result", result);
        // 300 ms budget; the rest is the span and a thread hop, far from the exporter's own timeout.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task InvokeAsync_OtlpEndpointBlackHoledAndDeadlineClose_DeadlineWinsOverFlushTimeout()
    {
        using var events = new DiagnosticEvents();
        using var blackHole = new BlackHole();

        // A 1.5 s margin of 4 s: the flush gives up 1.5 s before the deadline, which a loaded machine's scheduling
        // cannot eat (the default 50 ms margin of 700 ms could not hold there).
        using var lambda = CreateLambda(blackHole.Endpoint, new CapturedOutput(), flushTimeout: TimeSpan.FromSeconds(30), o => o.FlushSafetyMargin = TimeSpan.FromMilliseconds(1500));
        var stopwatch = Stopwatch.StartNew();

        var result = await lambda.InvokeAsync(LambdaHarness.Context(LambdaHarness.NewRequestId(), LambdaHeader, remaining: TimeSpan.FromSeconds(4)), _ => Task.FromResult(1));

        stopwatch.Stop();
        Assert.Equal(1, result);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"took {stopwatch.ElapsedMilliseconds} ms");

        // What load cannot change: the flush gave up on a budget cut to the remaining time less the margin, not FlushTimeout's 30 s.
        var budget = Assert.Single(events.Named("FlushTimedOut"));
        Assert.InRange((int)budget.Payload![0]!, 0, 2500);
    }

    [Fact]
    public async Task RunAsync_SdkReadyLateAndOtlpBlackHoled_NextRequestedBeforeTheDeadline()
    {
        // Issue 9: the flush waited up to its budget for the SDK, then gave each signal's flush the whole budget again.
        using var blackHole = new BlackHole();
        using var api = new FakeRuntimeApi();

        // Seconds, not milliseconds, so that scheduling on a loaded machine cannot decide the outcome: the flush must end
        // by the deadline less the margin (0.5 s), with 1 s slack after the deadline below; the set-up becomes ready
        // 2.5 s into the budget, so a flush that took the budget again after waiting for it would end 2 s after the deadline.
        var timeout = TimeSpan.FromSeconds(5);

        // A cold test process spends seconds JIT-compiling the SDK set-up; warm it so the gate below decides when it is ready.
        CreateLambda(blackHole.Endpoint, new CapturedOutput(), TimeSpan.FromMilliseconds(100)).Dispose();

        // The set-up stands for a slow SDK build under JIT: it becomes ready well into the first flush's budget.
        using var lambda = CreateLambda(blackHole.Endpoint, new CapturedOutput(), flushTimeout: TimeSpan.FromSeconds(30), o =>
        {
            o.FlushSafetyMargin = TimeSpan.FromMilliseconds(500);
            o.TelemetrySetupGate = () =>
            {
                api.WaitForPostsAsync(1, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
                Thread.Sleep(2500);
            };
        });
        using var host = new LambdaRuntimeHost(lambda, api.Address);
        using var stop = new CancellationTokenSource();

        var run = host.RunAsync(_ => ValueTask.FromResult<LambdaRawHandler>((input, context, ct) => ValueTask.FromResult(input)), stop.Token);
        await api.WaitForNextRequestsAsync(1, TimeSpan.FromSeconds(30));
        var deadline = DateTimeOffset.UtcNow + timeout;
        api.Enqueue("first", "{}", timeout, LambdaHeader);
        var nexts = await api.WaitForNextRequestsAsync(2, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, nexts.Count);

        // The flush ends at the deadline less the safety margin (0.5 s); 1 s more is scheduling slack on a busy machine.
        var late = nexts[1] - deadline;
        Assert.True(late < TimeSpan.FromSeconds(1), $"the next event was asked for {late.TotalMilliseconds:F0} ms after the deadline");
    }

    [Fact]
    public async Task InvokeAsync_GrpcDefaultAgainstAnOtlpHttpReceiver_ExportFailureReportedAndSaidOnceOnStderr()
    {
        using var events = new DiagnosticEvents();
        using var receiver = new OtlpReceiver();
        var errors = new CapturedOutput();

        // Only the endpoint is set, as a user pointing it at an OTLP/HTTP receiver would: the exporter speaks gRPC.
        using var lambda = CreateLambda(receiver.Endpoint, new CapturedOutput(), TimeSpan.FromSeconds(2), notices: new Internal.Notices(errors.Sink), extraSettings: [("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")]);

        await lambda.InvokeAsync(LambdaHarness.Context(LambdaHarness.NewRequestId(), LambdaHeader), _ => Task.FromResult(1));
        await lambda.InvokeAsync(LambdaHarness.Context(LambdaHarness.NewRequestId(), LambdaHeader), _ => Task.FromResult(2));
        var until = DateTime.UtcNow.AddSeconds(30);
        while (events.Named("ExportFailed").Count() < 2 && DateTime.UtcNow < until)
        {
            await Task.Delay(10);
        }

        Assert.True(events.Named("ExportFailed").Count() >= 2, "each failed export is reported on the event source");
        var notice = Assert.Single(errors.Lines);
        Assert.Contains("gRPC", notice, StringComparison.Ordinal);
        Assert.Contains("OTEL_EXPORTER_OTLP_PROTOCOL", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_OtlpEndpointRefusesConnections_ResultUnaffected()
    {
        var closedPort = TestHttpListener.FreePort();
        using var lambda = CreateLambda($"http://127.0.0.1:{closedPort}", new CapturedOutput(), TimeSpan.FromMilliseconds(500));

        var result = await lambda.InvokeAsync(LambdaHarness.Context(LambdaHarness.NewRequestId()), _ => Task.FromResult(42));

        Assert.Equal(42, result);
    }

    /// <summary>OTLP configured only through OTEL_* settings, as in a function's environment (handed to the SDK's configuration so parallel tests do not share process variables).</summary>
    internal static ObserveLambda CreateLambda(string endpoint, CapturedOutput output, TimeSpan flushTimeout, Action<ObserveLambdaOptions>? configure = null, Internal.Notices? notices = null, params (string Name, string Value)[] extraSettings)
    {
        var settings = new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "2000",
        };
        foreach (var (name, value) in extraSettings)
        {
            settings[name] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new ObserveLambdaOptions
        {
            FlushTimeout = flushTimeout,
            ConfigureTracing = b => b.ConfigureServices(s => s.AddSingleton<IConfiguration>(configuration)),
            ConfigureMetrics = b => b.ConfigureServices(s => s.AddSingleton<IConfiguration>(configuration)),
            ConfigureLoggingServices = s => s.AddSingleton<IConfiguration>(configuration),
        };
        configure?.Invoke(options);
        var environment = TestEnvironment.Create([.. settings.Select(kv => (kv.Key, kv.Value!))]);
        var lambda = ObserveLambda.Create(options, environment, output.Sink, TimeProvider.System, notices);
        if (options.TelemetrySetupGate is null)
        {
            // Ready before the test starts (see LambdaHarness): a starved set-up thread would eat the flush budget.
            lambda.WaitForTelemetry(TimeSpan.FromSeconds(30));
        }

        return lambda;
    }
}
