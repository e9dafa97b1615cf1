using Microsoft.Extensions.Time.Testing;
using Observe.Collectors.Aws;

namespace Observe.Alerting.Tests.Channels;

/// <summary>Bad channel settings are refused at start with a message naming the field, and never repeat a secret.</summary>
public sealed class ChannelOptionsValidatorTests
{
    [Fact]
    public void Validate_PlainHttpWebhookOffLoopback_NamesTheFieldWithoutTheUrl()
    {
        var result = TestAlerts.Validate(new Dictionary<string, string?>
        {
            ["Observe:Alerting:Channels:oncall:Kind"] = "slack",
            ["Observe:Alerting:Channels:oncall:WebhookUrl"] = "http://hooks.slack.com/services/T000/B000/SECRETPART",
        });

        Assert.Equal(["Observe:Alerting:Channels:oncall:WebhookUrl must be an https URL (http only on loopback)"], result.Failures);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://[::1]:9000/hook")]
    [InlineData("https://hooks.slack.com/services/T000/B000/XXXX")]
    public void Validate_HttpsOrLoopbackHttp_Passes(string url)
    {
        var result = TestAlerts.Validate(new Dictionary<string, string?>
        {
            ["Observe:Alerting:Channels:oncall:Kind"] = "slack",
            ["Observe:Alerting:Channels:oncall:WebhookUrl"] = url,
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_EveryKindWithItsMistakes_NamesEachField()
    {
        var result = TestAlerts.Validate(new Dictionary<string, string?>
        {
            ["Observe:Alerting:Channels:a:Kind"] = "hipchat",
            ["Observe:Alerting:Channels:b:Kind"] = "webhook",
            ["Observe:Alerting:Channels:b:WebhookUrl"] = "https://example.com/hook",
            ["Observe:Alerting:Channels:b:Secret"] = "short",
            ["Observe:Alerting:Channels:c:Kind"] = "pagerduty",
            ["Observe:Alerting:Channels:c:Timeout"] = "00:00:00",
            ["Observe:Alerting:Channels:d:Kind"] = "email",
            ["Observe:Alerting:Channels:d:Host"] = "smtp.example.com",
            ["Observe:Alerting:Channels:d:Security"] = "None",
            ["Observe:Alerting:Channels:d:Username"] = "alerts",
            ["Observe:Alerting:Channels:d:From"] = "not an address",
            ["Observe:Alerting:Channels:e:Kind"] = "sns",
            ["Observe:Alerting:Channels:e:TopicArn"] = "arn:aws:sqs:eu-west-1:123456789012:alerts",
            ["Observe:Alerting:Channels:e:MessageFormat"] = "Xml",
        });

        Assert.Equal(
            [
                "Observe:Alerting:Channels:a:Kind 'hipchat' is not a channel kind (slack, teams, pagerduty, webhook, email, sns)",
                "Observe:Alerting:Channels:b:Secret is required for a webhook and must be at least 32 characters (the receiver checks the HMAC-SHA256 signature with it)",
                "Observe:Alerting:Channels:c:Timeout must be more than 0 and at most 00:05:00 (it is 00:00:00)",
                "Observe:Alerting:Channels:c:RoutingKey is required for PagerDuty (the Events API v2 integration key) and holds no spaces",
                "Observe:Alerting:Channels:d:Security None is only allowed for a loopback Host (the password and the alerts would cross the network in clear); use StartTls or SslOnConnect",
                "Observe:Alerting:Channels:d:Username and Password go together: set both, or neither for a relay without authentication",
                "Observe:Alerting:Channels:d:From must be an e-mail address (it is 'not an address')",
                "Observe:Alerting:Channels:d:To needs at least one recipient",
                "Observe:Alerting:Channels:e:TopicArn must be an SNS topic ARN like arn:aws:sns:eu-west-1:123456789012:alerts (it is 'arn:aws:sqs:eu-west-1:123456789012:alerts')",
                "Observe:Alerting:Channels:e:MessageFormat 'Xml' must be Json or Text",
            ],
            result.Failures);
    }

    [Fact]
    public void Validate_SnsTopicInACollectedAccountWithItsOwnRole_IsRefused()
    {
        var aws = new AwsOptions { Accounts = [new AwsAccountOptions { AccountId = "123456789012", Regions = ["eu-west-1"] }] };
        var result = TestAlerts.Validate(
            new Dictionary<string, string?>
            {
                ["Observe:Alerting:Channels:ops:Kind"] = "sns",
                ["Observe:Alerting:Channels:ops:TopicArn"] = "arn:aws:sns:eu-west-1:123456789012:alerts",
                ["Observe:Alerting:Channels:ops:RoleArn"] = "arn:aws:iam::123456789012:role/publisher",
            },
            aws);

        Assert.Equal(["Observe:Alerting:Channels:ops: the topic's account 123456789012 is collected (Observe:Aws:Accounts) and its credentials are used; remove Profile, RoleArn and ExternalId here"], result.Failures);
    }

    [Fact]
    public void Describe_EveryKind_ShowsWhereWithSecretsMasked()
    {
        var time = new FakeTimeProvider();
        using var registry = TestAlerts.Registry(
            new Dictionary<string, string?>
            {
                ["Observe:Alerting:Channels:slack:Kind"] = "slack",
                ["Observe:Alerting:Channels:slack:WebhookUrl"] = "https://hooks.slack.com/services/T0SECRET1/B0SECRET2/SECRET3",
                ["Observe:Alerting:Channels:teams:Kind"] = "teams",
                ["Observe:Alerting:Channels:teams:WebhookUrl"] = "https://prod-01.westeurope.logic.azure.com:443/workflows/0SECRET1/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SECRET4",
                ["Observe:Alerting:Channels:pd:Kind"] = "pagerduty",
                ["Observe:Alerting:Channels:pd:RoutingKey"] = "R0SECRET5SECRET5SECRET5SECRET5XX",
                ["Observe:Alerting:Channels:hook:Kind"] = "webhook",
                ["Observe:Alerting:Channels:hook:WebhookUrl"] = "https://receiver.example.com/hooks/SECRET6",
                ["Observe:Alerting:Channels:hook:Secret"] = "SECRET7-SECRET7-SECRET7-SECRET7-SECRET7",
                ["Observe:Alerting:Channels:mail:Kind"] = "email",
                ["Observe:Alerting:Channels:mail:Host"] = "smtp.example.com",
                ["Observe:Alerting:Channels:mail:Username"] = "alerts",
                ["Observe:Alerting:Channels:mail:Password"] = "SECRET8",
                ["Observe:Alerting:Channels:mail:From"] = "Observe <alerts@example.com>",
                ["Observe:Alerting:Channels:mail:To:0"] = "oncall@example.com",
            },
            time);

        var described = registry.Channels.ToDictionary(c => c.Id, c => c.Describe());

        Assert.Equal("Slack webhook https://hooks.slack.com/services/T0…/****", described["slack"]);
        Assert.Equal("Teams workflow https://prod-01.westeurope.logic.azure.com/workflows/0S…/****", described["teams"]);
        Assert.Equal("PagerDuty https://events.pagerduty.com, routing key R0SE…****", described["pd"]);
        Assert.Equal("webhook https://receiver.example.com/hooks/SE…/****, signed (HMAC-SHA256)", described["hook"]);
        Assert.Equal("e-mail via smtp.example.com:587 (StartTls, user alerts, password ****) to oncall@example.com", described["mail"]);
        Assert.All(described.Values, d => Assert.DoesNotContain("SECRET", d, StringComparison.Ordinal));
    }
}
