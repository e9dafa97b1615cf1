using Microsoft.AspNetCore.Components;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// Every CloudWatch alarm across accounts and regions, ALARM first; filters and the opened alarm live in the address
/// (<see cref="AlarmsAddress"/>), so a filtered list or one alarm's history is a link to share.
/// </summary>
public sealed partial class Alarms : LivePage<AlarmsViewModel>
{
    private readonly PageAddress<AlarmsAddress> _address = new(AlarmsAddress.Parse);
    private readonly AddressedView<AlarmsViewModel, AlarmsAddress, AlarmsView> _view = new((model, address) => model.Apply(address));

    /// <summary>
    /// The alarm's ARN when its history is open. Declared for the route; the page reads it from the address with
    /// <see cref="AlarmsAddress"/>, which unescapes it the same way wherever it comes from.
    /// </summary>
    [Parameter]
    public string? Arn { get; set; }

    private AlarmsAddress Address => _address.Read(Navigation);

    private AlarmsView View => _view.Get(Model!, Address);

    private string CollectorNote => Model?.Collector.LastSuccess is { } at
        ? $" (the alarms collector's last successful pass ended {AlarmRow.FormatUtc(at)})"
        : "";

    private string EmptyText
    {
        get
        {
            var collector = Model!.Collector;
            if (collector.Targets == 0)
            {
                return "No alarms yet: the alarms collector has not run against this store. It runs with the collectors " +
                       "(in the dashboard or in the worker) for every configured account and region (Observe:Aws:Accounts).";
            }

            if (collector.Succeeded == 0)
            {
                return $"No alarms yet: the alarms collector has not completed a pass; its latest pass failed on {collector.Failing} of {collector.Targets} account and region pairs.";
            }

            var failing = collector.Failing > 0 ? $" Its latest pass failed on {collector.Failing} of them, so alarms there may be missing." : "";
            return $"No CloudWatch alarms in the {collector.Targets} account and region pairs the alarms collector reads. " +
                   $"Alarms created in CloudWatch appear here after its next pass.{failing}";
        }
    }

    /// <summary>The active filters in words, for the empty result.</summary>
    private string FilterText => string.Join(", ", Filters().Select(f => f.Description));

    private IEnumerable<(string Label, string Uri)> FilterClears => Filters().Select(f => (f.Label, f.Uri));

    private IEnumerable<(string Label, string Description, string Uri)> Filters()
    {
        var a = Address;
        if (a.States.Count > 0)
        {
            yield return ("state", "state " + string.Join(" or ", a.States.OrderBy(AlarmsViewModel.Rank).Select(AlarmRow.StateWord)),
                a.Without(AlarmsAddress.StateParameter));
        }

        if (a.Accounts.Count > 0)
        {
            yield return ("account", "account " + string.Join(" or ", a.Accounts.Order(StringComparer.Ordinal)), a.Without(AlarmsAddress.AccountParameter));
        }

        if (a.Regions.Count > 0)
        {
            yield return ("region", "region " + string.Join(" or ", a.Regions.Order(StringComparer.Ordinal)), a.Without(AlarmsAddress.RegionParameter));
        }

        if (a.Search.Length > 0)
        {
            yield return ("search", $"the search \"{a.Search}\"", a.Without(AlarmsAddress.SearchParameter));
        }
    }

    private Task SearchAsync(string? text)
    {
        Navigation.ReplaceWith(Address.WithSearch(text ?? ""));
        return Task.CompletedTask;
    }
}
