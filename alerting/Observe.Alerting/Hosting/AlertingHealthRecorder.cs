using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Alerting.Channels;
using Observe.Alerting.Lifecycle;
using Observe.Collectors.Collection;
using Observe.Store;

namespace Observe.Alerting.Hosting;

/// <summary>What one cycle found, before the outbox is read.</summary>
internal sealed record CycleFigures(DateTimeOffset At, TimeSpan Duration, int Rules, IReadOnlyList<string> Problems, int? Instances, int? Unknown, string? Error, bool Fenced);

/// <summary>
/// Writes <see cref="AlertingHealth"/> after each cycle, with every configured channel's queue read from the outbox.
/// Failing to write it is logged and never stops alerting.
/// </summary>
internal sealed partial class AlertingHealthRecorder(
    ICheckpointStore checkpoints,
    IAlertStateStore states,
    ChannelRegistry channels,
    IOptions<AlertingOptions> options,
    CollectorsInstance instance,
    ILogger<AlertingHealthRecorder> logger)
{
    /// <summary>More than this many queued or failed notifications are counted as this many (one read per cycle).</summary>
    internal const int ReadLimit = 10_000;

    private DateTimeOffset? _lastSuccess;

    public async Task RecordAsync(CycleFigures cycle, CancellationToken cancellationToken)
    {
        try
        {
            var committed = cycle.Error is null && !cycle.Fenced;
            if (committed)
            {
                _lastSuccess = cycle.At;
            }
            else if (_lastSuccess is null)
            {
                // A new holder whose first cycle failed: the last success is the previous holder's.
                var previous = await ReadPreviousAsync(cancellationToken);
                _lastSuccess = previous?.LastSuccessAt;
            }

            var settings = options.Value;
            var health = new AlertingHealth
            {
                Holder = instance.Id,
                EvaluatedAt = cycle.At,
                Duration = cycle.Duration,
                EvaluationInterval = settings.EvaluationInterval,
                LeaseDuration = settings.LeaseDuration,
                Error = cycle.Error,
                Fenced = cycle.Fenced,
                LastSuccessAt = _lastSuccess,
                Rules = cycle.Rules,
                RuleProblems = cycle.Problems,
                Instances = cycle.Instances,
                UnknownFigures = cycle.Unknown,
                Channels = await ReadChannelsAsync(cycle.At, cancellationToken),
            };
            await checkpoints.SetCheckpointAsync(AlertingHealth.CheckpointKey, health.ToJson(), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRecordFailed(e);
        }
    }

    private async Task<AlertingHealth?> ReadPreviousAsync(CancellationToken cancellationToken)
    {
        try
        {
            return AlertingHealth.FromJson(await checkpoints.GetCheckpointAsync(AlertingHealth.CheckpointKey, cancellationToken));
        }
        catch (System.Text.Json.JsonException)
        {
            // Written by another version: rewritten below.
            return null;
        }
    }

    private async Task<IReadOnlyList<AlertingChannelHealth>?> ReadChannelsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var queued = (await states.GetNotificationsAsync("pending", ReadLimit, cancellationToken))
                .Concat(await states.GetNotificationsAsync("sending", ReadLimit, cancellationToken))
                .ToLookup(n => n.ChannelId, StringComparer.Ordinal);
            var failed = (await states.GetNotificationsAsync("failed", ReadLimit, cancellationToken))
                .Where(n => n.CreatedAt >= now.AddDays(-1))
                .ToLookup(n => n.ChannelId, StringComparer.Ordinal);
            var ids = channels.Channels.Select(c => c.Id).Concat(queued.Select(g => g.Key)).Concat(failed.Select(g => g.Key)).Distinct(StringComparer.Ordinal);
            return [.. ids.Order(StringComparer.Ordinal).Select(id =>
            {
                var head = queued[id].OrderBy(n => n.CreatedAt).ThenBy(n => n.Id, StringComparer.Ordinal).FirstOrDefault();
                var newestFailure = failed[id].MaxBy(n => n.CreatedAt);
                return new AlertingChannelHealth
                {
                    Id = id,
                    Queued = queued[id].Count(),
                    OldestQueuedAt = head?.CreatedAt,
                    HeadAttempts = head?.Attempts ?? 0,
                    HeadError = head?.LastError,
                    FailedLastDay = failed[id].Count(),
                    LastFailure = newestFailure?.LastError,
                };
            })];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Unknown, not empty: the page says the queues could not be read.
            LogRecordFailed(e);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerting: could not record the cycle's health for the Collectors page")]
    private partial void LogRecordFailed(Exception exception);
}
