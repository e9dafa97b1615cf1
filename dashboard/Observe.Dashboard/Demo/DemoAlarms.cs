using System.Globalization;
using Observe.Store.Model;

namespace Observe.Dashboard.Demo;

/// <summary>
/// The demo fleet's CloudWatch alarms and their state at a moment, derived from the same minute figures the metrics
/// show: an error alarm is in ALARM while its function's error burst lasts, a throttle alarm while it throttles.
/// </summary>
internal static class DemoAlarms
{
    /// <summary>Error alarms fire above this share of invocations over one minute.</summary>
    private const double ErrorThreshold = 0.05;

    /// <summary>How far back a state change is looked for, to date the current state.</summary>
    private const int LookBackMinutes = 360;

    private static readonly DateTimeOffset NoDataSince = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<CloudWatchAlarm> Evaluate(DemoFleet fleet, DateTimeOffset now)
    {
        // Alarms judge the last whole minute, as CloudWatch does with a one-minute period.
        var lastMinute = Floor(now).AddMinutes(-1);
        var alarms = new List<CloudWatchAlarm>();
        var byTeam = new Dictionary<(string Account, string Region, string Team), bool>();
        var teamAlarms = new Dictionary<(string Account, string Region, string Team), List<string>>();

        foreach (var f in fleet.Functions)
        {
            if (f.Bursty || f.Index % 9 == 0)
            {
                // An error-rate alarm is metric math (Errors / Invocations), so CloudWatch reports no single metric name.
                var (state, since, reason) = Track(lastMinute, m => ErrorRate(fleet, f, m), percent: true, ErrorThreshold);
                alarms.Add(Alarm(f, $"{f.Key.Name}-error-rate", null, state, since, reason));
                var team = (f.Key.AccountId, f.Key.Region, f.Team);
                byTeam[team] = byTeam.GetValueOrDefault(team) || state == AlarmState.Alarm;
                (teamAlarms.TryGetValue(team, out var names) ? names : teamAlarms[team] = []).Add($"{f.Key.Name}-error-rate");
            }

            if (f.Throttles)
            {
                var (state, since, reason) = Track(lastMinute, m => fleet.Minute(f, m).Throttles, percent: false, 0);
                alarms.Add(Alarm(f, $"{f.Key.Name}-throttles", "Throttles", state, since, reason));
            }

            if (f.Kind == DemoKind.Scheduled && f.EveryMinutes >= 60 && f.Index % 4 == 0)
            {
                // A one-minute duration alarm on an hourly job has no data most of the time: INSUFFICIENT_DATA.
                alarms.Add(Alarm(f, $"{f.Key.Name}-duration", "Duration", AlarmState.InsufficientData, NoDataSince,
                    "Insufficient Data: 1 datapoint was unknown."));
            }
        }

        foreach (var ((account, region, team), firing) in byTeam.OrderBy(t => t.Key.Account, StringComparer.Ordinal)
                     .ThenBy(t => t.Key.Region, StringComparer.Ordinal).ThenBy(t => t.Key.Team, StringComparer.Ordinal))
        {
            var name = $"{team}-health";
            alarms.Add(new CloudWatchAlarm
            {
                AccountId = account,
                Region = region,
                Name = name,
                Arn = $"arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
                Kind = "composite",
                State = firing ? AlarmState.Alarm : AlarmState.Ok,
                StateReason = firing ? $"At least one {team} error alarm is in ALARM." : $"No {team} error alarm is in ALARM.",
                // Composite state changes follow their children's; the evaluation time is the honest date here.
                StateUpdated = lastMinute.AddMinutes(1),
                Rule = string.Join(" OR ", teamAlarms[(account, region, team)].Select(n => $"ALARM(\"{n}\")")),
            });
        }

        return alarms;
    }

    private static double ErrorRate(DemoFleet fleet, DemoFunction f, DateTimeOffset minute)
    {
        var m = fleet.Minute(f, minute);
        return m.Invocations > 0 ? m.Errors / m.Invocations : 0;
    }

    private static (AlarmState State, DateTimeOffset Since, string Reason) Track(
        DateTimeOffset lastMinute, Func<DateTimeOffset, double> value, bool percent, double threshold)
    {
        var current = value(lastMinute);
        var firing = current > threshold;
        var since = lastMinute.AddMinutes(-LookBackMinutes);
        for (var back = 1; back <= LookBackMinutes; back++)
        {
            var minute = lastMinute.AddMinutes(-back);
            if (value(minute) > threshold != firing)
            {
                since = minute.AddMinutes(1);
                break;
            }
        }

        var scale = percent ? 100 : 1;
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"Threshold Crossed: 1 out of the last 1 datapoints [{current * scale:0.##} ({lastMinute:dd/MM/yy HH:mm:ss})] was {(firing ? "greater than" : "not greater than")} the threshold ({threshold * scale:0.##}).");
        return (firing ? AlarmState.Alarm : AlarmState.Ok, since, reason);
    }

    private static CloudWatchAlarm Alarm(DemoFunction f, string name, string? metric, AlarmState state, DateTimeOffset since, string reason) => new()
    {
        AccountId = f.Key.AccountId,
        Region = f.Key.Region,
        Name = name,
        Arn = $"arn:aws:cloudwatch:{f.Key.Region}:{f.Key.AccountId}:alarm:{name}",
        State = state,
        StateReason = reason,
        StateUpdated = since,
        FunctionName = f.Key.Name,
        MetricName = metric,
        Namespace = metric is null ? null : "AWS/Lambda",
    };

    public static DateTimeOffset Floor(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
}
