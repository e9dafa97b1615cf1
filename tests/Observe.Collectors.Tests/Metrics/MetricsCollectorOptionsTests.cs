using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Collectors.Collection;
using Observe.Collectors.Metrics;
using Observe.Store;

namespace Observe.Collectors.Tests.Metrics;

public class MetricsCollectorOptionsTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new MetricsCollectorOptionsValidator().Validate(null, new MetricsCollectorOptions()).Succeeded);

    [Theory]
    [InlineData("WatchedInterval", "00:00:30", "Observe:Collectors:Metrics:WatchedInterval must be whole minutes")]
    [InlineData("ColdInterval", "02:00:00", "Observe:Collectors:Metrics:ColdInterval must be between 00:01:00 and 01:00:00, not 02:00:00")]
    [InlineData("LateDataWindow", "00:00:10", "Observe:Collectors:Metrics:LateDataWindow must be whole minutes")]
    [InlineData("ActivityRefreshInterval", "03:00:00", "Observe:Collectors:Metrics:ActivityRefreshInterval must be between 00:01:00 and 02:00:00, not 03:00:00")]
    [InlineData("InsightsListingInterval", "04:00:00", "Observe:Collectors:Metrics:InsightsListingInterval must be between 00:01:00 and 03:00:00, not 04:00:00")]
    [InlineData("MaxCatchUp", "00:05:00", "Observe:Collectors:Metrics:MaxCatchUp must be between 00:15:00 and 15.00:00:00, not 00:05:00")]
    [InlineData("MaxWatchedFunctions", "-1", "Observe:Collectors:Metrics:MaxWatchedFunctions must be 0 or more, not -1")]
    [InlineData("MaxRetryBackoff", "02:00:00", "Observe:Collectors:Metrics:MaxRetryBackoff must be between 00:01:00 and 01:00:00, not 02:00:00")]
    [InlineData("MaxRetryBackoff", "00:00:30", "Observe:Collectors:Metrics:MaxRetryBackoff must be whole minutes")]
    [InlineData("QueriesPerCall", "501", "Observe:Collectors:Metrics:QueriesPerCall must be 1 to 500 (AWS's GetMetricData limit), not 501")]
    public void AddObserveMetricsCollector_BadSetting_FailsNamingIt(string setting, string value, string message)
    {
        using var services = Services(new() { [$"Observe:Collectors:Metrics:{setting}"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<MetricsCollectorOptions>>().Value);

        Assert.Contains(error.Failures, f => f.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ColdFasterThanWatched_Fails()
    {
        var result = new MetricsCollectorOptionsValidator().Validate(null, new MetricsCollectorOptions { WatchedInterval = TimeSpan.FromMinutes(5), ColdInterval = TimeSpan.FromMinutes(2) });

        Assert.Contains("ColdInterval (00:02:00) must be at least Observe:Collectors:Metrics:WatchedInterval (00:05:00)", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddObserveMetricsCollector_RegistersTheCollectorOnce_AndOneWatchRegistry()
    {
        var directory = Path.Combine(Path.GetTempPath(), "observe-metrics-" + Guid.NewGuid().ToString("N"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observe:Collectors:Metrics:WatchedInterval"] = "00:02:00",
            ["Observe:Store:DataDirectory"] = directory,
        }).Build();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddObserveAws(configuration)
            .AddObserveStore(configuration)
            .AddObserveMetricsCollector(configuration)
            .AddObserveMetricsCollector(configuration)
            .BuildServiceProvider();

        var collector = Assert.Single(services.GetServices<ICollector>());
        Assert.Equal(("metrics", TimeSpan.FromMinutes(2)), (collector.Name, collector.Interval));
        await services.DisposeAsync();
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddObserveMetricsCollector(configuration).BuildServiceProvider();
    }
}
