using System.Text.Json;
using System.Text.Json.Serialization;
using Observe.Store.Model;

namespace Observe.Collectors.LogCollection;

/// <summary>
/// How far the logs collector got in one log group, stored as JSON under
/// <c>logs/{account}/{region}/{log group}</c>. A pass reads <c>[Position - Overlap, end]</c> and skips the events in
/// <see cref="Seen"/>: FilterLogEvents' startTime is inclusive and events become searchable late, so the overlap is
/// read again and de-duplicated by event id.
/// </summary>
internal sealed record LogGroupCheckpoint
{
    /// <summary>The end of the last completed read, epoch milliseconds.</summary>
    public long Position { get; init; }

    /// <summary>
    /// Ids of the events inside the next pass's overlap that were already counted as errors or as skipped lines.
    /// REPORT lines need no id: the store ignores a report whose request id it has, and cold starts are recounted
    /// from the stored reports.
    /// </summary>
    public List<string> Seen { get; init; } = [];

    /// <summary>Lines skipped as malformed in this group since the collector began, each counted once.</summary>
    public long Skipped { get; init; }

    /// <summary>
    /// The errors of the pass that moved <see cref="Position"/>, written here before they go to the store and cleared
    /// after. The store keeps error occurrences per pass window, so a pass that stopped between the two writes replays
    /// exactly these (same windows, same counts) instead of re-reading events that may meanwhile have changed.
    /// </summary>
    public List<PendingErrors>? Pending { get; init; }

    public static LogGroupCheckpoint? Parse(string key, string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            // The generated deserializer leaves an absent list null rather than at its initial value.
            return JsonSerializer.Deserialize(json, LogCheckpointJson.Default.LogGroupCheckpoint) is { } checkpoint
                ? checkpoint with { Seen = checkpoint.Seen ?? [] }
                : null;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"checkpoint {key} is not a logs checkpoint: {e.Message}", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, LogCheckpointJson.Default.LogGroupCheckpoint);
}

/// <summary>One error group's occurrences in a pass, as <see cref="ErrorOccurrences"/> minus the function.</summary>
internal sealed record PendingErrors(
    string Fingerprint,
    string ErrorType,
    string Message,
    long FirstSeen,
    long LastSeen,
    long Count,
    string? StackTrace,
    string? RequestId,
    string? TraceId)
{
    public static PendingErrors From(ErrorOccurrences o) =>
        new(o.Fingerprint, o.ErrorType, o.Message, o.FirstSeen.ToUnixTimeMilliseconds(), o.LastSeen.ToUnixTimeMilliseconds(), o.Count, o.SampleStackTrace, o.SampleRequestId, o.SampleTraceId);

    public ErrorOccurrences ToOccurrences(FunctionKey function) =>
        new(function, Fingerprint, ErrorType, Message, DateTimeOffset.FromUnixTimeMilliseconds(FirstSeen), DateTimeOffset.FromUnixTimeMilliseconds(LastSeen), Count, StackTrace, RequestId, TraceId);
}

/// <summary>
/// The collector's last decision for one account and region, stored under <c>logs/{account}/{region}</c> so the
/// dashboard (and a newcomer reading the store) can see which way the logs are read and why.
/// </summary>
internal sealed record LogsCollectionStatus
{
    public LogsReadMode Mode { get; init; }

    /// <summary>Why this mode: the option that forced it, or the cost model's figures.</summary>
    public string Reason { get; init; } = "";

    public int LogGroups { get; init; }

    /// <summary>Calls a pass would take with FilterLogEvents, by the cost model.</summary>
    public double FilterLogEventsCalls { get; init; }

    /// <summary>Calls a pass would take with Logs Insights, by the cost model.</summary>
    public double InsightsCalls { get; init; }

    /// <summary>Events a log group yielded per pass, as last measured (a moving average), or the configured guess.</summary>
    public double EventsPerGroup { get; init; }

    public DateTimeOffset At { get; init; }

    /// <summary>What the last pass read: events returned (overlap re-reads included), reports, errors and lines it skipped as unreadable.</summary>
    public LogsPassCounts? LastPass { get; init; }

    internal static LogsCollectionStatus? Parse(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize(json, LogCheckpointJson.Default.LogsCollectionStatus);

    internal string ToJson() => JsonSerializer.Serialize(this, LogCheckpointJson.Default.LogsCollectionStatus);
}

/// <summary>Counts of one pass over an account and region.</summary>
internal sealed record LogsPassCounts(long Events, long Reports, long Errors, long Skipped, int FailedGroups);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(LogGroupCheckpoint))]
[JsonSerializable(typeof(LogsCollectionStatus))]
internal sealed partial class LogCheckpointJson : JsonSerializerContext;
