using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Alerting.Channels;

namespace Observe.Alerting.Tests.Channels;

/// <summary>The channels as a host registers them: bound from configuration, validated, built once.</summary>
public sealed class ChannelRegistrationTests
{
    [Fact]
    public void AddObserveAlertingChannels_BadChannel_FailsNamingTheField()
    {
        using var services = Build(new()
        {
            ["Observe:Alerting:Channels:oncall:Kind"] = "pagerduty",
            ["Observe:Alerting:Channels:oncall:RoutingKey"] = "R0123456789ABCDEF0123456789ABCDE",
            ["Observe:Alerting:Channels:oncall:Endpoint"] = "http://events.example.com/v2/enqueue",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ChannelRegistry>());

        Assert.Equal(["Observe:Alerting:Channels:oncall:Endpoint must be an https URL (http only on loopback)"], error.Failures);
    }

    [Fact]
    public void AddObserveAlertingChannels_ValidChannels_BuildsEachByIdFromEnvironmentStyleKeys()
    {
        using var services = Build(new()
        {
            ["Observe:Alerting:Channels:oncall:Kind"] = "PagerDuty",
            ["Observe:Alerting:Channels:oncall:RoutingKey"] = "R0123456789ABCDEF0123456789ABCDE",
            ["Observe:Alerting:Channels:team-chat:Kind"] = "slack",
            ["Observe:Alerting:Channels:team-chat:WebhookUrl"] = "https://hooks.slack.com/services/T000/B000/XXXX",
        });

        var registry = services.GetRequiredService<ChannelRegistry>();

        Assert.Equal(["oncall", "team-chat"], registry.Channels.Select(c => c.Id));
        Assert.Equal("pagerduty", registry.Find("oncall")!.Kind);
        Assert.Equal("slack", registry.Find("team-chat")!.Kind);
        Assert.Null(registry.Find("nobody"));
    }

    [Fact]
    public void AddObserveAlertingChannels_SnsWithoutTheAwsLayer_SaysWhatIsMissing()
    {
        using var services = Build(new()
        {
            ["Observe:Alerting:Channels:ops:Kind"] = "sns",
            ["Observe:Alerting:Channels:ops:TopicArn"] = "arn:aws:sns:eu-west-1:123456789012:alerts",
        });

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<ChannelRegistry>());

        Assert.Equal("Observe:Alerting:Channels:ops publishes to SNS, but the AWS access layer (AddObserveAws) is not registered in this host", error.Message);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddObserveAlertingChannels(configuration).BuildServiceProvider();
    }
}
