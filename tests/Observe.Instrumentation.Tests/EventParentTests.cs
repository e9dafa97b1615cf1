using System.Diagnostics;

namespace Observe.Instrumentation.Tests;

[Collection(TelemetryCollection.Name)]
public class EventParentTests
{
    private const string LambdaHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    private const string W3CTrace = "0af7651916cd43dd8448eb211c80319c";
    private const string W3CParent = "b7ad6b7169203331";
    private const string TraceParent = "00-" + W3CTrace + "-" + W3CParent + "-01";
    private const string XRayEventHeader = "Root=1-6759e988-aaaaaaaaaaaaaaaaaaaaaaaa;Parent=1111111111111111;Sampled=1";

    public static TheoryData<string, string, string, string, string?> Events => new()
    {
        {
            "API Gateway REST (v1)",
            $$$"""{"resource":"/orders","path":"/orders","httpMethod":"POST","headers":{"Content-Type":"application/json","traceparent":"{{{TraceParent}}}","X-Correlation-Id":"corr-v1"},"multiValueHeaders":{},"requestContext":{"requestId":"apigw-1","stage":"prod"},"body":"{\"traceparent\":\"ignored\"}","isBase64Encoded":false}""",
            "http", W3CTrace + "/" + W3CParent, "corr-v1"
        },
        {
            "API Gateway HTTP (v2), lower-case X-Ray header, requestId as correlation",
            $$$"""{"version":"2.0","routeKey":"GET /orders","rawPath":"/orders","headers":{"x-amzn-trace-id":"{{{XRayEventHeader}}}"},"requestContext":{"requestId":"apigw-2","http":{"method":"GET"}},"isBase64Encoded":false}""",
            "http", "6759e988aaaaaaaaaaaaaaaaaaaaaaaa/1111111111111111", "apigw-2"
        },
        {
            "ALB",
            $$$"""{"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/1"}},"httpMethod":"GET","path":"/","headers":{"TraceParent":"{{{TraceParent}}}"},"body":""}""",
            "http", W3CTrace + "/" + W3CParent, null
        },
        {
            "SQS, one message with a traceparent attribute",
            $$$"""{"Records":[{"messageId":"m1","body":"{}","attributes":{"AWSTraceHeader":"{{{XRayEventHeader}}}"},"messageAttributes":{"traceparent":{"stringValue":"{{{TraceParent}}}","dataType":"String"},"x-correlation-id":{"stringValue":"corr-sqs","dataType":"String"}},"eventSource":"aws:sqs"}]}""",
            "pubsub", W3CTrace + "/" + W3CParent, "corr-sqs"
        },
        {
            "SQS, one message with only AWSTraceHeader",
            $$$"""{"Records":[{"messageId":"m1","body":"{}","attributes":{"ApproximateReceiveCount":"1","AWSTraceHeader":"{{{XRayEventHeader}}}"},"messageAttributes":{},"eventSource":"aws:sqs"}]}""",
            "pubsub", "6759e988aaaaaaaaaaaaaaaaaaaaaaaa/1111111111111111", null
        },
        {
            "SNS",
            "{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{\"MessageId\":\"s1\",\"Message\":\"hello\",\"MessageAttributes\":{\"traceparent\":{\"Type\":\"String\",\"Value\":\"" + TraceParent + "\"}}}}]}",
            "pubsub", W3CTrace + "/" + W3CParent, null
        },
        {
            "EventBridge, traceparent in detail, event id as correlation",
            $$$"""{"version":"0","id":"eb-1","detail-type":"OrderPlaced","source":"shop","time":"2026-11-22T05:00:00Z","resources":[],"detail":{"orderId":5,"traceparent":"{{{TraceParent}}}"}}""",
            "pubsub", W3CTrace + "/" + W3CParent, "eb-1"
        },
        {
            "EventBridge schedule without context falls back to Lambda's header",
            """{"version":"0","id":"eb-2","detail-type":"Scheduled Event","source":"aws.events","detail":{}}""",
            "timer", "5759e988bd862e3fe1be46a994272793/53995c3f42cd8ad8", "eb-2"
        },
        {
            "Unknown event and malformed JSON fall back to Lambda's header",
            """{"anything": [1, 2, {"headers": {"traceparent": "00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-01"}}]""",
            "other", "5759e988bd862e3fe1be46a994272793/53995c3f42cd8ad8", null
        },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public async Task InvokeAsync_EventSource_ParentTriggerAndCorrelationFromEvent(string description, string json, string trigger, string parent, string? correlationId)
    {
        using var harness = new LambdaHarness();
        var requestId = LambdaHarness.NewRequestId();
        var logger = Microsoft.Extensions.Logging.LoggerExtensions.BeginScope(harness.Lambda.LoggerFactory.CreateLogger("x"), description);

        await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId, LambdaHeader), _ =>
        {
            Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(harness.Lambda.LoggerFactory.CreateLogger("x"), "handled");
            return Task.CompletedTask;
        }, LambdaHarness.Event(json));
        logger?.Dispose();

        var span = harness.SpanOf(requestId);
        Assert.Equal(parent, span.TraceId.ToHexString() + "/" + span.ParentSpanId.ToHexString());
        Assert.Equal(trigger, span.GetTagItem("faas.trigger"));
        var line = Assert.Single(harness.LinesOf(requestId));
        Assert.Equal(correlationId, line.TryGetProperty("correlationId", out var c) ? c.GetString() : null);
    }

    [Fact]
    public async Task InvokeAsync_SqsBatch_LinksEveryMessageAndKeepsLambdaParent()
    {
        using var harness = new LambdaHarness();
        var requestId = LambdaHarness.NewRequestId();
        var json = $$$"""
            {"Records":[
              {"messageId":"m1","messageAttributes":{"traceparent":{"stringValue":"{{{TraceParent}}}","dataType":"String"}},"eventSource":"aws:sqs"},
              {"messageId":"m2","attributes":{"AWSTraceHeader":"{{{XRayEventHeader}}}"},"eventSource":"aws:sqs"},
              {"messageId":"m3","eventSource":"aws:sqs"}
            ]}
            """;

        await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId, LambdaHeader), _ => Task.CompletedTask, LambdaHarness.Event(json));

        var span = harness.SpanOf(requestId);
        Assert.Equal("53995c3f42cd8ad8", span.ParentSpanId.ToHexString());
        Assert.Equal(
            [W3CTrace, "6759e988aaaaaaaaaaaaaaaaaaaaaaaa"],
            span.Links.Select(l => l.Context.TraceId.ToHexString()));
        Assert.Equal(ActivityKind.Consumer, span.Kind);
    }

    [Fact]
    public async Task InvokeAsync_EventTraceparentOfAnotherTrace_LogKeepsLambdasXRayTraceAndTheSpansOwnIds()
    {
        using var harness = new LambdaHarness();
        var requestId = LambdaHarness.NewRequestId();
        var logger = harness.Lambda.LoggerFactory.CreateLogger("x");
        var json = $$$"""{"resource":"/orders","path":"/orders","httpMethod":"POST","headers":{"traceparent":"{{{TraceParent}}}"},"requestContext":{"requestId":"apigw-1"}}""";

        await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId, LambdaHeader), _ =>
        {
            Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "handled");
            return Task.CompletedTask;
        }, LambdaHarness.Event(json));

        var span = harness.SpanOf(requestId);
        Assert.Equal(W3CTrace, span.TraceId.ToHexString());
        var line = Assert.Single(harness.LinesOf(requestId));

        // Lambda's own X-Ray trace, under Lambda's key, so the line correlates with the invocation in X-Ray.
        Assert.Equal("1-5759e988-bd862e3fe1be46a994272793", line.GetProperty("traceId").GetString());
        Assert.Equal(W3CTrace, line.GetProperty("trace_id").GetString());
        Assert.Equal(span.SpanId.ToHexString(), line.GetProperty("span_id").GetString());
    }

    public static TheoryData<string, string, string> Propagators => new()
    {
        // xray-lambda: the X-Ray context of the Lambda environment wins over the event's headers.
        { "tracecontext,xray-lambda", $$$"""{"headers":{"traceparent":"{{{TraceParent}}}"},"requestContext":{}}""", "5759e988bd862e3fe1be46a994272793/53995c3f42cd8ad8" },
        { "xray-lambda,tracecontext", $$$"""{"headers":{"traceparent":"{{{TraceParent}}}"},"requestContext":{}}""", "5759e988bd862e3fe1be46a994272793/53995c3f42cd8ad8" },
        // xray alone reads the event's X-Ray header and ignores its traceparent.
        { "xray", $$$"""{"headers":{"traceparent":"{{{TraceParent}}}","x-amzn-trace-id":"{{{XRayEventHeader}}}"},"requestContext":{}}""", "6759e988aaaaaaaaaaaaaaaaaaaaaaaa/1111111111111111" },
        // Both listed: the first in the list that finds a context wins.
        { "xray,tracecontext", $$$"""{"headers":{"traceparent":"{{{TraceParent}}}","x-amzn-trace-id":"{{{XRayEventHeader}}}"},"requestContext":{}}""", "6759e988aaaaaaaaaaaaaaaaaaaaaaaa/1111111111111111" },
        { "tracecontext,xray", $$$"""{"headers":{"traceparent":"{{{TraceParent}}}","x-amzn-trace-id":"{{{XRayEventHeader}}}"},"requestContext":{}}""", W3CTrace + "/" + W3CParent },
        // tracecontext alone: the event's X-Ray header and Lambda's are not propagators in the list.
        { "tracecontext,baggage", $$$"""{"headers":{"x-amzn-trace-id":"{{{XRayEventHeader}}}"},"requestContext":{}}""", "root" },
        { "none", $$$"""{"headers":{"traceparent":"{{{TraceParent}}}"},"requestContext":{}}""", "root" },
    };

    [Theory]
    [MemberData(nameof(Propagators))]
    public async Task InvokeAsync_OtelPropagatorsSet_ParentFromTheListedPropagatorsOnly(string propagators, string json, string parent)
    {
        using var harness = new LambdaHarness(environment: [("OTEL_PROPAGATORS", propagators)]);
        var requestId = LambdaHarness.NewRequestId();

        await harness.Lambda.InvokeAsync(LambdaHarness.Context(requestId, LambdaHeader), _ => Task.CompletedTask, LambdaHarness.Event(json));

        var span = harness.SpanOf(requestId);
        var actual = span.ParentSpanId == default ? "root" : span.TraceId.ToHexString() + "/" + span.ParentSpanId.ToHexString();
        Assert.Equal(parent, actual);
    }
}
