using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Observe.Alerting.Lifecycle;

/// <summary>
/// How alerts are grouped into notifications and how long their state is kept. Bound from <c>Observe:Alerting</c>;
/// the grouping defaults are Alertmanager's, so people moving from it see the same rhythm.
/// </summary>
internal sealed class AlertingOptions
{
    public const string SectionName = "Observe:Alerting";

    /// <summary>Evaluates rules and sends notifications at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the rules are evaluated. Default 1 min: the metrics collector's watched interval.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long the replica that evaluates and sends holds the store's lease without renewing it (renewed every third
    /// of it): the longest pause in alerting when that replica dies. Default 30 s.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the first notification of a new group waits after its first alert fired, so a burst (a deploy breaking
    /// twenty functions) goes out as one message. Default 30 s.
    /// </summary>
    public TimeSpan GroupWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The least time between two notifications of a group whose alerts changed. Default 5 min.</summary>
    public TimeSpan GroupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>After how long an unchanged firing group is notified again (acknowledged alerts excepted). Default 4 h.</summary>
    public TimeSpan RepeatInterval { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// How long the figure of a firing alert may stay unreadable before a separate "no data" alert fires for it.
    /// Default 15 min: three metric collection passes at their default interval, well past one failed pass.
    /// </summary>
    public TimeSpan NoDataPeriod { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a resolved alert instance stays (on the Alerts page, for its resolve notification) before it is
    /// deleted; its history stays in the transitions. Default 1 day.
    /// </summary>
    public TimeSpan ResolvedRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The dashboard's address as recipients reach it (<c>https://observe.example.com/</c>), for the links in messages.
    /// Unset, messages carry no links.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }
}

/// <summary>Validates <see cref="AlertingOptions"/> at start, naming each bad setting by its path.</summary>
internal sealed class AlertingOptionsValidator : IValidateOptions<AlertingOptions>
{
    private static readonly TimeSpan MaxGroupWait = TimeSpan.FromHours(1);
    private static readonly TimeSpan MinGroupInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinNoDataPeriod = TimeSpan.FromMinutes(1);

    public ValidateOptionsResult Validate(string? name, AlertingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = AlertingOptions.SectionName;
        var failures = new List<string>();
        if (options.GroupWait < TimeSpan.Zero || options.GroupWait > MaxGroupWait)
        {
            failures.Add($"{S}:GroupWait '{options.GroupWait}' must be between 00:00:00 and {MaxGroupWait}");
        }

        if (options.EvaluationInterval < TimeSpan.FromSeconds(1) || options.EvaluationInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"{S}:EvaluationInterval '{options.EvaluationInterval}' must be between 00:00:01 and 01:00:00");
        }

        if (options.LeaseDuration < TimeSpan.FromSeconds(3))
        {
            failures.Add($"{S}:LeaseDuration '{options.LeaseDuration}' must be at least 00:00:03");
        }

        if (options.GroupInterval < MinGroupInterval)
        {
            failures.Add($"{S}:GroupInterval '{options.GroupInterval}' must be at least {MinGroupInterval}");
        }

        if (options.RepeatInterval < options.GroupInterval)
        {
            failures.Add($"{S}:RepeatInterval '{options.RepeatInterval}' must be at least GroupInterval '{options.GroupInterval}'");
        }

        if (options.NoDataPeriod < MinNoDataPeriod)
        {
            failures.Add($"{S}:NoDataPeriod '{options.NoDataPeriod}' must be at least {MinNoDataPeriod}");
        }

        // A resolved instance must outlive the wait before its resolve can be notified, so the message still has it.
        if (options.ResolvedRetention < options.GroupInterval)
        {
            failures.Add($"{S}:ResolvedRetention '{options.ResolvedRetention}' must be at least GroupInterval '{options.GroupInterval}'");
        }

        if (options.PublicBaseUrl is { } url
            && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
                || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment)))
        {
            failures.Add($"{S}:PublicBaseUrl '{url}' must be an absolute http or https address without query or fragment");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal static class AlertingOptionsServiceCollectionExtensions
{
    /// <summary>Binds <see cref="AlertingOptions"/> from <c>Observe:Alerting</c> and validates them when the host starts.</summary>
    public static IServiceCollection AddAlertingOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AlertingOptions>().Bind(configuration.GetSection(AlertingOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlertingOptions>, AlertingOptionsValidator>();
        return services;
    }
}
