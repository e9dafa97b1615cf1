using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;

namespace Observe.Collectors.LiveTail;

/// <summary>How live log viewing is served: <c>Auto</c> tries Live Tail and polls where it is not allowed.</summary>
public enum LiveTailMode
{
    Auto,

    /// <summary>Live Tail only: a refusal ends the viewers' enumeration with the error.</summary>
    LiveTail,

    /// <summary>FilterLogEvents polling only (no Live Tail charges, higher latency).</summary>
    Polling,
}

/// <summary>Live Tail sessions and their polling fallback. Bound from <c>Observe:Collectors:LiveTail</c>, validated at start.</summary>
public sealed class LiveTailOptions
{
    public const string SectionName = "Observe:Collectors:LiveTail";

    /// <summary>Default <see cref="LiveTailMode.Auto"/>.</summary>
    public LiveTailMode Mode { get; set; } = LiveTailMode.Auto;

    /// <summary>
    /// Absolute URL replacing <c>https://stream-logs.{region}.{suffix}</c> (a VPC endpoint, or a test server). Separate from
    /// <c>Observe:Aws:Endpoints:Logs</c> because AWS serves StartLiveTail from its own host.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>A session is restarted after this long; AWS ends sessions at 3 h. Default 3 h, at most 3 h.</summary>
    public TimeSpan MaxSessionDuration { get; set; } = TimeSpan.FromHours(3);

    /// <summary>AWS sends an update every second, even an empty one: silence this long means the stream is dead. Default 30 s.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Batches buffered per viewer before its oldest are dropped (AWS itself buffers 10 updates). Default 10.</summary>
    public int ViewerBufferBatches { get; set; } = 10;

    /// <summary>Live Tail sessions Observe opens at once per account; AWS's quota is 15. Beyond it, Auto polls. Default 15.</summary>
    public int MaxSessionsPerAccount { get; set; } = 15;

    /// <summary>Wait before the second reconnect in a row, doubled each time up to <see cref="ReconnectMaxDelay"/>; the first is immediate. Default 1 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Default 30 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed starts in a row (no session started in between) after which the viewers get the error. Default 5.</summary>
    public int MaxConsecutiveFailures { get; set; } = 5;

    /// <summary>Polling fallback: time between FilterLogEvents passes. Default 5 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Polling fallback: each pass re-reads this far back for events ingested late (duplicates are dropped by event id). Default 2 min.</summary>
    public TimeSpan PollOverlap { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Polling fallback: new events per pass at most; beyond it the batch is marked sampled. Default 5,000.</summary>
    public int PollMaxEvents { get; set; } = 5000;
}

internal sealed class LiveTailOptionsValidator : IValidateOptions<LiveTailOptions>
{
    public ValidateOptionsResult Validate(string? name, LiveTailOptions o)
    {
        const string s = LiveTailOptions.SectionName;
        var errors = new List<string>();
        if (!Enum.IsDefined(o.Mode))
        {
            errors.Add($"{s}:Mode must be Auto, LiveTail or Polling");
        }

        if (o.Endpoint is not null && !(Uri.TryCreate(o.Endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            errors.Add($"{s}:Endpoint must be an absolute http(s) URL, not '{o.Endpoint}'");
        }

        Range(errors, "MaxSessionDuration", o.MaxSessionDuration, TimeSpan.FromSeconds(1), TimeSpan.FromHours(3));
        Range(errors, "IdleTimeout", o.IdleTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Range(errors, "ReconnectDelay", o.ReconnectDelay, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        Range(errors, "ReconnectMaxDelay", o.ReconnectMaxDelay, o.ReconnectDelay, TimeSpan.FromHours(1));
        Range(errors, "PollInterval", o.PollInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        Range(errors, "PollOverlap", o.PollOverlap, TimeSpan.Zero, TimeSpan.FromDays(1));
        if (o.ViewerBufferBatches is < 1 or > 10_000)
        {
            errors.Add($"{s}:ViewerBufferBatches must be 1 to 10000, not {o.ViewerBufferBatches}");
        }

        if (o.MaxSessionsPerAccount is < 0 or > 1000)
        {
            errors.Add($"{s}:MaxSessionsPerAccount must be 0 to 1000, not {o.MaxSessionsPerAccount}");
        }

        if (o.MaxConsecutiveFailures < 1)
        {
            errors.Add($"{s}:MaxConsecutiveFailures must be at least 1, not {o.MaxConsecutiveFailures}");
        }

        if (o.PollMaxEvents is < 1 or > 1_000_000)
        {
            errors.Add($"{s}:PollMaxEvents must be 1 to 1000000, not {o.PollMaxEvents}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Range(List<string> list, string key, TimeSpan value, TimeSpan min, TimeSpan max)
        {
            if (value < min || value > max)
            {
                list.Add($"{s}:{key} must be between {min} and {max}, not {value}");
            }
        }
    }
}

/// <summary>Log group names and ARNs: Live Tail takes ARNs, FilterLogEvents and viewers want names.</summary>
internal static class LogGroupArn
{
    private const string Marker = ":log-group:";

    public static string ToArn(string group, string accountId, string region) =>
        group.StartsWith("arn:", StringComparison.Ordinal)
            ? (group.EndsWith(":*", StringComparison.Ordinal) ? group[..^2] : group)
            : $"arn:{Partition(region)}:logs:{region}:{accountId}{Marker}{group}";

    public static string ToName(string group)
    {
        if (!group.StartsWith("arn:", StringComparison.Ordinal))
        {
            return group;
        }

        var at = group.IndexOf(Marker, StringComparison.Ordinal);
        var name = at < 0 ? group : group[(at + Marker.Length)..];
        return name.EndsWith(":*", StringComparison.Ordinal) ? name[..^2] : name;
    }

    // The partitions AWS has outside the commercial one, by their region name prefixes.
    private static string Partition(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
        : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
        : region.StartsWith("us-isob-", StringComparison.Ordinal) ? "aws-iso-b"
        : region.StartsWith("us-iso-", StringComparison.Ordinal) ? "aws-iso"
        : region.StartsWith("eusc-", StringComparison.Ordinal) ? "aws-eusc"
        : "aws";

    /// <summary>A check of AwsOptionsValidator's region rule, reused so Live Tail accepts exactly what the AWS layer does.</summary>
    public static bool IsRegion(string region) => AwsOptionsValidator.IsRegionName(region);
}
