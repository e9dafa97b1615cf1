using System.Text.Json;

namespace Observe.Alerting;

/// <summary>
/// What the replica holding the alerting lease recorded at its last evaluation cycle, for the Collectors page: kept in
/// the store under <see cref="CheckpointKey"/> (one document, rewritten every cycle), so every dashboard shows it
/// whichever process evaluates.
/// </summary>
public sealed class AlertingHealth
{
    /// <summary>The checkpoint key the document is stored under.</summary>
    public const string CheckpointKey = "alerting/health";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The process that held the lease (host/pid/random), as the lease and the collectors' rows name it.</summary>
    public required string Holder { get; init; }

    /// <summary>When the cycle started, on the holder's clock.</summary>
    public required DateTimeOffset EvaluatedAt { get; init; }

    /// <summary>How long the cycle took, evaluation to commit.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The holder's <c>Observe:Alerting:EvaluationInterval</c>, to tell a stale record from a recent one.</summary>
    public TimeSpan EvaluationInterval { get; init; }

    /// <summary>The holder's <c>Observe:Alerting:LeaseDuration</c>: how long a take-over may take after the holder dies.</summary>
    public TimeSpan LeaseDuration { get; init; }

    /// <summary>Why the cycle failed (nothing was committed), or null when it did not.</summary>
    public string? Error { get; init; }

    /// <summary>The store refused the cycle's commit: the holder had lost the lease to another replica.</summary>
    public bool Fenced { get; init; }

    /// <summary>The last cycle that committed, this one or an earlier one; null when none is known.</summary>
    public DateTimeOffset? LastSuccessAt { get; init; }

    /// <summary>Rules in force (stored and from the rules file, enabled or not).</summary>
    public int Rules { get; init; }

    /// <summary>Rules that could not be used, and planning problems, each naming the rule and the field.</summary>
    public IReadOnlyList<string> RuleProblems { get; init; } = [];

    /// <summary>Label sets the rules evaluated; null when the cycle failed before evaluating (unknown, not zero).</summary>
    public int? Instances { get; init; }

    /// <summary>Of those, how many had a figure that could not be read; null when unknown.</summary>
    public int? UnknownFigures { get; init; }

    /// <summary>Every configured channel's queue and failures; null when they could not be read.</summary>
    public IReadOnlyList<AlertingChannelHealth>? Channels { get; init; }

    /// <summary>The document as stored.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a stored document; null when there is none.</summary>
    /// <exception cref="JsonException">The document is not one this version can read.</exception>
    public static AlertingHealth? FromJson(string? json) =>
        string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize<AlertingHealth>(json, Json);
}

/// <summary>One channel's outbox at the end of a cycle.</summary>
public sealed class AlertingChannelHealth
{
    public required string Id { get; init; }

    /// <summary>Notifications waiting or in flight.</summary>
    public int Queued { get; init; }

    /// <summary>When the oldest of them was queued.</summary>
    public DateTimeOffset? OldestQueuedAt { get; init; }

    /// <summary>Attempts the oldest has had: more than zero while it waits, the channel is failing.</summary>
    public int HeadAttempts { get; init; }

    /// <summary>The error of the oldest queued notification's last attempt.</summary>
    public string? HeadError { get; init; }

    /// <summary>Notifications given up or refused for good in the last day.</summary>
    public int FailedLastDay { get; init; }

    /// <summary>The newest of those failures' error.</summary>
    public string? LastFailure { get; init; }
}
