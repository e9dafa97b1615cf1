using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Collectors.Collection;
using Observe.Collectors.LogCollection;
using Observe.Store;

namespace Observe.Collectors.Tests.LogCollection;

public class LogsCollectorOptionsTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new LogsCollectorOptionsValidator().Validate(null, new LogsCollectorOptions()).Succeeded);

    [Fact]
    public void Validate_BadValues_NameEachSetting()
    {
        var result = new LogsCollectorOptionsValidator().Validate(null, new LogsCollectorOptions
        {
            Interval = TimeSpan.Zero,
            MaxCatchUp = TimeSpan.FromHours(5),
            FilterPattern = new string('x', 1025),
            MaxParallelGroups = 0,
            Mode = (LogsReadMode)7,
        });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Observe:Collectors:Logs:Interval", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Observe:Collectors:Logs:MaxCatchUp", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Observe:Collectors:Logs:FilterPattern", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Observe:Collectors:Logs:MaxParallelGroups", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Observe:Collectors:Logs:Mode", StringComparison.Ordinal));
    }

    [Fact]
    public void AddObserveLogsCollector_BindsTheSectionAndRegistersOneCollector()
    {
        var services = BuildServices(new() { ["Observe:Collectors:Logs:Mode"] = "Insights", ["Observe:Collectors:Logs:Interval"] = "00:05:00" });

        var collector = Assert.Single(services.GetServices<ICollector>());
        Assert.Equal(("logs", TimeSpan.FromMinutes(5)), (collector.Name, collector.Interval));
        Assert.Equal(LogsReadMode.Insights, services.GetRequiredService<IOptions<LogsCollectorOptions>>().Value.Mode);
    }

    [Fact]
    public void AddObserveLogsCollector_InvalidSetting_FailsNamingIt()
    {
        var services = BuildServices(new() { ["Observe:Collectors:Logs:MaxParallelGroups"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LogsCollectorOptions>>().Value);
        Assert.Contains("Observe:Collectors:Logs:MaxParallelGroups 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, 50, LogsReadMode.FilterLogEvents)]
    [InlineData(4, 50, LogsReadMode.FilterLogEvents)]
    [InlineData(8, 50, LogsReadMode.Insights)]
    [InlineData(20, 50, LogsReadMode.Insights)]
    [InlineData(10_000, 500, LogsReadMode.Insights)]
    public void Choose_Auto_PicksFewerCalls(int groups, int eventsPerGroup, LogsReadMode expected)
    {
        var status = LogsCostModel.Choose(groups, eventsPerGroup, new LogsCollectorOptions(), DateTimeOffset.UnixEpoch);

        Assert.Equal(expected, status.Mode);
        Assert.Equal(Math.Min(status.FilterLogEventsCalls, status.InsightsCalls), expected == LogsReadMode.Insights ? status.InsightsCalls : status.FilterLogEventsCalls);
    }

    [Fact]
    public void CostModel_TenThousandGroups_CountsCalls()
    {
        // 10,000 groups with 500 events each: one call a group, none needs a second page.
        Assert.Equal(10_000, LogsCostModel.FilterLogEventsCalls(10_000, 500, 3000));
        Assert.Equal(20_000, LogsCostModel.FilterLogEventsCalls(10_000, 5000, 3000));

        // 200 batches: 200 DescribeLogGroups pages, then per batch one query (StartQuery + 3 polls) per 10,000 rows:
        // 50 groups x 50 events fit one page, x 500 events take three, x 5,000 hit the cap of ten queries.
        Assert.Equal(200 + (200 * 1 * 4), LogsCostModel.InsightsCalls(10_000, 50, 3));
        Assert.Equal(200 + (200 * 3 * 4), LogsCostModel.InsightsCalls(10_000, 500, 3));
        Assert.Equal(200 + (200 * 10 * 4), LogsCostModel.InsightsCalls(10_000, 5000, 3));
    }

    [Fact]
    public void Choose_ModeSet_OverridesAndSaysSo()
    {
        var status = LogsCostModel.Choose(10_000, 50, new LogsCollectorOptions { Mode = LogsReadMode.FilterLogEvents }, DateTimeOffset.UnixEpoch);

        Assert.Equal(LogsReadMode.FilterLogEvents, status.Mode);
        Assert.StartsWith("set by Observe:Collectors:Logs:Mode", status.Reason, StringComparison.Ordinal);
    }

    private static ServiceProvider BuildServices(Dictionary<string, string?> settings)
    {
        settings["Observe:Store:DataDirectory"] = Path.GetTempPath();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging()
            .AddObserveStore(configuration)
            .AddObserveAws(configuration)
            .AddObserveLogsCollector(configuration)
            .BuildServiceProvider();
    }
}
