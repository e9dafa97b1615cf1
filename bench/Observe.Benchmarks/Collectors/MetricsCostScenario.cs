using System.Net;
using System.Text.Json;
using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Metrics;
using Observe.Store;
using Observe.Store.Internal;
using Observe.Store.Model;

namespace Observe.Benchmarks.Collectors;

/// <summary>The fleets the cost benchmark runs.</summary>
public enum MetricsCostProfile
{
    /// <summary>Half the functions had no data in 3 hours; of the rest 30% run every minute, 70% once an hour.</summary>
    Typical,

    /// <summary>Every function runs every minute: the most a fleet of that size can cost.</summary>
    AllBusy,
}

/// <summary>What a day of collection costs one account and region, from one steady hour times 24, and the naive way's day.</summary>
public sealed record MetricsCostResult(
    int Functions,
    MetricsCostProfile Profile,
    int ColdPassCalls,
    int ColdPassMetrics,
    int WatchedPassCalls,
    int WatchedPassMetrics,
    long CallsPerDay,
    long MetricsPerDay,
    long ListMetricsCallsPerDay)
{
    /// <summary>AWS's price for GetMetricData metrics and for other requests (ListMetrics, GetMetricStatistics).</summary>
    public const decimal PricePerThousand = 0.01m;

    /// <summary>The 8 metrics the "$115 a day per 1,000 functions" counts.</summary>
    public const int NaiveMetrics = 8;

    public decimal DollarsPerDay => (MetricsPerDay + ListMetricsCallsPerDay) * PricePerThousand / 1000;

    /// <summary>One GetMetricStatistics call per function, metric and minute.</summary>
    public long NaiveCallsPerDay => (long)NaiveMetrics * Functions * 1440;

    public decimal NaiveDollarsPerDay => NaiveCallsPerDay * PricePerThousand / 1000;

    public double FewerCalls => (double)NaiveCallsPerDay / CallsPerDay;
}

/// <summary>
/// The real metrics collector (real AWS pipeline: signing, budgets, meter, client) against an in-process CloudWatch
/// that answers ListMetrics and GetMetricData for a synthetic fleet and counts, writing into a real SQLite store,
/// on a clock the scenario moves one minute per pass. The fleet starts running when the scenario starts, so the
/// first pass's 3-hour look-back is empty and the measured hours are steady state. 10 functions are watched.
/// </summary>
internal sealed class MetricsCostScenario : IAsyncDisposable
{
    private const string Account = "123456789012";
    private const string Region = "eu-west-1";
    private static readonly DateTimeOffset FleetStart = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Start = FleetStart.AddSeconds(30);

    private readonly SteppedClock _clock = new(Start);
    private readonly FleetCloudWatch _cloudWatch;
    private readonly AwsCaller _caller;
    private readonly AwsCredentialsProvider _credentials;
    private readonly RelationalStore _store;
    private readonly MetricsCollector _collector;
    private readonly CollectionTarget _target;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "observe-bench", "metrics-cost-" + Guid.NewGuid().ToString("N"));

    private MetricsCostScenario(int functions, MetricsCostProfile profile)
    {
        Functions = functions;
        Profile = profile;
        var active = profile == MetricsCostProfile.AllBusy ? functions : functions / 2;
        _cloudWatch = new FleetCloudWatch(active, profile == MetricsCostProfile.AllBusy ? active : active * 3 / 10, FleetStart);
        var account = new AwsAccountOptions { AccountId = Account, Name = "bench", Regions = [Region] };
        var aws = Options.Create(new AwsOptions
        {
            Accounts = [account],

            // The fake answers at once; AWS's quotas would only add waiting, not calls.
            RateBudgets = new(StringComparer.OrdinalIgnoreCase) { ["CloudWatch"] = new RateBudgetOptions { PerSecond = 1_000_000 } },
        });
        var meter = new AwsUsageMeter(aws, _clock);
        var endpoints = new AwsEndpointResolver(aws);
        _credentials = new AwsCredentialsProvider(aws, endpoints, meter, NullLogger<AwsCredentialsProvider>.Instance,
            (_, _) => Task.FromResult<AWSCredentials>(new BasicAWSCredentials("AKIAOBSERVEBENCH0001", "observe-bench-secret")));
        _caller = new AwsCaller(aws, _credentials, endpoints, new RateBudgets(aws, _clock), meter, _clock, NullLogger<AwsCaller>.Instance, _cloudWatch);
        _store = StoreServiceCollectionExtensions.CreateStore(new StoreOptions { DataDirectory = _directory }, NullLoggerFactory.Instance);
        _collector = new MetricsCollector(new AwsClientFactory(_caller, aws, _clock), new StoredAlertRuleScopes(_store), _store, _store, _store, _store, Options.Create(new MetricsCollectorOptions()), _clock, NullLogger<MetricsCollector>.Instance);
        _target = new CollectionTarget(account, Region);
    }

    public int Functions { get; }

    public MetricsCostProfile Profile { get; }

    /// <summary>A migrated store, the first pass (an empty look-back) and one warm-up hour done.</summary>
    public static async Task<MetricsCostScenario> StartAsync(int functions, MetricsCostProfile profile)
    {
        var scenario = new MetricsCostScenario(functions, profile);
        await scenario._store.MigrateAsync(CancellationToken.None);

        // Ten open detail pages, for longer than the benchmark runs.
        for (var i = 0; i < 10; i++)
        {
            await scenario._store.WatchFunctionAsync(new FunctionKey(Account, Region, FleetCloudWatch.Name(i)), DateTimeOffset.MaxValue, CancellationToken.None);
        }

        await scenario._collector.CollectAsync(scenario._target, new PassReport(), CancellationToken.None);
        for (var minute = 0; minute < 60; minute++)
        {
            await scenario.PassAsync();
        }

        return scenario;
    }

    /// <summary>Runs the next hour, one pass a minute, and counts what it asked of CloudWatch.</summary>
    public async Task<MetricsCostResult> RunHourAsync()
    {
        int coldCalls = 0, coldMetrics = 0, coldPasses = 0, watchedCalls = 0, watchedMetrics = 0, watchedPasses = 0;
        var (calls0, metrics0, lists0) = _cloudWatch.Counts;
        for (var minute = 0; minute < 60; minute++)
        {
            var (callsBefore, metricsBefore, _) = _cloudWatch.Counts;
            await PassAsync();
            var (calls, metrics, _) = _cloudWatch.Counts;
            if (_clock.GetUtcNow().Minute % 15 == 0)
            {
                (coldCalls, coldMetrics, coldPasses) = (coldCalls + (int)(calls - callsBefore), coldMetrics + (int)(metrics - metricsBefore), coldPasses + 1);
            }
            else
            {
                (watchedCalls, watchedMetrics, watchedPasses) = (watchedCalls + (int)(calls - callsBefore), watchedMetrics + (int)(metrics - metricsBefore), watchedPasses + 1);
            }
        }

        var (calls1, metrics1, lists1) = _cloudWatch.Counts;
        return new MetricsCostResult(
            Functions,
            Profile,
            coldCalls / coldPasses,
            coldMetrics / coldPasses,
            watchedCalls / watchedPasses,
            watchedMetrics / watchedPasses,
            24 * (calls1 - calls0 + lists1 - lists0),
            24 * (metrics1 - metrics0),
            24 * (lists1 - lists0));
    }

    public async ValueTask DisposeAsync()
    {
        _caller.Dispose();
        _credentials.Dispose();
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private Task PassAsync()
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        return _collector.CollectAsync(_target, new PassReport(), CancellationToken.None);
    }

    /// <summary>A clock for the collector that moves only when the scenario says; timers and timeouts stay real.</summary>
    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}

/// <summary>
/// CloudWatch (JSON 1.0) for a fleet named fn-00000, fn-00001, ...: the first <c>active</c> functions publish
/// Invocations, Errors, Throttles, Duration and ConcurrentExecutions since the fleet started, the first <c>busy</c> of them
/// every minute and the others at one minute of each hour; the rest published nothing in 3 hours. ListMetrics pages
/// by 500, GetMetricData answers every query in one page. Counts GetMetricData calls, the metrics they requested and
/// ListMetrics calls.
/// </summary>
internal sealed class FleetCloudWatch(int active, int busy, DateTimeOffset since) : HttpMessageHandler
{
    private static readonly string[] Metrics = ["Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"];
    private long _calls;
    private long _metrics;
    private long _lists;

    public (long Calls, long Metrics, long ListMetricsCalls) Counts => (Interlocked.Read(ref _calls), Interlocked.Read(ref _metrics), Interlocked.Read(ref _lists));

    public static string Name(int i) => $"fn-{i:00000}";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = request.Headers.GetValues("X-Amz-Target").Single();
        using var body = JsonDocument.Parse(await request.Content!.ReadAsByteArrayAsync(cancellationToken));
        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output))
        {
            if (target.EndsWith(".ListMetrics", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _lists);
                ListMetrics(body.RootElement, json);
            }
            else
            {
                Interlocked.Increment(ref _calls);
                GetMetricData(body.RootElement, json);
            }
        }

        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(output.ToArray()) };
    }

    private void ListMetrics(JsonElement request, Utf8JsonWriter json)
    {
        var first = request.TryGetProperty("NextToken", out var token) ? int.Parse(token.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var total = active * Metrics.Length;
        json.WriteStartObject();
        json.WriteStartArray("Metrics");
        for (var i = first; i < Math.Min(total, first + 500); i++)
        {
            json.WriteStartObject();
            json.WriteString("Namespace", "AWS/Lambda");
            json.WriteString("MetricName", Metrics[i % Metrics.Length]);
            json.WriteStartArray("Dimensions");
            json.WriteStartObject();
            json.WriteString("Name", "FunctionName");
            json.WriteString("Value", Name(i / Metrics.Length));
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (first + 500 < total)
        {
            json.WriteString("NextToken", (first + 500).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        json.WriteEndObject();
    }

    private void GetMetricData(JsonElement request, Utf8JsonWriter json)
    {
        var start = DateTimeOffset.FromUnixTimeSeconds((long)request.GetProperty("StartTime").GetDouble());
        var end = DateTimeOffset.FromUnixTimeSeconds((long)request.GetProperty("EndTime").GetDouble());
        var queries = request.GetProperty("MetricDataQueries");
        Interlocked.Add(ref _metrics, queries.GetArrayLength());
        json.WriteStartObject();
        json.WriteStartArray("MetricDataResults");
        foreach (var query in queries.EnumerateArray())
        {
            var function = query.GetProperty("MetricStat").GetProperty("Metric").GetProperty("Dimensions")[0].GetProperty("Value").GetString()!;
            var index = int.Parse(function.AsSpan(3), System.Globalization.CultureInfo.InvariantCulture);
            json.WriteStartObject();
            json.WriteString("Id", query.GetProperty("Id").GetString());
            json.WriteString("StatusCode", "Complete");
            var minutes = new List<DateTimeOffset>();
            for (var minute = start > since ? start : since; minute < end; minute = minute.AddMinutes(1))
            {
                if (index < busy || (index < active && minute.Minute == index % 60))
                {
                    minutes.Add(minute);
                }
            }

            json.WriteStartArray("Timestamps");
            minutes.ForEach(m => json.WriteNumberValue(m.ToUnixTimeSeconds()));
            json.WriteEndArray();
            json.WriteStartArray("Values");
            minutes.ForEach(m => json.WriteNumberValue(1 + (m.Minute % 7)));
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
