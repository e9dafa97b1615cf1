using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Observe.Alerting.Lifecycle;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>The Alerts page's query: every alert instance, the rules' names and groups, and the silences of the range.</summary>
internal sealed class AlertsData(IAlertStateStore state, IAlertLifecycleStore lifecycle, AlertRuleCatalog rules) : ILiveData<AlertsViewModel>
{
    public StoreChangeKind Changes => StoreChangeKind.Alerting;

    // The open alerts are "now"; the range picks the resolved alerts and the ended silences shown.
    public bool UsesTimeRange => true;

    // A silence ends by the clock, and a rules-file change regroups alerts, without any store write.
    public bool RefreshOnTimer => true;

    public async Task<AlertsViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var range = query.Range ?? throw new ArgumentException("the Alerts page needs a time range", nameof(query));
        var instances = await state.GetAlertInstancesAsync(null, cancellationToken);
        var names = await rules.LoadAsync(cancellationToken);
        var silences = await lifecycle.GetSilencesEndingAfterAsync(range.From, cancellationToken);
        return AlertsViewModel.Create(instances, names, silences, range, query.Now);
    }
}

/// <summary>A notification that was sent (or queued) for an alert, with what it said about the alert.</summary>
/// <param name="Record">The outbox record.</param>
/// <param name="Said">"firing" or "resolved" as the notification listed the alert; null when its payload could not be read.</param>
public sealed record AlertNotificationRow(NotificationRecord Record, string? Said)
{
    public string Created => AlertRow.FormatUtc(Record.CreatedAt);

    public string? Sent => Record.SentAt is { } at ? AlertRow.FormatUtc(at) : null;
}

/// <summary>One alert's history: the alert now (null once removed), its transitions and the notifications that listed it.</summary>
public sealed record AlertDetailViewModel(
    string RuleId,
    string LabelsKey,
    string RuleName,
    AlertRow? Alert,
    IReadOnlyList<AlertTransition> History,
    IReadOnlyList<AlertNotificationRow> Notifications,
    bool HistoryCut,
    int NotificationsRead);

/// <summary>
/// The query of one alert's history (<c>alerts/alert?rule=&amp;labels=</c>): the instance, its transitions, and the
/// notifications whose payload lists it (of the latest <see cref="NotificationLimit"/>; the page says so).
/// </summary>
internal sealed class AlertDetailData(
    IAlertStateStore state,
    IAlertLifecycleStore lifecycle,
    AlertRuleCatalog rules,
    NavigationManager navigation) : ILiveData<AlertDetailViewModel>
{
    public const int HistoryLimit = 500;
    public const int NotificationLimit = 1000;

    public StoreChangeKind Changes => StoreChangeKind.Alerting;

    public bool UsesTimeRange => false;

    public bool RefreshOnTimer => true;

    public async Task<AlertDetailViewModel> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var address = AlertsAddress.Parse(navigation.Uri, navigation.BaseUri);
        var ruleId = address.Rule ?? throw new InvalidOperationException("the address names no rule");
        var labelsKey = address.Labels ?? throw new InvalidOperationException("the address names no labels");

        var names = await rules.LoadAsync(cancellationToken);
        var instance = (await state.GetAlertInstancesAsync(null, cancellationToken))
            .FirstOrDefault(i => i.RuleId == ruleId && i.LabelsKey == labelsKey);
        AlertRow? row = null;
        if (instance is not null)
        {
            var silences = instance.Status == AlertStatus.Resolved ? [] : await state.GetSilencesAsync(query.Now, cancellationToken);
            row = new AlertRow(instance, names.Name(ruleId), names.GroupKey(ruleId, instance.Labels),
                silences.FirstOrDefault(s => SilenceMatcher.IsActive(s, query.Now) && SilenceMatcher.Matches(s, instance.Labels)), query.Now);
        }

        var history = await lifecycle.GetAlertHistoryAsync(ruleId, labelsKey, HistoryLimit, cancellationToken);
        var notifications = await state.GetNotificationsAsync(null, NotificationLimit, cancellationToken);
        var listed = new List<AlertNotificationRow>();
        foreach (var record in notifications.Where(n => n.Kind != "test"))
        {
            AlertMessageItemView? item;
            try
            {
                item = Listed(record.Payload, ruleId, labelsKey);
            }
            catch (JsonException)
            {
                // Unreadable: shown when it is this alert's group, since it may have listed it; never dropped quietly.
                if (row?.GroupKey is { } group && record.GroupKey == group)
                {
                    listed.Add(new AlertNotificationRow(record, null));
                }

                continue;
            }

            if (item is not null)
            {
                listed.Add(new AlertNotificationRow(record, item.Status));
            }
        }

        return new AlertDetailViewModel(ruleId, labelsKey, names.Name(ruleId), row, history, listed,
            history.Count == HistoryLimit, notifications.Count);
    }

    private static AlertMessageItemView? Listed(string payload, string ruleId, string labelsKey)
    {
        var message = AlertMessageJson.Deserialize(payload);
        return message.Alerts.Where(a => a.RuleId == ruleId && a.LabelsKey == labelsKey)
            .Select(a => new AlertMessageItemView(a.Status.ToString().ToLowerInvariant()))
            .FirstOrDefault();
    }

    private sealed record AlertMessageItemView(string Status);
}
