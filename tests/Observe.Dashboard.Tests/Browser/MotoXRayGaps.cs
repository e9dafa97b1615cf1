using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Observe.Collectors.Traces;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// The transport under the signer for <see cref="MotoFleetFixture"/>: everything goes on to moto except the two X-Ray
/// answers moto lacks, so the traces collector runs with its default settings.
/// <list type="bullet">
/// <item>GetTraceSummaries with the collector's fault filter expression (moto answers any filter expression with HTTP
/// 500): moto is asked without it and its answer is filtered as X-Ray evaluates
/// <c>fault = true OR error = true OR throttle = true</c>, by the summaries' HasFault, HasError and HasThrottle.
/// Any other filter expression goes to moto unchanged. The sampled query (FixedRate) goes to moto, which ignores
/// sampling and answers every trace: more than X-Ray's 5%, the same code path.</item>
/// <item>GetServiceGraph (moto answers no services): the recorded response of <see cref="RecordedGraph"/> for the window
/// and region it was recorded for, moto's empty answer otherwise.</item>
/// </list>
/// </summary>
internal sealed class MotoXRayGaps(HttpMessageHandler inner, string graphRegion, DateTimeOffset graphWindowStart, string recordedGraph) : DelegatingHandler(inner)
{
    private int _filtered;
    private int _graphs;

    /// <summary>Filtered GetTraceSummaries calls answered so far (so a test knows the emulation was used).</summary>
    public int FilteredSummaries => Volatile.Read(ref _filtered);

    /// <summary>Recorded GetServiceGraph answers given so far.</summary>
    public int RecordedGraphs => Volatile.Read(ref _graphs);

    public string RecordedGraph => recordedGraph;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (path == "/ServiceGraph" && Region(request) == graphRegion && request.Content is not null)
        {
            var body = JsonNode.Parse(await request.Content.ReadAsStringAsync(cancellationToken))!;
            var start = DateTimeOffset.FromUnixTimeMilliseconds((long)(body["StartTime"]!.GetValue<double>() * 1000));
            if (start == graphWindowStart)
            {
                Interlocked.Increment(ref _graphs);
                return Json(recordedGraph);
            }
        }

        if (path == "/TraceSummaries" && request.Content is not null)
        {
            var body = JsonNode.Parse(await request.Content.ReadAsStringAsync(cancellationToken))!.AsObject();
            if (body["FilterExpression"]?.GetValue<string>() == TracesCollector.FaultFilterExpression)
            {
                Interlocked.Increment(ref _filtered);
                body.Remove("FilterExpression");
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
                using var unfiltered = await base.SendAsync(request, cancellationToken);
                var answer = await unfiltered.Content.ReadAsStringAsync(cancellationToken);
                if (!unfiltered.IsSuccessStatusCode)
                {
                    return new HttpResponseMessage(unfiltered.StatusCode) { Content = new StringContent(answer, Encoding.UTF8, "application/json") };
                }

                var page = JsonNode.Parse(answer)!.AsObject();
                var faulty = page["TraceSummaries"]!.AsArray()
                    .Where(s => s!["HasFault"]?.GetValue<bool>() == true || s["HasError"]?.GetValue<bool>() == true || s["HasThrottle"]?.GetValue<bool>() == true)
                    .Select(s => s!.DeepClone())
                    .ToArray();
                page["TraceSummaries"] = new JsonArray(faulty);
                return Json(page.ToJsonString());
            }

            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>The region of a SigV4 request's credential scope (<c>Credential=AKID/date/region/service/aws4_request</c>).</summary>
    private static string? Region(HttpRequestMessage request)
    {
        var authorization = request.Headers.TryGetValues("Authorization", out var values) ? values.FirstOrDefault() : null;
        var scope = authorization?.Split("Credential=", 2) is [_, var rest] ? rest.Split(',', 2)[0].Split('/') : null;
        return scope is { Length: >= 4 } ? scope[2] : null;
    }

    private static HttpResponseMessage Json(string body)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        response.Headers.TryAddWithoutValidation("x-amzn-RequestId", "recorded-xray");
        return response;
    }
}
