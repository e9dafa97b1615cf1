using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Observe.Alerting.Hosting;
using Observe.Alerting.Rules;
using Observe.Alerting.Tests.Channels;
using Observe.Collectors.Collection;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Alerting.Tests.Hosting;

/// <summary>
/// Alerting as the dashboard and the worker run it (AddObserveAlerting on a real store), sending to local HTTP
/// receivers: a rule fires, the notification is delivered and logged, the resolve follows; a failing channel never
/// holds up another; two replicas on one PostgreSQL store send once between them.
/// </summary>
public sealed class AlertingHostTests : IAsyncLifetime
{
    private const string Account = "111111111111";
    private const string Region = "eu-west-1";
    private const string Secret = "0123456789abcdef0123456789abcdef-test";

    private readonly List<IHost> _hosts = [];
    private readonly List<string> _directories = [];

    [Fact]
    public async Task CollectorFails_RuleFires_WebhookGetsItOnceLogged_ThenTheResolve()
    {
        await using var hook = new LocalReceiver();
        var host = await StartAsync(Sqlite(), ("hook", hook));
        var store = host.Services.GetRequiredService<IObserveStore>();
        await AddRuleAsync(store, "collectors", ["hook"]);

        await FailCollectorAsync(store, "metrics");
        var firing = (await hook.NextAsync()).Json;
        Assert.Equal("firing", (string?)firing["status"]);
        Assert.Contains(Account, firing.ToJsonString(), StringComparison.Ordinal);
        await WaitForAsync(async () => (await store.GetDeliveryAttemptsAsync("hook", null, 10, default)).Any(a => a.Outcome == DeliveryOutcome.Delivered), "the delivery logged");
        var instance = Assert.Single(await store.GetAlertInstancesAsync(AlertStatus.Firing, default), i => i.RuleId == "collectors");
        Assert.Equal("metrics", instance.Labels["collector"]);

        await RecoverCollectorAsync(store, "metrics");
        var resolved = (await hook.NextAsync()).Json;
        Assert.Equal("resolved", (string?)resolved["status"]);
        Assert.Contains(await store.GetAlertHistoryAsync("collectors", null, 10, default), t => t.To == AlertStatus.Resolved);
    }

    [Fact]
    public async Task FiringRuleDeleted_ItsGroupGetsTheResolve()
    {
        await using var hook = new LocalReceiver();
        var host = await StartAsync(Sqlite(), ("hook", hook));
        var store = host.Services.GetRequiredService<IObserveStore>();
        await AddRuleAsync(store, "collectors", ["hook"]);
        await FailCollectorAsync(store, "metrics");
        Assert.Equal("firing", (string?)(await hook.NextAsync()).Json["status"]);

        Assert.True(await store.DeleteAlertRuleAsync("collectors", default));

        // Whoever was paged hears that it is over, though no rule is left to say so.
        Assert.Equal("resolved", (string?)(await hook.NextAsync()).Json["status"]);
    }

    [Fact]
    public async Task OneChannelDown_TheOtherDeliversMeanwhile_TheDownOneGetsItOnRecovery()
    {
        await using var down = new LocalReceiver();
        await using var up = new LocalReceiver();
        for (var i = 0; i < 3; i++)
        {
            down.Answer(503, "unavailable");
        }

        var host = await StartAsync(Sqlite(), ("down", down), ("up", up));
        var store = host.Services.GetRequiredService<IObserveStore>();
        await AddRuleAsync(store, "collectors", ["down", "up"]);

        await FailCollectorAsync(store, "logs");

        // "up" delivers while "down" is still failing: its queue is its own.
        Assert.Equal("firing", (string?)(await up.NextAsync()).Json["status"]);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("firing", (string?)(await down.NextAsync()).Json["status"]);
        }

        // The fourth attempt is answered 200: everything reaches the channel once it is back.
        Assert.Equal("firing", (string?)(await down.NextAsync()).Json["status"]);
        await WaitForAsync(async () => (await store.GetDeliveryAttemptsAsync("down", null, 10, default)).Any(a => a.Outcome == DeliveryOutcome.Delivered), "the recovery delivered");
        var attempts = await store.GetDeliveryAttemptsAsync("down", null, 10, default);
        Assert.Equal(3, attempts.Count(a => a.Outcome == DeliveryOutcome.RetryScheduled && a.StatusCode == 503));
        Assert.Equal(DeliveryOutcome.Delivered, Assert.Single(await store.GetDeliveryAttemptsAsync("up", null, 10, default)).Outcome);
    }

    [Fact]
    public async Task EveryCycle_RecordsItsHealth_HolderFiguresAndTheFailingChannelsQueue()
    {
        await using var down = new LocalReceiver { DefaultStatus = 500 };
        await using var up = new LocalReceiver();
        var host = await StartAsync(Sqlite(), ("down", down), ("up", up));
        var store = host.Services.GetRequiredService<IObserveStore>();
        await AddRuleAsync(store, "collectors", ["down", "up"]);
        await FailCollectorAsync(store, "metrics");

        AlertingHealth? health = null;
        await WaitForAsync(
            async () => (health = AlertingHealth.FromJson(await store.GetCheckpointAsync(AlertingHealth.CheckpointKey, default)))
                ?.Channels?.Any(c => c.Id == "down" && c.HeadAttempts > 0) == true,
            "a cycle recording the down channel's failed attempt");

        Assert.Equal(host.Services.GetRequiredService<CollectorsInstance>().Id, health!.Holder);
        Assert.Null(health.Error);
        Assert.False(health.Fenced);
        Assert.Equal(health.EvaluatedAt, health.LastSuccessAt);
        Assert.True(health.Rules >= 1);
        Assert.True(health.Instances >= 1, "the failing collector was evaluated");
        Assert.Equal(0, health.UnknownFigures);
        var failing = Assert.Single(health.Channels!, c => c.Id == "down");
        Assert.Equal(1, failing.Queued);
        Assert.StartsWith("HTTP 500", failing.HeadError, StringComparison.Ordinal);
        Assert.Equal(0, Assert.Single(health.Channels!, c => c.Id == "up").Queued);
    }

    [Fact]
    public async Task TwoReplicasOnPostgres_OneSendsAtATime_TheOtherTakesOverWhenItDies_NoDuplicate()
    {
        var connection = await Postgres();
        await using var hook = new LocalReceiver();
        var killable = new KillableLeases();
        var first = await StartAsync(connection, killable, ("hook", hook));
        var store = first.Services.GetRequiredService<IObserveStore>();
        await AddRuleAsync(store, "collectors", ["hook"]);
        await WaitForAsync(async () => (await store.GetLeasesAsync(AlertingHost.LeaseName, default)).Count == 1, "the first replica leading");
        var second = await StartAsync(connection, null, ("hook", hook));

        await FailCollectorAsync(store, "metrics");
        Assert.Equal("firing", (string?)(await hook.NextAsync()).Json["status"]);
        var leader = Assert.Single(await store.GetLeasesAsync(AlertingHost.LeaseName, default));
        Assert.Equal(first.Services.GetRequiredService<CollectorsInstance>().Id, leader.Holder);

        // kill -9 of the leader: it stops renewing and releases nothing; the other takes over when the lease expires.
        killable.Kill();
        var secondId = second.Services.GetRequiredService<CollectorsInstance>().Id;
        await WaitForAsync(async () => (await store.GetLeasesAsync(AlertingHost.LeaseName, default)).Single().Holder == secondId, "the take-over");

        await FailCollectorAsync(store, "traces");
        var next = (await hook.NextAsync()).Json;
        Assert.Contains("traces", next.ToJsonString(), StringComparison.Ordinal);

        // One message per change: nothing from the first firing was sent again by the new leader.
        await WaitForAsync(async () => (await store.GetDeliveryAttemptsAsync("hook", null, 10, default)).Count(a => a.Outcome == DeliveryOutcome.Delivered) == 2, "both deliveries logged");
        Assert.Equal(2, (await store.GetDeliveryAttemptsAsync("hook", null, 10, default)).Count);
    }

    private static async Task AddRuleAsync(IObserveStore store, string id, IReadOnlyList<string> channels)
    {
        var rule = new RuleDefinition
        {
            Id = id,
            Name = "A collector is failing",
            Condition = new RuleCondition(RuleSignal.CollectorFailing, null, null, TimeSpan.FromMinutes(5)),
            Severity = AlertSeverity.Critical,
            Channels = channels,
            GroupBy = ["rule"],
        };
        await store.UpsertAlertRuleAsync(AlertRuleSource.ToStored(rule, "test", DateTimeOffset.UtcNow), default);
    }

    private static Task FailCollectorAsync(IObserveStore store, string collector) =>
        store.UpsertCollectorStatusAsync(
            new CollectorStatus
            {
                Collector = collector,
                AccountId = Account,
                Region = Region,
                ConsecutiveFailures = 1,
                LastError = $"account {Account}, {Region}: AccessDenied",
                LastFailure = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            default);

    private static Task RecoverCollectorAsync(IObserveStore store, string collector) =>
        store.UpsertCollectorStatusAsync(
            new CollectorStatus { Collector = collector, AccountId = Account, Region = Region, LastSuccess = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow },
            default);

    private Dictionary<string, string?> Sqlite()
    {
        var directory = Directory.CreateTempSubdirectory("observe-alerting-host-").FullName;
        _directories.Add(directory);
        return new() { ["Observe:Store:Kind"] = "Sqlite", ["Observe:Store:DataDirectory"] = directory };
    }

    private static async Task<Dictionary<string, string?>> Postgres()
    {
        var admin = Environment.GetEnvironmentVariable("OBSERVE_TEST_POSTGRES")
            ?? throw new InvalidOperationException("OBSERVE_TEST_POSTGRES is not set: start PostgreSQL with scripts/peers.sh start");
        var database = $"observe_alerting_host_{Guid.NewGuid():N}";
        await using (var connection = new Npgsql.NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new()
        {
            ["Observe:Store:Kind"] = "PostgreSql",
            ["Observe:Store:ConnectionString"] = new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString(),
        };
    }

    private Task<IHost> StartAsync(Dictionary<string, string?> store, params (string Id, LocalReceiver Receiver)[] channels) => StartAsync(store, null, channels);

    /// <summary>A replica: the store and alerting as the hosts register them, cycles every second, a 3 s lease, quick retries.</summary>
    private async Task<IHost> StartAsync(Dictionary<string, string?> store, KillableLeases? killable, params (string Id, LocalReceiver Receiver)[] channels)
    {
        var settings = new Dictionary<string, string?>(store)
        {
            ["Observe:Alerting:EvaluationInterval"] = "00:00:01",
            ["Observe:Alerting:LeaseDuration"] = "00:00:03",
            ["Observe:Alerting:GroupWait"] = "00:00:00",
            ["Observe:Alerting:GroupInterval"] = "00:00:10",
            ["Observe:Alerting:Delivery:RetryInitialDelay"] = "00:00:00.2",
            ["Observe:Alerting:Delivery:RetryMaxDelay"] = "00:00:01",
            ["Observe:Alerting:Delivery:PollInterval"] = "00:00:00.1",
        };
        foreach (var (id, receiver) in channels)
        {
            settings[$"Observe:Alerting:Channels:{id}:Kind"] = "webhook";
            settings[$"Observe:Alerting:Channels:{id}:WebhookUrl"] = receiver.At("/" + id).ToString();
            settings[$"Observe:Alerting:Channels:{id}:Secret"] = Secret;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddObserveStore(builder.Configuration);
        builder.Services.AddObserveAlerting(builder.Configuration);
        if (killable is not null)
        {
            builder.Services.AddSingleton<ILeaseStore>(sp => killable.Over(sp.GetRequiredService<IObserveStore>()));
        }

        var host = builder.Build();
        _hosts.Add(host);
        await host.Services.GetRequiredService<IObserveStore>().MigrateAsync(default);
        await host.StartAsync();
        return host;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        // A cap for a broken test, not a wait: each look is for the event itself.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }

        foreach (var directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The store's leases until <see cref="Kill"/>; then nothing is taken, renewed or released, as for a killed process.</summary>
    private sealed class KillableLeases
    {
        private volatile bool _killed;

        public void Kill() => _killed = true;

        public ILeaseStore Over(ILeaseStore inner) => new Leases(this, inner);

        private sealed class Leases(KillableLeases owner, ILeaseStore inner) : ILeaseStore
        {
            public Task<Lease?> TryAcquireLeaseAsync(string name, string holder, TimeSpan duration, DateTimeOffset now, CancellationToken cancellationToken) =>
                owner._killed ? Task.FromResult<Lease?>(null) : inner.TryAcquireLeaseAsync(name, holder, duration, now, cancellationToken);

            public Task ReleaseLeaseAsync(Lease lease, CancellationToken cancellationToken) =>
                owner._killed ? Task.CompletedTask : inner.ReleaseLeaseAsync(lease, cancellationToken);

            public Task<IReadOnlyList<Lease>> GetLeasesAsync(string? prefix, CancellationToken cancellationToken) => inner.GetLeasesAsync(prefix, cancellationToken);
        }
    }
}
