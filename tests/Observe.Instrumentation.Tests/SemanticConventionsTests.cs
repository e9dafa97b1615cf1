using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry.Trace;

namespace Observe.Instrumentation.Tests;

/// <summary>
/// The invocation span against the OpenTelemetry semantic conventions (FaaS, HTTP server, messaging), as issue 9 checked
/// them: HTTP spans named after the route with the http.*/url.* attributes, SQS spans as consumers, the invoked ARN, and
/// a duration metric that agrees with the span.
/// </summary>
[Collection(TelemetryCollection.Name)]
public class SemanticConventionsTests
{
    private const string LambdaHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    private const string Arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders:live";

    public static TheoryData<string, string, string, string?, string, string, string> HttpEvents => new()
    {
        {
            "API Gateway REST (v1): resource is the route",
            """{"resource":"/orders/{id}","path":"/orders/42","httpMethod":"GET","headers":{"Host":"api.example.com","X-Forwarded-Proto":"https"},"requestContext":{"requestId":"r1","domainName":"api.example.com","resourcePath":"/orders/{id}","httpMethod":"GET","stage":"prod"},"body":null}""",
            "GET /orders/{id}", "/orders/{id}", "GET", "/orders/42", "api.example.com"
        },
        {
            "API Gateway HTTP (v2): routeKey is the route",
            """{"version":"2.0","routeKey":"POST /orders","rawPath":"/orders","headers":{"host":"abc.execute-api.eu-west-1.amazonaws.com","x-forwarded-proto":"https"},"requestContext":{"domainName":"abc.execute-api.eu-west-1.amazonaws.com","http":{"method":"POST","path":"/orders","protocol":"HTTP/1.1"},"requestId":"r2","routeKey":"POST /orders"}}""",
            "POST /orders", "/orders", "POST", "/orders", "abc.execute-api.eu-west-1.amazonaws.com"
        },
        {
            "API Gateway HTTP (v2) default route: no route, the method alone",
            """{"version":"2.0","routeKey":"$default","rawPath":"/anything","headers":{"host":"abc.execute-api.eu-west-1.amazonaws.com"},"requestContext":{"domainName":"abc.execute-api.eu-west-1.amazonaws.com","http":{"method":"DELETE","path":"/anything"},"requestId":"r3"}}""",
            "DELETE", null, "DELETE", "/anything", "abc.execute-api.eu-west-1.amazonaws.com"
        },
        {
            "ALB: no route is known",
            """{"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/1"}},"httpMethod":"GET","path":"/health","headers":{"host":"lb.example.com","x-forwarded-proto":"http"},"body":""}""",
            "GET", null, "GET", "/health", "lb.example.com"
        },
    };

    [Theory]
    [MemberData(nameof(HttpEvents))]
    public async Task InvokeAsync_HttpEvent_SpanNamedAfterTheRouteWithHttpAttributes(string description, string json, string name, string? route, string method, string path, string host)
    {
        using var harness = new LambdaHarness();
        var requestId = LambdaHarness.NewRequestId();

        await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId, LambdaHeader), _ => Task.CompletedTask, LambdaHarness.Event(json));

        var span = harness.SpanOf(requestId);
        Assert.True(name == span.DisplayName, $"{description}: named '{span.DisplayName}'");
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal(route, span.GetTagItem("http.route"));
        Assert.Equal(method, span.GetTagItem("http.request.method"));
        Assert.Equal(path, span.GetTagItem("url.path"));
        Assert.NotNull(span.GetTagItem("url.scheme"));
        Assert.Equal(host, span.GetTagItem("server.address"));
        Assert.Equal("http", span.GetTagItem("faas.trigger"));
    }

    [Fact]
    public async Task RunAsync_HttpResponseWithStatusCode_SpanHasTheResponseStatusCode()
    {
        using var api = new FakeRuntimeApi();
        var spans = new ExportedItems<Activity>();
        var options = new ObserveLambdaOptions { EnableOtlpExport = false, ConfigureTracing = b => b.AddInMemoryExporter(spans) };
        using var observe = ObserveLambda.Create(options, TestEnvironment.Create(), new CapturedOutput().Sink, TimeProvider.System);
        observe.WaitForTelemetry(TimeSpan.FromSeconds(30));
        using var host = new LambdaRuntimeHost(observe, api.Address);
        using var stop = new CancellationTokenSource();
        api.Enqueue("http-1", """{"resource":"/orders","path":"/orders","httpMethod":"POST","headers":{"Host":"api.example.com","X-Forwarded-Proto":"https"},"requestContext":{"requestId":"r1"}}""", TimeSpan.FromSeconds(30));

        var run = host.RunAsync(_ => ValueTask.FromResult<LambdaRawHandler>((input, context, ct) =>
            ValueTask.FromResult<ReadOnlyMemory<byte>>("""{"statusCode":201,"headers":{"content-type":"application/json"},"body":"{\"statusCode\":500}"}"""u8.ToArray())), stop.Token);
        await api.WaitForNextRequestsAsync(2, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        var span = Assert.Single(spans, s => (string?)s.GetTagItem("faas.invocation_id") == "http-1");
        Assert.Equal("POST /orders", span.DisplayName);
        Assert.Equal(201, span.GetTagItem("http.response.status_code"));
        Assert.Equal("https", span.GetTagItem("url.scheme"));
    }

    [Fact]
    public async Task InvokeAsync_SqsEvent_ConsumerSpanWithMessagingAttributes()
    {
        using var harness = new LambdaHarness();
        var requestId = LambdaHarness.NewRequestId();
        const string json = """{"Records":[{"messageId":"m1","body":"{}","attributes":{"ApproximateReceiveCount":"1"},"messageAttributes":{},"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:123456789012:orders-queue","awsRegion":"eu-west-1"}]}""";

        await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId, LambdaHeader), _ => Task.CompletedTask, LambdaHarness.Event(json));

        var span = harness.SpanOf(requestId);
        Assert.Equal(ActivityKind.Consumer, span.Kind);
        Assert.Equal("aws_sqs", span.GetTagItem("messaging.system"));
        Assert.Equal("process", span.GetTagItem("messaging.operation.type"));
        Assert.Equal("orders-queue", span.GetTagItem("messaging.destination.name"));
        Assert.Equal("process orders-queue", span.DisplayName);
        Assert.Equal("pubsub", span.GetTagItem("faas.trigger"));
    }

    [Fact]
    public async Task InvokeAsync_AnyInvocation_SpanHasTheInvokedArn()
    {
        using var harness = new LambdaHarness();
        var requestId = LambdaHarness.NewRequestId();

        await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId, LambdaHeader), _ => Task.CompletedTask);

        Assert.Equal(Arn, harness.SpanOf(requestId).GetTagItem("aws.lambda.invoked_arn"));
    }

    [Fact]
    public async Task InvokeAsync_HandlerThrows_InvokeDurationMetricEqualsTheSpanDuration()
    {
        var durations = new List<double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ObserveLambda.InstrumentationName && instrument.Name == "faas.invoke_duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (durations)
            {
                durations.Add(value);
            }
        });
        listener.Start();
        using var harness = new LambdaHarness();
        var requestId = LambdaHarness.NewRequestId();

        // Ending a failed invocation reads the exception (error line, span status and event): slow here on purpose,
        // as JIT-compiling the exception formatting was on a cold start (1.6 ms metric against a 25.8 ms span).
        await Assert.ThrowsAsync<SlowMessageException>(() => harness.Lambda.InvokeAsync<int>(LambdaHarness.Context(requestId, LambdaHeader), _ => throw new SlowMessageException()));

        var span = harness.SpanOf(requestId);
        double metric;
        lock (durations)
        {
            metric = Assert.Single(durations);
        }

        Assert.True(Math.Abs(span.Duration.TotalSeconds - metric) < 0.001, $"span {span.Duration.TotalMilliseconds} ms, metric {metric * 1000} ms");
    }

    private sealed class SlowMessageException : Exception
    {
        public override string Message
        {
            get
            {
                Thread.Sleep(20);
                return "slow to describe";
            }
        }
    }
}
