using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Collectors.LiveTail;

namespace Observe.Collectors.Tests.LiveTail;

public class LiveTailOptionsTests
{
    [Fact]
    public void AddObserveLiveTail_BadSettings_FailWithMessagesNamingThem()
    {
        using var provider = Build(new()
        {
            ["Observe:Collectors:LiveTail:MaxSessionDuration"] = "04:00:00",
            ["Observe:Collectors:LiveTail:ViewerBufferBatches"] = "0",
            ["Observe:Collectors:LiveTail:Endpoint"] = "not a url",
            ["Observe:Collectors:LiveTail:PollInterval"] = "00:00:00",
        });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LiveTailOptions>>().Value);
        Assert.Contains("Observe:Collectors:LiveTail:MaxSessionDuration must be between 00:00:01 and 03:00:00, not 04:00:00", e.Failures);
        Assert.Contains("Observe:Collectors:LiveTail:ViewerBufferBatches must be 1 to 10000, not 0", e.Failures);
        Assert.Contains("Observe:Collectors:LiveTail:Endpoint must be an absolute http(s) URL, not 'not a url'", e.Failures);
        Assert.Contains(e.Failures, f => f.StartsWith("Observe:Collectors:LiveTail:PollInterval must be between", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddObserveLiveTail_GoodSettings_ResolveOneSharedService()
    {
        await using var provider = Build(new()
        {
            ["Observe:Collectors:LiveTail:Mode"] = "Polling",
            ["Observe:Collectors:LiveTail:PollInterval"] = "00:00:10",
        });

        var options = provider.GetRequiredService<IOptions<LiveTailOptions>>().Value;
        Assert.Equal((LiveTailMode.Polling, TimeSpan.FromSeconds(10), TimeSpan.FromHours(3)), (options.Mode, options.PollInterval, options.MaxSessionDuration));
        Assert.Same(provider.GetRequiredService<ILiveTail>(), provider.GetRequiredService<ILiveTail>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        settings["Observe:Aws:Accounts:0:AccountId"] = "320000000003";
        settings["Observe:Aws:Accounts:0:Regions:0"] = "eu-west-1";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddObserveAws(configuration).AddObserveLiveTail(configuration).BuildServiceProvider();
    }
}
