using Microsoft.AspNetCore.Components;
using Observe.Dashboard.Actions;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// What is firing and pending now, the silences and the alerts resolved in the range; filters live in the address
/// (<see cref="AlertsAddress"/>), so a notification's <c>?group=</c> link and a filtered list are links to share.
/// </summary>
public sealed partial class Alerts : LivePage<AlertsViewModel>
{
    private readonly PageAddress<AlertsAddress> _address = new(AlertsAddress.Parse);
    private readonly AddressedView<AlertsViewModel, AlertsAddress, AlertsView> _view = new((model, address) => model.Apply(address));
    private AlertsSilences? _silences;
    private string? _message;
    private bool _messageIsError;
    private bool _busy;

    [Inject]
    public required AlertActions Actions { get; init; }

    private AlertsAddress Address => _address.Read(Navigation);

    private AlertsView View => _view.Get(Model!, Address);

    private IEnumerable<(Figure Figure, string State)> Figures
    {
        get
        {
            var model = Model!;
            yield return (Count("firing", "Firing", model.Firing, "open alerts whose condition held for the rule's pending period"), "firing");
            yield return (Count("pending", "Pending", model.Pending, "open alerts waiting out the rule's pending period"), "pending");
            yield return (Count("acknowledged", "Acknowledged", model.Acknowledged, "open alerts someone acknowledged: no repeats"), "acknowledged");
            yield return (Count("silenced", "Silenced", model.Silenced, "open alerts an active silence covers: not notified"), "silenced");
        }
    }

    private static Figure Count(string id, string label, int value, string note) =>
        new(id, label, value, value.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{value} {note}");

    private async Task AcknowledgeAsync(AlertRow row)
    {
        _busy = true;
        try
        {
            var acknowledged = await Actions.AcknowledgeAsync(row.Instance.RuleId, row.Instance.LabelsKey, CancellationToken.None);
            (_message, _messageIsError) = acknowledged is null
                ? ($"\"{row.RuleName}\" is no longer open (it resolved meanwhile), so there is nothing to acknowledge.", true)
                : ($"\"{row.RuleName}\" acknowledged by {acknowledged.AcknowledgedBy}: its repeat notifications stop; it still resolves on its own.", false);
        }
        catch (DashboardActionException denied)
        {
            (_message, _messageIsError) = (denied.Message, true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LoggerFactory.CreateLogger<Alerts>().LogError(e, "Acknowledging alert {RuleId} {LabelsKey} failed", row.Instance.RuleId, row.Instance.LabelsKey);
            (_message, _messageIsError) = ("The acknowledgement could not be stored: the store did not answer. Try again; the dashboard's log has the cause.", true);
        }
        finally
        {
            _busy = false;
        }
    }

    private void SilenceLike(AlertRow row) => _silences?.Prefill(AlertActions.MatchersFor(row.Instance.Labels));

    private Task SearchAsync(string? text)
    {
        Navigation.ReplaceWith(Address.WithSearch(text ?? ""));
        return Task.CompletedTask;
    }
}
