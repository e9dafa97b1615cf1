using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Metrics;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Metrics;

/// <summary>
/// The metrics collector wired to the real AWS layer (over a given transport, or to moto), a real SQLite store in
/// a temporary directory and a manual clock; the AWS transport is replaceable. <see cref="Restart"/> builds a new collector on the same store, as a new
/// process would.
/// </summary>
internal sealed class MetricsRig : IAsyncDisposable
{
    private readonly TestStore _store;
    private readonly MetricsCollectorOptions _options;

    private MetricsRig(TestStore store, AwsOptions aws, DateTimeOffset start, HttpMessageHandler? transport, Action<MetricsCollectorOptions>? configure)
    {
        _store = store;
        Time = new ManualTimeProvider(start);
        Aws = new AwsTestHost(aws, Time, transport);
        _options = new MetricsCollectorOptions();
        configure?.Invoke(_options);
        var errors = new MetricsCollectorOptionsValidator().Validate(null, _options);
        Assert.True(errors.Succeeded, errors.FailureMessage);
        Collector = NewCollector();
        Target = new CollectionTarget(aws.Accounts[0], aws.Accounts[0].Regions[0]);
    }

    public ManualTimeProvider Time { get; }
    public AwsTestHost Aws { get; }
    public IObserveStore Store => _store.Store;
    public MetricsCollector Collector { get; private set; }
    public CollectionTarget Target { get; }

    public static async Task<MetricsRig> StartAsync(AwsOptions aws, DateTimeOffset start, HttpMessageHandler? transport = null, Action<MetricsCollectorOptions>? configure = null)
        => new(await TestStore.CreateAsync(), aws, start, transport, configure);

    public FunctionKey Fn(string name) => new(Target.AccountId, Target.Region, name);

    public Task CollectAsync() => Collector.CollectAsync(Target, CancellationToken.None);

    /// <summary>One pass; its report says whether it was degraded and why.</summary>
    public async Task<PassReport> CollectReportAsync()
    {
        var report = new PassReport();
        await Collector.CollectAsync(Target, report, CancellationToken.None);
        return report;
    }

    /// <summary>Advances the clock one watched interval at a time, collecting after each step.</summary>
    public async Task RunAsync(TimeSpan duration)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += _options.WatchedInterval)
        {
            Time.Advance(_options.WatchedInterval);
            await CollectAsync();
        }
    }

    /// <summary>A new collector on the same store and watches, with nothing remembered in memory.</summary>
    public void Restart() => Collector = NewCollector();

    public async Task<IReadOnlyList<MetricBucket>> SeriesAsync(string function, DateTimeOffset from, DateTimeOffset to) =>
        await Store.GetFunctionSeriesAsync(Fn(function), new TimeRange(from, to), SeriesResolution.Minute, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Aws.Dispose();
        await _store.DisposeAsync();
    }

    private MetricsCollector NewCollector() =>
        new(Aws.Clients, new StoredAlertRuleScopes(Store), Store, Store, Store, Store, Options.Create(_options), Time, NullLogger<MetricsCollector>.Instance);
}
