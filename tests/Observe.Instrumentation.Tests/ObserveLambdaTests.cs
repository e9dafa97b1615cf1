using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Observe.Instrumentation.Internal;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Observe.Instrumentation.Tests;

[Collection(TelemetryCollection.Name)]
public class ObserveLambdaTests
{
    private const string LambdaHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    [Fact]
    public async Task InvokeAsync_EveryLogLine_ParsesAndCarriesTheExportedSpanIds()
    {
        using var harness = new LambdaHarness();
        var logger = harness.Lambda.LoggerFactory.CreateLogger("Orders");
        var requestId = LambdaHarness.NewRequestId();

        var result = await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId, LambdaHeader), async ct =>
        {
            logger.LogInformation("Received {OrderId}", 42);
            await Task.Run(() => logger.LogWarning("From another task"), ct);
            await Task.Yield();
            logger.LogInformation("Done");
            return "ok";
        });

        Assert.Equal("ok", result);
        var span = harness.SpanOf(requestId);
        var lines = harness.LinesOf(requestId);
        Assert.Equal(3, lines.Count);
        foreach (var line in lines)
        {
            Assert.Equal(span.TraceId.ToHexString(), line.GetProperty("trace_id").GetString());
            Assert.Equal(span.SpanId.ToHexString(), line.GetProperty("span_id").GetString());
            Assert.Equal("1-5759e988-bd862e3fe1be46a994272793", line.GetProperty("traceId").GetString());
        }

        Assert.Equal("5759e988bd862e3fe1be46a994272793", span.TraceId.ToHexString());
        Assert.Equal("53995c3f42cd8ad8", span.ParentSpanId.ToHexString());
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal("orders", span.DisplayName);
        Assert.Equal("123456789012", span.GetTagItem("cloud.account.id"));
        Assert.Equal("arn:aws:lambda:eu-west-1:123456789012:function:orders:live", span.GetTagItem("cloud.resource_id"));
        Assert.Equal("other", span.GetTagItem("faas.trigger"));
        Assert.Null(InvocationState.Current);
    }

    [Fact]
    public void Resource_HasCloudAndFaasAttributes()
    {
        using var harness = new LambdaHarness(environment: [(LambdaEnvironment.MemorySizeVariable, "512")]);

        var resource = harness.Lambda.TracerProvider.GetResource().Attributes.ToDictionary();

        Assert.Equal("aws", resource["cloud.provider"]);
        Assert.Equal("aws_lambda", resource["cloud.platform"]);
        Assert.Equal("eu-west-1", resource["cloud.region"]);
        Assert.Equal("orders", resource["faas.name"]);
        Assert.Equal("7", resource["faas.version"]);
        Assert.Equal("orders", resource["service.name"]);
        Assert.Equal(512L * 1024 * 1024, resource["faas.max_memory"]);
        Assert.Equal("2026/11/22/[7]abc", resource["faas.instance"]);
    }

    [Fact]
    public async Task InvokeAsync_NoTraceHeader_RootSpanGetsXRayTimePrefixedId()
    {
        using var harness = new LambdaHarness();
        var requestId = LambdaHarness.NewRequestId();
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId), _ => Task.FromResult(0));

        var seconds = Convert.ToInt64(harness.SpanOf(requestId).TraceId.ToHexString()[..8], 16);
        Assert.InRange(seconds, before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
    }

    [Theory]
    [InlineData("on-demand", true, false)]
    [InlineData("provisioned-concurrency", false, false)]
    [InlineData("snap-start", false, true)]
    public async Task InvokeAsync_FirstThenSecond_ColdStartOnlyForFirstOnDemand(string initializationType, bool firstIsCold, bool firstIsRestore)
    {
        using var harness = new LambdaHarness(environment: [(LambdaEnvironment.InitializationTypeVariable, initializationType)]);
        var first = LambdaHarness.NewRequestId();
        var second = LambdaHarness.NewRequestId();
        var logger = harness.Lambda.LoggerFactory.CreateLogger("x");

        await harness.Lambda.InvokeAsync(LambdaHarness.Context(first), _ => { logger.LogInformation("one"); return Task.CompletedTask; });
        await harness.Lambda.InvokeAsync(LambdaHarness.Context(second), _ => { logger.LogInformation("two"); return Task.CompletedTask; });

        Assert.Equal(firstIsCold, harness.SpanOf(first).GetTagItem("faas.coldstart"));
        Assert.Equal(false, harness.SpanOf(second).GetTagItem("faas.coldstart"));
        Assert.Equal(firstIsRestore ? true : null, harness.SpanOf(first).GetTagItem("aws.lambda.snapstart.restore"));
        Assert.Equal(firstIsCold, Assert.Single(harness.LinesOf(first)).GetProperty("coldStart").GetBoolean());
        Assert.False(Assert.Single(harness.LinesOf(second)).GetProperty("coldStart").GetBoolean());

        var emf = harness.EmfLines;
        Assert.Equal(firstIsCold ? 1 : 0, emf.Count(l => l.TryGetProperty("ColdStart", out _)));
        Assert.Equal(firstIsCold ? 1 : 0, emf.Count(l => l.TryGetProperty("InitDuration", out var ms) && ms.GetDouble() >= 0));
        Assert.Equal(firstIsRestore ? 1 : 0, emf.Count(l => l.TryGetProperty("Restore", out _)));
    }

    [Fact]
    public async Task InvokeAsync_HandlerThrows_RethrowsRecordsErrorAndLogsWithSpanIds()
    {
        using var harness = new LambdaHarness();
        var requestId = LambdaHarness.NewRequestId();
        var thrown = new InvalidOperationException("payment declined");

        var caught = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            harness.Lambda.InvokeAsync<int>(LambdaHarness.Context(requestId, LambdaHeader), _ => throw thrown));

        Assert.Same(thrown, caught);
        var span = harness.SpanOf(requestId);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("payment declined", span.StatusDescription);
        var exceptionEvent = Assert.Single(span.Events, e => e.Name == "exception");
        Assert.Equal("System.InvalidOperationException", exceptionEvent.Tags.Single(t => t.Key == "exception.type").Value);
        var line = Assert.Single(harness.LinesOf(requestId));
        Assert.Equal("Error", line.GetProperty("level").GetString());
        Assert.Equal("payment declined", line.GetProperty("errorMessage").GetString());
        Assert.Equal(span.SpanId.ToHexString(), line.GetProperty("span_id").GetString());
        Assert.Contains(harness.EmfLines, l => l.TryGetProperty("Errors", out var errors) && errors.GetDouble() == 1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task InvokeAsync_LambdaSampledZero_SettingDecidesRecordingLogsKeepTraceId(bool record)
    {
        using var harness = new LambdaHarness(o => o.RecordUnsampledInvocations = record);
        var requestId = LambdaHarness.NewRequestId();
        var logger = harness.Lambda.LoggerFactory.CreateLogger("x");

        await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId, LambdaHeader.Replace("Sampled=1", "Sampled=0", StringComparison.Ordinal)), _ =>
        {
            logger.LogInformation("work");
            return Task.CompletedTask;
        });

        var spans = harness.Spans.Where(a => (string?)a.GetTagItem("faas.invocation_id") == requestId).ToList();
        Assert.Equal(record ? 1 : 0, spans.Count);
        var line = Assert.Single(harness.LinesOf(requestId));
        Assert.Equal("5759e988bd862e3fe1be46a994272793", line.GetProperty("trace_id").GetString());
        if (record)
        {
            Assert.Equal("5759e988bd862e3fe1be46a994272793", spans[0].TraceId.ToHexString());
        }
    }

    [Fact]
    public async Task InvokeAsync_HandlerToken_CancelledBeforeDeadline()
    {
        using var harness = new LambdaHarness(o => o.FlushSafetyMargin = TimeSpan.FromMilliseconds(100));
        var requestId = LambdaHarness.NewRequestId();

        var cancelled = await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId, remaining: TimeSpan.FromMilliseconds(300)), async ct =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), ct);
                return false;
            }
            catch (OperationCanceledException)
            {
                return true;
            }
        });

        Assert.True(cancelled);
    }

    [Fact]
    public async Task InvokeAsync_ExporterHangs_FinishesWithinRemainingTimeMinusMargin()
    {
        using var events = new DiagnosticEvents();
        var hanging = new HangingExporter();

        // A 1.5 s margin of 4 s: the flush gives up 1.5 s before the deadline, which a loaded machine's scheduling
        // cannot eat (a 50 ms margin of 600 ms could not hold there).
        var options = new ObserveLambdaOptions { EnableOtlpExport = false, FlushTimeout = TimeSpan.FromSeconds(30), FlushSafetyMargin = TimeSpan.FromMilliseconds(1500) };
        options.ConfigureTracing = b => b.AddProcessor(new BatchActivityExportProcessor(hanging));
        using var lambda = ObserveLambda.Create(options, TestEnvironment.Create(), new CapturedOutput().Sink, TimeProvider.System);
        lambda.WaitForTelemetry(TimeSpan.FromSeconds(30)); // ready first: this test is about a hanging exporter, not a slow set-up
        var stopwatch = Stopwatch.StartNew();

        var result = await lambda.InvokeAsync(LambdaHarness.Context(LambdaHarness.NewRequestId(), remaining: TimeSpan.FromSeconds(4)), _ => Task.FromResult(7));

        stopwatch.Stop();
        Assert.Equal(7, result);
        Assert.True(hanging.Started.Wait(TimeSpan.FromSeconds(30)), "the exporter was never called");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"took {stopwatch.ElapsedMilliseconds} ms");

        // What load cannot change: the flush gave up on a budget cut to the remaining time less the margin, not FlushTimeout's 30 s.
        var budget = Assert.Single(events.Named("FlushTimedOut"), e => (string?)e.Payload![1] != "waiting for the OpenTelemetry providers");
        Assert.InRange((int)budget.Payload![0]!, 0, 2500);
        hanging.Release();
    }

    [Fact]
    public void Create_InvalidSettings_ReportedNotThrown()
    {
        using var events = new DiagnosticEvents();
        var options = new ObserveLambdaOptions { EnableOtlpExport = false, FlushTimeout = TimeSpan.FromSeconds(-1), EmfNamespace = "AWS/Lambda" };
        options.Logging.DebugSampleRate = 3;

        using var lambda = ObserveLambda.Create(options, TestEnvironment.Create((LambdaEnvironment.LambdaLogLevelVariable, "LOUD"), (LambdaEnvironment.InitializationTypeVariable, "weird")), new CapturedOutput().Sink, TimeProvider.System);

        var invalid = events.Named("InvalidSetting").Select(e => (string)e.Payload![0]!).ToList();
        Assert.Contains("ObserveLambdaOptions.FlushTimeout", invalid);
        Assert.Contains("ObserveLambdaOptions.EmfNamespace", invalid);
        Assert.Contains("ObserveLoggerOptions.DebugSampleRate", invalid);
        Assert.Contains(LambdaEnvironment.LambdaLogLevelVariable, invalid);
        Assert.Contains(LambdaEnvironment.InitializationTypeVariable, invalid);
    }

    private sealed class HangingExporter : BaseExporter<Activity>
    {
        private readonly ManualResetEventSlim _release = new();

        public ManualResetEventSlim Started { get; } = new();

        public void Release() => _release.Set();

        public override ExportResult Export(in Batch<Activity> batch)
        {
            Started.Set();
            _release.Wait(TimeSpan.FromSeconds(30));
            return ExportResult.Success;
        }
    }
}
