using System.Globalization;
using Microsoft.AspNetCore.Components;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// Cold starts over the range for the address's filters (<see cref="ColdStartsAddress"/>): figures, worst offenders,
/// the init-duration distribution, groups by configuration and suggestions. One instance per filter set.
/// </summary>
public sealed partial class ColdStartsView : LivePage<ColdStartsViewModel>
{
    /// <summary>The page's address. Required.</summary>
    [Parameter, EditorRequired]
    public required ColdStartsAddress Address { get; set; }

    private string EmptyText
    {
        get
        {
            var collector = Model!.Collector;
            var range = Selection?.Describe().ToLowerInvariant() ?? "range";
            if (collector.Targets == 0)
            {
                return $"No invocation reports in the {range}, and the logs collector has not run against this store: it reads the REPORT lines " +
                       "and init records in the functions' log groups. It runs with the collectors for every configured account and region (Observe:Aws:Accounts).";
            }

            if (collector.Succeeded == 0)
            {
                return $"No invocation reports yet: the logs collector has not completed a pass; its latest pass failed on {collector.Failing} of {collector.Targets} account and region pairs.";
            }

            var failing = collector.Failing > 0 ? $" Its latest pass failed on {collector.Failing} of them, so reports there may be missing." : "";
            return $"No invocation reports in the {range} in the {collector.Targets} account and region pairs the logs collector reads. Pick a longer range.{failing}";
        }
    }

    protected override void OnInitialized()
    {
        // The source is this page's own (transient): it must know the filters before the base class's first load.
        if (Data is not ColdStartsData data)
        {
            throw new InvalidOperationException($"the Cold starts page needs {nameof(ColdStartsData)} as its query");
        }

        data.Address = Address;
        base.OnInitialized();
    }

    private Task Replace(string parameter, string? text)
    {
        Navigation.ReplaceWith(Address.With(parameter, text));
        return Task.CompletedTask;
    }

    private static string Exact(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}
