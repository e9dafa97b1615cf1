using Microsoft.AspNetCore.Components;
using Observe.Dashboard.Actions;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// The configured notification channels at <c>/alerts/channels</c>, each with its queue and a test send, and the
/// delivery log (every attempt, newest first), filtered by channel and outcome from the address.
/// </summary>
public sealed partial class AlertChannels : LivePage<AlertChannelsViewModel>
{
    private readonly Dictionary<string, string> _tests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _testErrors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sending = new(StringComparer.Ordinal);
    private ILogger? _log;

    /// <summary>The channel the log is filtered to (<c>?channel=</c>); all when absent.</summary>
    [SupplyParameterFromQuery(Name = "channel")]
    public string? Channel { get; set; }

    /// <summary>The outcome the log is filtered to (<c>?outcome=</c>, a key of <see cref="AlertChannelsViewModel.OutcomeFilters"/>).</summary>
    [SupplyParameterFromQuery(Name = "outcome")]
    public string? Outcome { get; set; }

    [Inject]
    public required AlertingActions Actions { get; init; }

    protected override void OnInitialized()
    {
        _log = LoggerFactory.CreateLogger<AlertChannels>();
        base.OnInitialized();
    }

    private IReadOnlyList<DeliveryLogRow> Rows => [.. Model!.Filter(Channel, Outcome)];

    /// <summary>The configured channels, then any other the log names (a channel removed from the configuration).</summary>
    private IEnumerable<string> LogChannels =>
        Model!.Channels.Select(c => c.Channel.Id).Concat(Model.Log.Select(r => r.Attempt.ChannelId)).Distinct(StringComparer.Ordinal);

    private string FilterWords
    {
        get
        {
            var outcome = AlertChannelsViewModel.OutcomeFilters.FirstOrDefault(f => f.Key == Outcome).Label;
            return (Channel, outcome) switch
            {
                (null, null) => "the filters",
                (not null, null) => $"channel '{Channel}'",
                (null, not null) => $"outcome '{outcome}'",
                _ => $"channel '{Channel}' and outcome '{outcome}'",
            };
        }
    }

    private string FilterUri(string? channel, string? outcome) =>
        Navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["channel"] = channel, ["outcome"] = outcome });

    private static string OutcomeClass(DeliveryLogOutcome outcome) => outcome switch
    {
        DeliveryLogOutcome.Delivered => "state-ok",
        DeliveryLogOutcome.RetryScheduled or DeliveryLogOutcome.MayHaveBeenDelivered => "state-degraded",
        DeliveryLogOutcome.Failed => "state-failing",
        _ => "state-unknown",
    };

    /// <summary>What the channel's latest test send came to, once there is one.</summary>
    private (string Kind, string Text)? TestResult(string channelId)
    {
        if (_testErrors.TryGetValue(channelId, out var error))
        {
            return ("error", error);
        }

        if (!_tests.TryGetValue(channelId, out var id))
        {
            return null;
        }

        if (Model?.LatestOf(id) is not { } row)
        {
            return ("queued", "Test queued; waiting for the sender…");
        }

        var status = row.Attempt.StatusCode is { } code ? $" ({code})" : "";
        return row.Outcome switch
        {
            DeliveryLogOutcome.Delivered => ("delivered", $"Test delivered{status} in {row.DurationText}."),
            DeliveryLogOutcome.InFlight => ("sending", "Test being sent…"),
            DeliveryLogOutcome.RetryScheduled => ("retry", $"Test failed{status}: {row.Attempt.Error}; retry scheduled."),
            DeliveryLogOutcome.Failed => ("failed", $"Test failed{status}: {row.Attempt.Error}"),
            _ => ("unknown", "Test cut off: it may have been delivered."),
        };
    }

    private async Task TestSendAsync(string channelId)
    {
        _sending.Add(channelId);
        _testErrors.Remove(channelId);
        try
        {
            // The attempt shows once the sender logs it: the store announces it and the page reloads.
            _tests[channelId] = await Actions.TestSendAsync(channelId, CancellationToken.None);
        }
        catch (DashboardActionException denied)
        {
            _testErrors[channelId] = denied.Message;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log?.LogError(ex, "Could not queue a test notification for channel {ChannelId}", channelId);
            _testErrors[channelId] = "The test was not queued: the store did not answer. Try again; if this lasts, check the Observe:Store settings and the dashboard's log.";
        }
        finally
        {
            _sending.Remove(channelId);
        }
    }
}
