using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Collectors.Collection;
using Observe.Collectors.Traces;
using Observe.Store;

namespace Observe.Collectors.Tests.Traces;

public class TracesCollectorOptionsTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new TracesCollectorOptionsValidator().Validate(null, new TracesCollectorOptions()).Succeeded);

    [Fact]
    public void Validate_BadValues_EachNamedByItsPath()
    {
        var options = new TracesCollectorOptions
        {
            QueryWindow = TimeSpan.FromHours(7),
            SampleRate = 1.5,
            MaxTracesPerPass = 0,
            TimeRangeType = "Start",
            FilterExpression = " ",
            ServiceGraphWindow = TimeSpan.FromMinutes(7),
            TransactionSearchAccounts = ["12345"],
            InitialLookback = TimeSpan.FromDays(2),
        };

        var failures = new TracesCollectorOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(
        [
            "Observe:Collectors:Traces:QueryWindow '07:00:00' must be between 00:01:00 and 06:00:00 (X-Ray's limit)",
            "Observe:Collectors:Traces:InitialLookback '2.00:00:00' must be between 00:01:00 and 1.00:00:00 (Observe:Collectors:Traces:MaxLookback)",
            "Observe:Collectors:Traces:TimeRangeType 'Start' must be Event, TraceId or Service",
            "Observe:Collectors:Traces:FilterExpression is blank: remove it to collect every service",
            "Observe:Collectors:Traces:SampleRate '1.5' must be between 0 and 1",
            "Observe:Collectors:Traces:MaxTracesPerPass '0' must be between 1 and 100000",
            "Observe:Collectors:Traces:ServiceGraphWindow '00:07:00' must be whole minutes dividing an hour (1, 2, 5, 10, 15, 30 or 60 min)",
            "Observe:Collectors:Traces:TransactionSearchAccounts:0 '12345' is not a 12-digit account id",
        ], failures);
    }

    [Fact]
    public void AddObserveTracesCollector_BoundFromConfiguration_RegistersValidatedCollector()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observe:Collectors:Traces:Interval"] = "00:02:00",
            ["Observe:Collectors:Traces:TransactionSearchAccounts:0"] = "123456789012",
            ["Observe:Collectors:Traces:SampleRate"] = "0.2",
            ["Observe:Store:DataDirectory"] = Path.Combine(Path.GetTempPath(), "observe-traces-never-created"),
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddObserveAws(configuration).AddObserveStore(configuration).AddObserveTracesCollector(configuration).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<TracesCollectorOptions>>().Value;
        var collector = Assert.Single(provider.GetServices<ICollector>());

        Assert.Equal(("traces", TimeSpan.FromMinutes(2)), (collector.Name, collector.Interval));
        Assert.Equal(["123456789012"], options.TransactionSearchAccounts);
        Assert.Equal(0.2, options.SampleRate);
    }

    [Fact]
    public void AddObserveTracesCollector_InvalidSetting_FailsNamingIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observe:Collectors:Traces:SampleRate"] = "2",
        }).Build();
        using var provider = new ServiceCollection().AddObserveTracesCollector(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TracesCollectorOptions>>().Value);

        Assert.Contains("Observe:Collectors:Traces:SampleRate '2' must be between 0 and 1", error.Message, StringComparison.Ordinal);
    }
}
