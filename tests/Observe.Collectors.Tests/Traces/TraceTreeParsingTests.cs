using Observe.Collectors.Traces;
using Observe.Collectors.XRay;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Traces;

/// <summary>Segment documents and spans that are broken, partial or unusual: skipped and counted, never thrown.</summary>
public class TraceTreeParsingTests
{
    private const string TraceId = "1-5759e988-bd862e3fe1be46a994272793";

    [Fact]
    public void Build_BrokenDocuments_SkippedAndCountedRestKept()
    {
        var trace = Trace(
            "{not json",
            "[]",
            """{"name":"no id","start_time":1.0}""",
            """{"id":"53995c3f42cd8ad8","name":"orders","start_time":1465243016.0,"in_progress":true,"origin":"AWS::Lambda::Function","subsegments":[{"name":"broken"},{"id":"0000000000000002","name":"DynamoDB","start_time":1465243016.5,"end_time":1465243016.6,"throttle":true,"error":true,"http":{"response":{"status":429}}}, 42]}""");

        var tree = XRayTraceTrees.Build(trace, null, "123456789012", "eu-west-1", out var skipped, out _);

        Assert.Equal(3, skipped);
        Assert.Equal(["53995c3f42cd8ad8", "0000000000000002"], tree.Segments.Select(s => s.Id));
        Assert.Null(tree.Segments[0].End);
        Assert.Equal(("53995c3f42cd8ad8", "429"), (tree.Segments[1].ParentId, tree.Segments[1].Attributes["http.status"]));
        Assert.Equal((true, true, false), (tree.Summary.HasThrottle, tree.Summary.HasError, tree.Summary.HasFault));

        // No resource_arn: the function is named by the segment, in the target's account and region.
        Assert.Equal([new FunctionKey("123456789012", "eu-west-1", "orders")], tree.Summary.Functions);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1465243016), tree.Summary.Start);
    }

    [Fact]
    public void Build_SeparateSubsegmentDocument_KeepsItsParentAndFunctionFromQualifiedArn()
    {
        var trace = Trace(
            """{"id":"aaaaaaaaaaaaaaaa","name":"orders","start_time":10.0,"end_time":10.5,"origin":"AWS::Lambda::Function","resource_arn":"arn:aws:lambda:us-east-1:222222222222:function:orders:live"}""",
            """{"id":"bbbbbbbbbbbbbbbb","type":"subsegment","parent_id":"aaaaaaaaaaaaaaaa","trace_id":"1-5759e988-bd862e3fe1be46a994272793","name":"S3","namespace":"aws","start_time":10.1,"end_time":10.2,"aws":{"operation":"GetObject","bucket_name":"invoices"}}""");

        var tree = XRayTraceTrees.Build(trace, null, "123456789012", "eu-west-1", out var skipped, out _);

        Assert.Equal(0, skipped);
        Assert.Equal([new FunctionKey("222222222222", "us-east-1", "orders")], tree.Summary.Functions);
        var s3 = tree.Segments.Single(s => s.Name == "S3");
        Assert.Equal(("aaaaaaaaaaaaaaaa", "GetObject", "invoices", "aws"), (s3.ParentId, s3.Attributes["aws.operation"], s3.Attributes["aws.resource"], s3.Attributes["namespace"]));
        Assert.Equal(("orders", 500d), (tree.Summary.EntryPoint, tree.Summary.DurationMs));
    }

    [Fact]
    public void Build_AnnotationsAndMetadata_KeptNamespaced_ObjectsAsJson_CutsSaidAndCounted()
    {
        // Shaped as X-Ray's segment document reference shows them: annotations flat and scalar, metadata by namespace
        // with any JSON as a value.
        var big = new string('x', XRayTraceTrees.MetadataValueCap + 10);
        var many = string.Join(',', Enumerable.Range(0, 20).Select(i => "\"k" + i.ToString("00", System.Globalization.CultureInfo.InvariantCulture) + "\":\"" + new string('y', 600) + "\""));
        var trace = Trace(
            $$"""
            {"id":"aaaaaaaaaaaaaaaa","name":"orders","start_time":10.0,"end_time":10.5,"origin":"AWS::Lambda::Function",
             "annotations":{"customer_category":124,"zip_code":"98101","internal":false},
             "metadata":{"debug":{"test":"Metadata string","big":"{{big}}"},"default":{"customer":{"id":42,"tier":"gold"},"items":[1,2,3],"note":null} },
             "subsegments":[{"id":"bbbbbbbbbbbbbbbb","name":"DynamoDB","namespace":"aws","start_time":10.1,"end_time":10.2,"metadata":{"bulk":{ {{many}} } } } ] }
            """);

        var tree = XRayTraceTrees.Build(trace, null, "123456789012", "eu-west-1", out var skipped, out var cut);

        Assert.Equal(0, skipped);
        var root = tree.Segments.Single(s => s.Id == "aaaaaaaaaaaaaaaa").Attributes;
        Assert.Equal(("124", "98101", "false"), (root["annotation.customer_category"], root["annotation.zip_code"], root["annotation.internal"]));
        Assert.Equal("Metadata string", root["metadata.debug.test"]);
        Assert.Equal("""{"id":42,"tier":"gold"}""", root["metadata.default.customer"]);
        Assert.Equal("[1,2,3]", root["metadata.default.items"]);
        Assert.Equal("null", root["metadata.default.note"]);
        Assert.StartsWith(new string('x', XRayTraceTrees.MetadataValueCap) + "… (cut: 1,034 characters, 1,024 kept)", root["metadata.debug.big"], StringComparison.Ordinal);

        // Twenty 600-character values: those past the span's cap are left out, and the span says how many.
        var sub = tree.Segments.Single(s => s.Id == "bbbbbbbbbbbbbbbb").Attributes;
        var kept = sub.Keys.Count(k => k.StartsWith("metadata.bulk.", StringComparison.Ordinal));
        Assert.InRange(kept, 1, 19);
        Assert.True(sub.Where(a => a.Key.StartsWith("metadata.", StringComparison.Ordinal)).Sum(a => a.Key.Length + a.Value.Length) <= XRayTraceTrees.MetadataSpanCap + 200);
        Assert.Equal($"{20 - kept} more metadata values not kept: the span's metadata is over 8,192 characters", sub[XRayTraceTrees.MetadataCutKey]);
        Assert.Equal(1 + (20 - kept), cut);
    }

    [Theory]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:orders", true)]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:orders:$LATEST", true)]
    [InlineData("arn:aws:dynamodb:eu-west-1:123456789012:table/orders", false)]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:layer:otel:3", false)]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:", false)]
    [InlineData("orders", false)]
    [InlineData(null, false)]
    public void TryParseFunctionArn_OnlyLambdaFunctionArns(string? arn, bool expected)
    {
        Assert.Equal(expected, XRayTraceTrees.TryParseFunctionArn(arn, out var key));
        if (expected)
        {
            Assert.Equal(new FunctionKey("123456789012", "eu-west-1", "orders"), key);
        }
    }

    [Theory]
    [InlineData("5759e988bd862e3fe1be46a994272793", "1-5759e988-bd862e3fe1be46a994272793")]
    [InlineData("5759E988BD862E3FE1BE46A994272793", "1-5759e988-bd862e3fe1be46a994272793")]
    [InlineData("1-5759e988-bd862e3fe1be46a994272793", "1-5759e988-bd862e3fe1be46a994272793")]
    [InlineData("5759e988bd862e3fe1be46a99427279", null)]
    [InlineData("zz59e988bd862e3fe1be46a994272793", null)]
    [InlineData("", null)]
    public void ToXRayTraceId_W3CIdsConvertedOthersRefused(string input, string? expected) =>
        Assert.Equal(expected, SpanTraceTrees.ToXRayTraceId(input));

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[1,2]")]
    [InlineData("""{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"a"}""")]
    [InlineData("""{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"a","startTimeUnixNano":-5}""")]
    [InlineData("""{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"","startTimeUnixNano":1}""")]
    [InlineData("""{"traceId":42,"spanId":"a","startTimeUnixNano":1}""")]
    [InlineData("""{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"a","startTimeUnixNano":"1""")]
    public void Parse_NotAUsableSpan_Null(string message) => Assert.Null(SpanTraceTrees.Parse(message, "123456789012", "eu-west-1"));

    [Theory]
    [InlineData("""{"code":"ERROR"}""", "", true, false, false)]
    [InlineData("""{"code":"ERROR"}""", "502", true, false, false)]
    [InlineData("""{"code":"UNSET"}""", "404", false, true, false)]
    [InlineData("""{"code":"UNSET"}""", "429", false, true, true)]
    [InlineData("""{"code":"OK"}""", "200", false, false, false)]
    public void Parse_StatusAndHttpCode_MappedToXRayFlags(string status, string httpStatus, bool fault, bool error, bool throttle)
    {
        var attributes = httpStatus.Length == 0 ? "{}" : $$"""{"http.response.status_code":"{{httpStatus}}"}""";
        var span = SpanTraceTrees.Parse(
            $$"""{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"53995c3f42cd8ad8","name":"x","startTimeUnixNano":"1465243016000000000","attributes":{{attributes}},"status":{{status}}}""",
            "123456789012", "eu-west-1")!;

        Assert.Equal((fault, error, throttle), (span.Segment.Fault, span.Segment.Error, span.Segment.Throttle));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1465243016), span.Segment.Start);
        Assert.Null(span.Function);
    }

    [Fact]
    public void Keep_SameIdSameDecision_RateRoughlyHonoured()
    {
        var ids = Enumerable.Range(0, 4000).Select(i => $"1-5759e988-{i:x24}").ToList();

        var kept = ids.Count(id => TraceSampler.Keep(id, 0.25));

        Assert.InRange(kept, 850, 1150);
        Assert.All(ids.Take(200), id => Assert.Equal(TraceSampler.Keep(id, 0.25), TraceSampler.Keep(id, 0.25)));
        Assert.All(ids.Take(200), id => Assert.True(TraceSampler.Keep(id, 1)));
        Assert.All(ids.Take(200), id => Assert.False(TraceSampler.Keep(id, 0)));
    }

    private static XRayTrace Trace(params string[] documents) => new()
    {
        Id = TraceId,
        Segments = [.. documents.Select((d, i) => new XRaySegment { Id = $"s{i}", Document = d })],
    };
}
