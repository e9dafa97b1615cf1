using System.Globalization;
using Microsoft.AspNetCore.Components;
using Observe.Dashboard.Collection;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// Status of every collector per account and region, and AWS API usage with its estimated cost, read from the store
/// so a separate worker's figures show as well as this process's (the query is <see cref="CollectorsData"/>).
/// </summary>
public sealed partial class Collectors : LivePage<CollectorsViewModel>
{
    [Inject]
    public required CollectorsMode Mode { get; init; }

    private string FailingSummary => Model is null
        ? ""
        : string.Create(CultureInfo.InvariantCulture,
            $"{Model.Failing} of {Model.Statuses.Count} collector targets are failing:");

    private string DegradedSummary => Model is null
        ? ""
        : string.Create(CultureInfo.InvariantCulture,
            $"{Model.Degraded} of {Model.Statuses.Count} collector targets ran their last pass to the end but could not do all of it:");

    private static string AlertingStateKind(AlertingHealthState state) => state switch
    {
        AlertingHealthState.Failing => "failing",
        AlertingHealthState.Ok => "ok",
        _ => "unknown",
    };

    private static string AlertingStateWord(AlertingHealthState state) => state switch
    {
        AlertingHealthState.Failing => "Failing",
        AlertingHealthState.Ok => "OK",
        _ => "Unknown",
    };

    /// <summary>The state's colour class; the state's words carry the same meaning for those who cannot see colour.</summary>
    private static string StateKind(CollectorStatusRow row) => row switch
    {
        { Failing: true } => "failing",
        { Degraded: true } => "degraded",
        { State: "OK" } => "ok",
        _ => "unknown",
    };
}
