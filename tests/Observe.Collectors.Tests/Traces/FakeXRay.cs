using System.Net;
using System.Text.Json.Nodes;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Traces;

/// <summary>
/// X-Ray answering from seeded traces with the response shapes of the X-Ray API reference (GetTraceSummaries,
/// BatchGetTraces, GetServiceGraph), for what moto does not do: filter expressions, sampling, unprocessed ids,
/// the service graph. Summaries are found by trace start, newest first, two per page so paging is exercised.
/// A trace id in <see cref="Unprocessed"/> is answered as unprocessed.
/// </summary>
internal sealed class FakeXRay
{
    private readonly List<SeededTrace> _traces = [];

    public HashSet<string> Unprocessed { get; } = new(StringComparer.Ordinal);

    /// <summary>The GetServiceGraph response body, or null for an empty graph.</summary>
    public string? ServiceGraph { get; set; }

    public Func<JsonNode, SeededTrace, bool> FilterMatches { get; set; } = (_, _) => true;

    public StubTransport Transport { get; }

    public FakeXRay() => Transport = new StubTransport((request, _) => Respond(request));

    public void Add(params SeededTrace[] traces) => _traces.AddRange(traces);

    public IReadOnlyList<JsonNode> Requests(string path) =>
        [.. Transport.Seen.Where(r => r.Uri.AbsolutePath == "/" + path).Select(r => JsonNode.Parse(r.Body)!)];

    private (HttpStatusCode, string) Respond(SeenRequest request)
    {
        var body = JsonNode.Parse(request.Body)!;
        return request.Uri.AbsolutePath switch
        {
            "/TraceSummaries" => (HttpStatusCode.OK, Summaries(body)),
            "/Traces" => (HttpStatusCode.OK, Traces(body)),
            "/ServiceGraph" => (HttpStatusCode.OK, ServiceGraph ?? """{"Services":[]}"""),
            var path => (HttpStatusCode.NotFound, $$"""{"__type":"UnknownOperationException","message":"{{path}}"}"""),
        };
    }

    private string Summaries(JsonNode request)
    {
        var start = DateTimeOffset.FromUnixTimeMilliseconds((long)(request["StartTime"]!.GetValue<double>() * 1000));
        var end = DateTimeOffset.FromUnixTimeMilliseconds((long)(request["EndTime"]!.GetValue<double>() * 1000));
        var page = request["NextToken"] is { } token ? int.Parse(token.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) : 0;
        var matching = _traces.Where(t => t.Start >= start && t.Start < end && FilterMatches(request, t)).OrderByDescending(t => t.Start).ToList();
        var summaries = new JsonArray();
        foreach (var trace in matching.Skip(page * 2).Take(2))
        {
            summaries.Add(new JsonObject
            {
                ["Id"] = trace.TraceId,
                ["StartTime"] = trace.Start.ToUnixTimeMilliseconds() / 1000.0,
                ["Duration"] = 0.452,
                ["ResponseTime"] = 0.45,
                ["HasFault"] = trace.Fault,
                ["HasError"] = false,
                ["HasThrottle"] = trace.Throttle,
                ["IsPartial"] = false,
                ["Http"] = new JsonObject { ["HttpURL"] = "https://api.example.com/orders", ["HttpStatus"] = trace.Fault ? 502 : trace.Throttle ? 429 : 200, ["HttpMethod"] = "POST" },
                ["EntryPoint"] = new JsonObject { ["Name"] = "orders-gateway/prod", ["Names"] = new JsonArray("orders-gateway/prod"), ["Type"] = "AWS::ApiGateway::Stage" },
                ["ResourceARNs"] = new JsonArray(new JsonObject { ["ARN"] = $"arn:aws:lambda:eu-west-1:123456789012:function:{trace.Function}" }),
                ["Revision"] = 2,
            });
        }

        var response = new JsonObject { ["TraceSummaries"] = summaries, ["ApproximateTime"] = end.ToUnixTimeSeconds(), ["TracesProcessedCount"] = matching.Count };
        if ((page + 1) * 2 < matching.Count)
        {
            response["NextToken"] = (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return response.ToJsonString();
    }

    private string Traces(JsonNode request)
    {
        var ids = request["TraceIds"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        Assert.InRange(ids.Count, 1, 5);
        var traces = new JsonArray();
        var unprocessed = new JsonArray();
        foreach (var id in ids)
        {
            if (Unprocessed.Contains(id) || _traces.FirstOrDefault(t => t.TraceId == id) is not { } trace)
            {
                unprocessed.Add(id);
                continue;
            }

            traces.Add(new JsonObject
            {
                ["Id"] = id,
                ["Duration"] = 0.452,
                ["LimitExceeded"] = false,
                ["Segments"] = new JsonArray([.. trace.Documents.Select(d => (JsonNode)new JsonObject { ["Id"] = d["id"]!.GetValue<string>(), ["Document"] = d.ToJsonString() })]),
            });
        }

        return new JsonObject { ["Traces"] = traces, ["UnprocessedTraceIds"] = unprocessed }.ToJsonString();
    }
}
