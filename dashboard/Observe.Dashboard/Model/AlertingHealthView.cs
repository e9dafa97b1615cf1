using System.Globalization;
using Observe.Alerting;

namespace Observe.Dashboard.Model;

/// <summary>The Alerting section's colour: failing is red with what to do; unknown is grey, never shown as OK.</summary>
public enum AlertingHealthState
{
    Unknown,
    Ok,
    Failing,
}

/// <summary>One channel's line: its queue, its failures and, when failing, what to do.</summary>
public sealed record AlertingChannelRow(string Id, AlertingHealthState State, int Queued, string OldestQueued, int FailedLastDay, string? Problem);

/// <summary>
/// The Collectors page's Alerting section, from the <see cref="AlertingHealth"/> the lease holder recorded at its last
/// cycle: who evaluates, when and how long, the rules and their problems, the figures it could not read, and every
/// channel's queue. Each problem is a sentence that says what to do.
/// </summary>
public sealed record AlertingHealthView(AlertingHealthState State, string Summary)
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public IReadOnlyList<string> Problems { get; init; } = [];

    public IReadOnlyList<AlertingChannelRow> Channels { get; init; } = [];

    /// <summary>The channels' queues could not be read at the last cycle.</summary>
    public bool ChannelsUnknown { get; init; }

    public string? Holder { get; init; }

    public string? LastEvaluation { get; init; }

    public string? LastEvaluationExact { get; init; }

    public string? Duration { get; init; }

    public int? Rules { get; init; }

    /// <summary>Label sets evaluated and, of those, figures that could not be read; null when unknown.</summary>
    public int? Instances { get; init; }

    public int? UnknownFigures { get; init; }

    /// <param name="health">The stored document; null when none was recorded.</param>
    /// <param name="readError">Why the document could not be read, when it could not.</param>
    /// <param name="now">The current time.</param>
    public static AlertingHealthView Create(AlertingHealth? health, string? readError, DateTimeOffset now)
    {
        if (readError is not null)
        {
            return new AlertingHealthView(AlertingHealthState.Unknown, $"Alerting's health could not be read: {readError}.");
        }

        if (health is null)
        {
            return new AlertingHealthView(AlertingHealthState.Unknown,
                "No alerting cycle has been recorded in this store: no dashboard or worker with alerting enabled (Observe:Alerting:Enabled) has held the alerting lease yet.");
        }

        var problems = new List<string>();
        var age = now - health.EvaluatedAt;
        if (age > (2 * health.EvaluationInterval) + health.LeaseDuration)
        {
            problems.Add($"No replica has evaluated the rules for {CollectorsFormat.Ago(age).Replace(" ago", "", StringComparison.Ordinal)}, so no alert is evaluated or sent: " +
                "run a dashboard or worker with alerting enabled and check in its log that it reaches the store.");
        }

        if (health.Error is not null)
        {
            problems.Add($"The last evaluation failed: {health.Error}. Alerts keep their state and nothing new is sent until a cycle succeeds; the log of {health.Holder} says more.");
        }

        if (health.Fenced)
        {
            problems.Add($"The store refused the last cycle's commit because {health.Holder} had lost the lease to another replica; if this repeats, check the replicas' clocks against Observe:Alerting:LeaseDuration.");
        }

        foreach (var problem in health.RuleProblems)
        {
            problems.Add($"{problem}. Fix it in the rules file or on the Rules page; the other rules keep working.");
        }

        var channels = new List<AlertingChannelRow>();
        foreach (var channel in health.Channels ?? [])
        {
            string? problem = null;
            var oldest = channel.OldestQueuedAt is { } queuedAt ? CollectorsFormat.Ago(health.EvaluatedAt - queuedAt).Replace(" ago", "", StringComparison.Ordinal) + " before the last cycle" : "";
            if (channel.HeadAttempts > 0 && channel.HeadError is not null)
            {
                problem = string.Create(Culture,
                    $"Channel {channel.Id} is failing ({channel.HeadError}); {channel.Queued} notifications wait, retried with backoff: check the receiver's address and credentials and that it answers. The queue goes out in order when it does.");
            }
            else if (channel.FailedLastDay > 0)
            {
                problem = string.Create(Culture,
                    $"Channel {channel.Id}: {channel.FailedLastDay} notifications failed for good in the last day ({channel.LastFailure}) and will not be retried; see the delivery log.");
            }

            if (problem is not null)
            {
                problems.Add(problem);
            }

            channels.Add(new AlertingChannelRow(channel.Id, problem is null ? AlertingHealthState.Ok : AlertingHealthState.Failing, channel.Queued, oldest, channel.FailedLastDay, problem));
        }

        var state = problems.Count > 0
            ? AlertingHealthState.Failing
            : health.Instances is null || health.Channels is null ? AlertingHealthState.Unknown : AlertingHealthState.Ok;
        var summary = state switch
        {
            AlertingHealthState.Failing => problems.Count == 1 ? "Alerting has a problem:" : $"Alerting has {problems.Count} problems:",
            AlertingHealthState.Unknown => "The last cycle did not say everything: the figures it could not read are shown as unknown.",
            _ => "Evaluating on time; every channel is delivering.",
        };
        return new AlertingHealthView(state, summary)
        {
            Problems = problems,
            Channels = channels,
            ChannelsUnknown = health.Channels is null,
            Holder = health.Holder,
            LastEvaluation = CollectorsFormat.Ago(age),
            LastEvaluationExact = health.EvaluatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Culture),
            Duration = CollectorsFormat.Duration(health.Duration),
            Rules = health.Rules,
            Instances = health.Instances,
            UnknownFigures = health.UnknownFigures,
        };
    }
}
