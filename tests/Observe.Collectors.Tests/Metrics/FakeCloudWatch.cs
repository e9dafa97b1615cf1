using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Observe.Collectors.Tests.Metrics;

/// <summary>One metric-statistic asked of one function in a GetMetricData call, with where it was looked for.</summary>
internal sealed record AskedQuery(string Id, string Function, string Metric, string Stat, string Namespace = "AWS/Lambda", string Dimension = "FunctionName");

/// <summary>One GetMetricData request as the fake received it (each page is a request).</summary>
internal sealed record GetMetricDataCall(DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<AskedQuery> Queries, string? NextToken);

/// <summary>
/// An in-process CloudWatch (JSON 1.0) under the signer, answering ListMetrics and GetMetricData for a synthetic
/// fleet the way the CloudWatch API reference describes them: ListMetrics in pages of 500 with NextToken, only
/// metrics with data in the last 3 hours for <c>RecentlyActive=PT3H</c>; GetMetricData with one result per query,
/// timestamps at the start of each period, minutes without data left out, and results split over pages of
/// <see cref="ResultsPerPage"/> with NextToken. Metrics of the Lambda Insights extension (<see cref="InsightsMetrics"/>)
/// are published under <c>LambdaInsights</c> with the dimension <c>function_name</c>, the rest under <c>AWS/Lambda</c> with
/// <c>FunctionName</c>; a query that names another namespace or dimension finds no data, and ListMetrics lists only the
/// namespace asked for. Used where moto falls short: percentiles (moto answers HTTP 500),
/// GetMetricData paging (moto never pages), and fleets of thousands of functions. It counts every call.
/// </summary>
internal sealed class FakeCloudWatch(TimeProvider time) : HttpMessageHandler
{
    private readonly Dictionary<string, (string[] Metrics, Func<string, string, DateTimeOffset, double?> Value)> _functions = new(StringComparer.Ordinal);
    private readonly List<GetMetricDataCall> _calls = [];
    private int _listMetricsCalls;

    /// <summary>GetMetricData results per page; a larger answer continues on the next page under a NextToken.</summary>
    public int ResultsPerPage { get; set; } = 500;

    public IReadOnlyList<GetMetricDataCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public int ListMetricsCalls => Volatile.Read(ref _listMetricsCalls);

    /// <summary>The metric names the Lambda Insights extension publishes that the collector reads.</summary>
    public static IReadOnlySet<string> InsightsMetrics { get; } = new HashSet<string>(
        ["memory_utilization", "used_memory_max", "cpu_total_time", "total_network", "init_duration"], StringComparer.Ordinal);

    /// <summary>Adds a function publishing <paramref name="metrics"/>; <paramref name="value"/>(metric, stat, minute) is null for no data.</summary>
    public void Add(string function, string[] metrics, Func<string, string, DateTimeOffset, double?> value)
    {
        lock (_functions)
        {
            _functions[function] = (metrics, value);
        }
    }

    public void ClearCalls()
    {
        lock (_calls)
        {
            _calls.Clear();
        }

        Interlocked.Exchange(ref _listMetricsCalls, 0);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = request.Headers.GetValues("X-Amz-Target").Single();
        var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!;
        var answer = target switch
        {
            "GraniteServiceVersion20100801.ListMetrics" => ListMetrics(body),
            "GraniteServiceVersion20100801.GetMetricData" => GetMetricData(body),
            _ => throw new InvalidOperationException($"the fake CloudWatch does not implement {target}"),
        };
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer.ToJsonString(), Encoding.UTF8, "application/x-amz-json-1.0") };
    }

    private JsonObject ListMetrics(JsonNode body)
    {
        Interlocked.Increment(ref _listMetricsCalls);
        var recentlyActive = body["RecentlyActive"]?.GetValue<string>() == "PT3H";
        var ns = body["Namespace"]?.GetValue<string>();
        var now = time.GetUtcNow();
        List<JsonObject> all;
        lock (_functions)
        {
            all = [.. _functions.OrderBy(f => f.Key, StringComparer.Ordinal).SelectMany(f => f.Value.Metrics
                .Where(m => ns is null || Namespace(m) == ns)
                .Where(m => !recentlyActive || Enumerable.Range(1, 180).Any(ago => f.Value.Value(m, Stat(m), Minute(now).AddMinutes(-ago)) is not null))
                .Select(m => new JsonObject
                {
                    ["Namespace"] = Namespace(m),
                    ["MetricName"] = m,
                    ["Dimensions"] = new JsonArray(new JsonObject { ["Name"] = Dimension(m), ["Value"] = f.Key }),
                }))];
        }

        var skip = body["NextToken"] is { } token ? int.Parse(token.GetValue<string>()[5..], System.Globalization.CultureInfo.InvariantCulture) : 0;
        var page = new JsonArray([.. all.Skip(skip).Take(500)]);
        return new JsonObject { ["Metrics"] = page, ["NextToken"] = skip + 500 < all.Count ? $"list-{skip + 500}" : null };
    }

    private JsonObject GetMetricData(JsonNode body)
    {
        var start = DateTimeOffset.FromUnixTimeSeconds((long)body["StartTime"]!.GetValue<double>());
        var end = DateTimeOffset.FromUnixTimeSeconds((long)body["EndTime"]!.GetValue<double>());
        var token = body["NextToken"]?.GetValue<string>();
        var queries = body["MetricDataQueries"]!.AsArray().Select(q => new AskedQuery(
            q!["Id"]!.GetValue<string>(),
            q["MetricStat"]!["Metric"]!["Dimensions"]![0]!["Value"]!.GetValue<string>(),
            q["MetricStat"]!["Metric"]!["MetricName"]!.GetValue<string>(),
            q["MetricStat"]!["Stat"]!.GetValue<string>(),
            q["MetricStat"]!["Metric"]!["Namespace"]!.GetValue<string>(),
            q["MetricStat"]!["Metric"]!["Dimensions"]![0]!["Name"]!.GetValue<string>())).ToList();
        lock (_calls)
        {
            _calls.Add(new GetMetricDataCall(start, end, queries, token));
        }

        var skip = token is null ? 0 : int.Parse(token[5..], System.Globalization.CultureInfo.InvariantCulture);
        var results = new JsonArray();
        foreach (var query in queries.Skip(skip).Take(ResultsPerPage))
        {
            Func<string, string, DateTimeOffset, double?>? value;
            lock (_functions)
            {
                value = _functions.TryGetValue(query.Function, out var f) && f.Metrics.Contains(query.Metric)
                    && query.Namespace == Namespace(query.Metric) && query.Dimension == Dimension(query.Metric) ? f.Value : null;
            }

            var timestamps = new JsonArray();
            var values = new JsonArray();
            for (var minute = start; minute < end; minute = minute.AddMinutes(1))
            {
                if (value?.Invoke(query.Metric, query.Stat, minute) is { } v)
                {
                    timestamps.Add(minute.ToUnixTimeSeconds());
                    values.Add(v);
                }
            }

            results.Add(new JsonObject { ["Id"] = query.Id, ["Label"] = $"{query.Metric} {query.Stat}", ["Timestamps"] = timestamps, ["Values"] = values, ["StatusCode"] = "Complete" });
        }

        var next = skip + ResultsPerPage < queries.Count ? $"page-{skip + ResultsPerPage}" : null;
        return new JsonObject { ["MetricDataResults"] = results, ["NextToken"] = next, ["Messages"] = new JsonArray() };
    }

    private static string Namespace(string metric) => InsightsMetrics.Contains(metric) ? "LambdaInsights" : "AWS/Lambda";

    private static string Dimension(string metric) => InsightsMetrics.Contains(metric) ? "function_name" : "FunctionName";

    private static string Stat(string metric) => metric is "ConcurrentExecutions" or "IteratorAge" ? "Maximum" : metric == "Duration" ? "Average" : "Sum";

    private static DateTimeOffset Minute(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
}
