using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Observe.Alerting.Hosting;
using Observe.Alerting.Rules;
using Observe.Alerting.Tests.Channels;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Alerting.Tests.Hosting;

/// <summary>
/// One channel down for ten simulated minutes while alerts fire and resolve: the host runs on a stepped clock (every
/// loop parked on a timer before the clock moves to the earliest one), sending to real loopback receivers.
/// </summary>
public sealed class AlertingOutageTests : IAsyncLifetime
{
    private const string Account = "111111111111";
    private const string Region = "eu-west-1";
    private const string Secret = "0123456789abcdef0123456789abcdef-outage";

    /// <summary>The loops parked on a timer when nothing is in progress: the host, the two channels, the unknown-channel sweep.</summary>
    private const int ParkedLoops = 4;

    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Outage = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RetryInitial = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryCap = TimeSpan.FromMinutes(2);

    private readonly string _directory = Directory.CreateTempSubdirectory("observe-alerting-outage-").FullName;
    private readonly SteppedTime _time = new(T0);
    private IHost? _host;

    [Fact]
    public async Task ChannelDownTenMinutes_OtherDeliversOnTime_DownGetsEverythingInOrderOnRecovery_EveryFailureLogged()
    {
        await using var down = new LocalReceiver { DefaultStatus = 500 };
        await using var up = new LocalReceiver();
        var store = await StartAsync(down, up);
        await store.UpsertAlertRuleAsync(AlertRuleSource.ToStored(Rule(), "test", T0), default);

        // What happens when, on the simulated clock: three collectors fail in turn, the first recovers, the channel returns.
        var script = new SortedList<DateTimeOffset, Func<Task>>
        {
            [T0] = () => Fail(store, "inventory"),
            [T0.AddMinutes(3)] = () => Fail(store, "metrics"),
            [T0.AddMinutes(6)] = () => Fail(store, "logs"),
            [T0.AddMinutes(8)] = () => Recover(store, "inventory"),
            [T0 + Outage] = () =>
            {
                down.DefaultStatus = 200;
                return Task.CompletedTask;
            },
        };
        var end = T0 + Outage + RetryCap + TimeSpan.FromMinutes(2);
        await _host!.StartAsync();
        while (true)
        {
            await ParkedAsync(store);
            var now = _time.GetUtcNow();
            while (script.Count > 0 && script.Keys[0] <= now)
            {
                await script.Values[0]();
                script.RemoveAt(0);
            }

            var next = new[] { _time.NextDue, script.Count > 0 ? script.Keys[0] : null }.Where(d => d is not null).Min()!.Value;
            if (next > end)
            {
                break;
            }

            _time.AdvanceTo(next);
        }

        var notifications = (await store.GetNotificationsAsync(null, 100, default)).OrderBy(n => n.CreatedAt).ThenBy(n => n.Id, StringComparer.Ordinal).ToList();
        var toUp = notifications.Where(n => n.ChannelId == "up").ToList();
        var toDown = notifications.Where(n => n.ChannelId == "down").ToList();

        // Three firings and a resolve for each channel, the same plan for both.
        Assert.Equal(["firing", "firing", "firing", "resolved"], toDown.Select(n => n.Kind));
        Assert.Equal(toDown.Select(n => (n.GroupKey, n.Kind, n.CreatedAt)), toUp.Select(n => (n.GroupKey, n.Kind, n.CreatedAt)));
        Assert.All(toDown, n => Assert.True(n.CreatedAt < T0 + Outage, "every notification was queued during the outage"));

        // The healthy channel: each notification sent at the instant it was planned, once, whatever the other channel did.
        foreach (var notification in toUp)
        {
            var attempt = Assert.Single(await store.GetDeliveryAttemptsAsync("up", notification.Id, 10, default));
            Assert.Equal(DeliveryOutcome.Delivered, attempt.Outcome);
            Assert.Equal(notification.CreatedAt, attempt.StartedAt);
        }

        Assert.Equal(toUp.Count, (await DrainAsync(up)).Count);

        // The down channel: tried at once, then only its oldest notification is retried (one attempt per backoff step,
        // the rest queued behind it in order); every request it answered 500 is a failed attempt in the log, and each
        // wait between two attempts is the backoff (half to all of the doubled wait), never more than the cap.
        var requests = await DrainAsync(down);
        var log = await store.GetDeliveryAttemptsAsync("down", null, 1000, default);
        var failed = log.Where(a => a.Outcome == DeliveryOutcome.RetryScheduled).ToList();
        Assert.Equal(requests.Count - toDown.Count, failed.Count);
        Assert.All(failed, a => Assert.Equal(500, a.StatusCode));
        Assert.All(failed, a => Assert.Equal(toDown[0].Id, a.NotificationId));
        Assert.Equal(toDown[0].CreatedAt, log.Min(a => a.StartedAt));
        Assert.All(failed, a => Assert.True(a.StartedAt < T0 + Outage, $"attempt {a.Attempt} of {a.NotificationId} failed after the channel was back"));
        foreach (var notification in toDown)
        {
            var attempts = log.Where(a => a.NotificationId == notification.Id).OrderBy(a => a.Attempt).ToList();
            Assert.Equal(Enumerable.Range(1, attempts.Count), attempts.Select(a => a.Attempt));
            Assert.Equal(DeliveryOutcome.Delivered, attempts[^1].Outcome);
            for (var i = 1; i < attempts.Count; i++)
            {
                var wait = attempts[i].StartedAt - attempts[i - 1].FinishedAt!.Value;
                var doubled = Min(RetryInitial * Math.Pow(2, i - 1), RetryCap);
                Assert.True(wait >= doubled / 2 && wait <= RetryCap, string.Create(CultureInfo.InvariantCulture,
                    $"attempt {i + 1} of {notification.GroupKey} ({notification.Kind}) came {wait} after attempt {i}; the backoff allows {doubled / 2} to {doubled}, capped at {RetryCap}"));
            }
        }

        // On recovery everything reached it, in the order it was queued, within one capped wait of the channel's return.
        var delivered = requests.Skip(requests.Count - toDown.Count).Select(r => ((string)r.Json["group_key"]!, (string)r.Json["status"]!)).ToList();
        Assert.Equal(toDown.Select(n => (n.GroupKey, n.Kind)), delivered);
        Assert.All(toDown, n => Assert.Equal("sent", n.Status));
        Assert.All(toDown, n => Assert.InRange(n.SentAt!.Value, T0 + Outage, T0 + Outage + RetryCap));
        Assert.True(requests.Take(requests.Count - toDown.Count).Any(), "the channel was tried during the outage");
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static async Task<List<ReceivedRequest>> DrainAsync(LocalReceiver receiver)
    {
        var all = new List<ReceivedRequest>();
        while (receiver.Pending > 0)
        {
            all.Add(await receiver.NextAsync());
        }

        return all;
    }

    private static RuleDefinition Rule() => new()
    {
        Id = "collectors",
        Name = "A collector is failing",
        Condition = new RuleCondition(RuleSignal.CollectorFailing, null, null, TimeSpan.FromMinutes(5)),
        Severity = AlertSeverity.Critical,
        Channels = ["down", "up"],
        GroupBy = ["collector"],
    };

    private Task Fail(IObserveStore store, string collector) => store.UpsertCollectorStatusAsync(
        new CollectorStatus
        {
            Collector = collector,
            AccountId = Account,
            Region = Region,
            ConsecutiveFailures = 1,
            LastError = $"account {Account}, {Region}: AccessDenied",
            LastFailure = _time.GetUtcNow(),
            UpdatedAt = _time.GetUtcNow(),
        },
        default);

    private Task Recover(IObserveStore store, string collector) => store.UpsertCollectorStatusAsync(
        new CollectorStatus { Collector = collector, AccountId = Account, Region = Region, LastSuccess = _time.GetUtcNow(), UpdatedAt = _time.GetUtcNow() },
        default);

    /// <summary>
    /// Waits (in real time) until every loop is parked on a timer and the store holds no send in progress or due now:
    /// only then may the clock move on.
    /// </summary>
    private async Task ParkedAsync(IObserveStore store)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_time.Armed == ParkedLoops)
            {
                var now = _time.GetUtcNow();
                // A channel's queue goes out oldest first: only its head can be in progress or due.
                var open = (await store.GetNotificationsAsync(null, 1000, default))
                    .Where(n => n.Status is "pending" or "sending")
                    .GroupBy(n => n.ChannelId, StringComparer.Ordinal)
                    .Select(q => q.OrderBy(n => n.CreatedAt).ThenBy(n => n.Id, StringComparer.Ordinal).First())
                    .Any(head => head.Status == "sending" || head.NextAttemptAt <= now);
                if (!open && _time.Armed == ParkedLoops)
                {
                    return;
                }
            }

            if (DateTime.UtcNow >= deadline)
            {
                var queued = await store.GetNotificationsAsync(null, 1000, default);
                Assert.Fail($"the host did not settle at {_time.GetUtcNow():O}: {_time.Armed} timers armed ({_time.Describe()}); outbox: "
                    + string.Join("; ", queued.Select(n => $"{n.ChannelId} {n.GroupKey} {n.Kind} {n.Status} created {n.CreatedAt:HH:mm:ss} next {n.NextAttemptAt:HH:mm:ss.fffffff} attempts {n.Attempts}")));
            }

            await Task.Delay(5);
        }
    }

    private async Task<IObserveStore> StartAsync(LocalReceiver down, LocalReceiver up)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Observe:Store:Kind"] = "Sqlite",
            ["Observe:Store:DataDirectory"] = _directory,
            ["Observe:Alerting:EvaluationInterval"] = "00:01:00",
            ["Observe:Alerting:GroupWait"] = "00:00:00",
            ["Observe:Alerting:GroupInterval"] = "00:01:00",
            ["Observe:Alerting:Delivery:RetryInitialDelay"] = RetryInitial.ToString("c"),
            ["Observe:Alerting:Delivery:RetryMaxDelay"] = RetryCap.ToString("c"),
            // Nothing but the clock and the host's wake-ups moves the channels.
            ["Observe:Alerting:Delivery:PollInterval"] = "00:05:00",
        };
        foreach (var (id, receiver) in new[] { ("down", down), ("up", up) })
        {
            settings[$"Observe:Alerting:Channels:{id}:Kind"] = "webhook";
            settings[$"Observe:Alerting:Channels:{id}:WebhookUrl"] = receiver.At("/" + id).ToString();
            settings[$"Observe:Alerting:Channels:{id}:Secret"] = Secret;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddObserveStore(builder.Configuration);
        builder.Services.AddObserveAlerting(builder.Configuration);
        _host = builder.Build();
        var store = _host.Services.GetRequiredService<IObserveStore>();
        await store.MigrateAsync(default);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
