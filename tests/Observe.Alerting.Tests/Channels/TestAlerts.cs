using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Observe.Alerting.Channels;
using Observe.Alerting.Delivery;
using Observe.Alerting.Rules;
using Observe.Collectors.Aws;

namespace Observe.Alerting.Tests.Channels;

/// <summary>Alert messages to send, and channels built the way the host builds them: from configuration keys.</summary>
internal static class TestAlerts
{
    public static readonly DateTimeOffset Since = new(2026, 12, 4, 10, 15, 0, TimeSpan.Zero);
    public static readonly Uri GroupLink = new("https://observe.example.com/alerts?group=error-rate%2F123456789012");

    public static AlertMessage Firing(int functions, string title = "Error rate above 5%", string description = "", AlertSeverity severity = AlertSeverity.Critical) => new()
    {
        GroupKey = "error-rate/123456789012",
        DedupKey = "observe:error-rate:123456789012",
        Status = AlertMessageStatus.Firing,
        Severity = severity,
        Title = title,
        Description = description,
        Since = Since,
        Link = GroupLink,
        Alerts = [.. Enumerable.Range(0, functions).Select(i => Item(i, AlertMessageStatus.Firing))],
    };

    public static AlertMessage Resolved(int functions) => Firing(functions) with
    {
        Status = AlertMessageStatus.Resolved,
        Alerts = [.. Enumerable.Range(0, functions).Select(i => Item(i, AlertMessageStatus.Resolved))],
    };

    public static AlertMessageItem Item(int i, AlertMessageStatus status) => new(
        "error-rate",
        $"account=123456789012,function=orders-{i:00},region=eu-west-1",
        new Dictionary<string, string>
        {
            ["rule"] = "error-rate",
            ["severity"] = "critical",
            ["account"] = "123456789012",
            ["region"] = "eu-west-1",
            ["function"] = $"orders-{i:00}",
        },
        status,
        Since.AddMinutes(i),
        status == AlertMessageStatus.Resolved ? Since.AddHours(1) : null,
        $"error rate 12.5% over 5 min (threshold 5%), function {i}",
        new Uri($"https://observe.example.com/functions/123456789012/eu-west-1/orders-{i:00}"));

    /// <summary>Binds and validates <c>Observe:Alerting:Channels</c> from these keys, as the host does at start.</summary>
    public static ChannelsOptions Bind(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new ChannelsOptions();
        configuration.GetSection(ChannelsOptions.SectionName).Bind(options);
        return options;
    }

    public static ValidateOptionsResult Validate(IDictionary<string, string?> settings, AwsOptions? aws = null) =>
        new ChannelOptionsValidator(Options.Create(aws ?? new AwsOptions())).Validate(null, Bind(settings));

    /// <summary>The registry over valid settings (the test fails on the validator's first complaint).</summary>
    public static ChannelRegistry Registry(IDictionary<string, string?> settings, TimeProvider time, AwsOptions? aws = null, AwsCaller? caller = null)
    {
        var result = Validate(settings, aws);
        Assert.True(result.Succeeded, result.FailureMessage);
        return new ChannelRegistry(Options.Create(Bind(settings)), Options.Create(aws ?? new AwsOptions()), time, NullLogger<ChannelRegistry>.Instance, caller);
    }
}
