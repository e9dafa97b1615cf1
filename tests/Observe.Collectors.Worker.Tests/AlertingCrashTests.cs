using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Observe.Alerting.Tests.Channels;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Worker.Tests;

/// <summary>
/// Alerting's durability as an operator meets it: the real worker process on a SQLite file, killed with SIGKILL while
/// one webhook send hangs and the rest of that channel's notifications wait behind it, then started again.
/// </summary>
public sealed class AlertingCrashTests : IAsyncLifetime
{
    private const string Watched = "222222222222";
    private const string Secret = "0123456789abcdef0123456789abcdef-crash";
    private static readonly string[] Collectors = ["inventory", "metrics", "logs"];
    private static readonly string[] Regions = ["eu-west-1", "us-east-1"];

    private readonly string _directory = Directory.CreateTempSubdirectory("observe-alerting-crash-").FullName;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly List<Process> _processes = [];
    private ServiceProvider? _services;

    [Fact]
    public async Task Worker_KilledMidSend_RestartDeliversEverything_OnlyTheInFlightSendTwice()
    {
        await using var hook = new LocalReceiver();
        await using var slack = new LocalReceiver();
        hook.Hang();
        var store = await OpenStoreAsync(Sqlite);
        await WriteRulesAsync();

        // Six alerts, one group each, all firing at the first evaluation: six notifications per channel in one commit.
        foreach (var collector in Collectors)
        {
            foreach (var region in Regions)
            {
                await store.UpsertCollectorStatusAsync(Failing(collector, region), default);
            }
        }

        var alerts = Collectors.Length * Regions.Length;
        // A 10 s lease, as in the two-worker test: under load a 3 s one can lapse between a send and its logging even
        // with one process, and the send is then repeated by design (at least once), which this test would count as
        // a second duplicate. The restart waits out the killed worker's lease either way.
        var first = Start(hook, slack, Sqlite, Lease);

        // Slack got every alert; the webhook's first send hangs and the other five wait behind it in its queue.
        var hung = await hook.NextAsync();
        for (var i = 0; i < alerts; i++)
        {
            await slack.NextAsync();
        }

        // Slack's sends logged as delivered, so the hung webhook send is the only one the crash can cut off.
        await WaitUntilAsync(async () => (await store.GetNotificationsAsync("sent", 100, default)).Count(n => n.ChannelId == "slack") == alerts, "Slack's deliveries logged");
        first.Kill();
        await first.WaitForExitAsync();
        Assert.Equal(137, first.ExitCode);
        var hungGroup = (string)hung.Json["group_key"]!;

        var restartedAt = DateTimeOffset.UtcNow;
        Start(hook, slack, Sqlite, Lease);
        var hookAfter = new List<ReceivedRequest>();
        for (var i = 0; i < alerts; i++)
        {
            hookAfter.Add(await hook.NextAsync());
        }

        await WaitUntilAsync(async () => (await store.GetNotificationsAsync("sent", 100, default)).Count == 2 * alerts, "every notification marked sent");

        // A cycle evaluated after the last delivery: had the restart planned any repeat, it would be in the outbox now.
        var settled = DateTimeOffset.UtcNow;
        await WaitUntilAsync(
            async () => (await store.GetAlertInstancesAsync(AlertStatus.Firing, default)).Count(i => i.RuleId == "crash-collectors" && i.LastActiveAt > settled) == alerts,
            "a cycle after the deliveries");

        // The one allowed duplicate: the send the crash cut off, still in flight in the delivery log.
        var log = await store.GetDeliveryAttemptsAsync("hook", null, 100, default);
        var inFlight = Assert.Single(log, a => a.Outcome == DeliveryOutcome.InFlight);
        Assert.True(inFlight.StartedAt < restartedAt, "the in-flight attempt is the one begun before the crash");
        var notifications = await store.GetNotificationsAsync(null, 100, default);
        var duplicated = Assert.Single(notifications, n => n.Id == inFlight.NotificationId);
        Assert.Equal(hungGroup, duplicated.GroupKey);
        Assert.Equal(2, duplicated.Attempts);

        // Every alert reached each channel; the webhook got the cut-off one a second time and nothing else twice.
        Assert.Equal(2 * alerts, notifications.Count);
        var hookGroups = hookAfter.Select(r => (string)r.Json["group_key"]!).ToList();
        Assert.Equal(alerts, hookGroups.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal([hungGroup], hookGroups.Append(hungGroup).GroupBy(g => g, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key));
        var attempts = string.Join("\n", (await store.GetDeliveryAttemptsAsync(null, null, 100, default)).Select(a => $"{a.NotificationId} {a.Outcome} {a.StartedAt:O}"));
        Assert.All(notifications.Where(n => n.Id != inFlight.NotificationId), n => Assert.True(n.Attempts == 1, $"{n.Id} ({n.ChannelId}) took {n.Attempts} attempts; the delivery log:\n{attempts}"));
        Assert.Equal(alerts, log.Count(a => a.Outcome == DeliveryOutcome.Delivered));
        Assert.Equal(0, hook.Pending);
        Assert.Equal(0, slack.Pending);
        Assert.All(notifications.Where(n => n.ChannelId == "slack"), n => Assert.True(n.SentAt < restartedAt, "Slack's were all sent before the crash"));
        foreach (var request in hookAfter)
        {
            Assert.True(
                WebhookSignature.IsValid(Secret, request.Headers["X-Observe-Timestamp"], request.Headers["X-Observe-Signature"], request.Body, DateTimeOffset.UtcNow),
                "every webhook send is signed");
        }
    }

    private Task WriteRulesAsync() => File.WriteAllTextAsync(Path.Combine(_directory, "rules.yaml"), $"""
        rules:
          - id: crash-collectors
            name: A collector is failing
            condition: collector_failing
            scope:
              accounts: ['{Watched}']
            severity: critical
            channels: [hook, slack]
            group_by: [collector, region]
        """);

    private static CollectorStatus Failing(string collector, string region) => new()
    {
        Collector = collector,
        AccountId = Watched,
        Region = region,
        ConsecutiveFailures = 1,
        LastError = $"account {Watched}, {region}: AccessDenied",
        LastFailure = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task TwoWorkersOnPostgres_LeaderKilled_TheOtherTakesOverOnceTheLeaseExpires_NoDuplicatePage()
    {
        await using var hook = new LocalReceiver();
        await using var slack = new LocalReceiver();
        var settings = await PostgresAsync();
        var store = await OpenStoreAsync(settings);
        await WriteRulesAsync();
        await store.UpsertCollectorStatusAsync(Failing("inventory", "eu-west-1"), default);

        // A 10 s lease: on a loaded machine a 3 s one can lapse between a send and its logging, and the send is then
        // repeated by the next holder (the at-least-once case the crash test names); this test is about the kill.
        var workers = new[] { Start(hook, slack, settings, Lease), Start(hook, slack, settings, Lease) };
        await hook.NextAsync();
        await slack.NextAsync();
        await WaitUntilAsync(async () => (await store.GetNotificationsAsync("sent", 100, default)).Count == 2, "the first page logged on both channels");

        // One sender at a time: one lease, held by one of the two processes (its holder id carries the process id).
        var before = Assert.Single(await store.GetLeasesAsync("alerting", default));
        var leader = Assert.Single(workers, w => Pid(before.Holder) == w.Id);
        var other = Assert.Single(workers, w => w != leader);
        leader.Kill();
        await leader.WaitForExitAsync();

        await store.UpsertCollectorStatusAsync(Failing("metrics", "eu-west-1"), default);
        var second = await hook.NextAsync();
        var outbox = string.Join("\n", (await store.GetNotificationsAsync(null, 100, default)).Select(n => $"{n.Id} {n.ChannelId} {n.GroupKey} {n.Kind} {n.Status} {n.Attempts} attempts"));
        Assert.True(((string)second.Json["group_key"]!).Contains("collector=metrics", StringComparison.Ordinal), $"the webhook got {second.Json["group_key"]} again; outbox:\n{outbox}");
        await slack.NextAsync();
        await WaitUntilAsync(async () => (await store.GetNotificationsAsync("sent", 100, default)).Count == 4, "the second page logged on both channels");

        // The survivor took the lease afresh, and not before the dead leader's last lease ran out.
        var after = Assert.Single(await store.GetLeasesAsync("alerting", default));
        Assert.Equal(other.Id, Pid(after.Holder));
        Assert.True(after.Token > before.Token, "a take-over is a new token");
        Assert.True(after.AcquiredAt >= before.ExpiresAt, $"taken at {after.AcquiredAt:O}, before the killed leader's lease expired at {before.ExpiresAt:O}");

        // No duplicate page: each notification went out once, and neither receiver got anything more.
        var notifications = await store.GetNotificationsAsync(null, 100, default);
        Assert.Equal(4, notifications.Count);
        Assert.All(notifications, n => Assert.Equal(1, n.Attempts));
        Assert.Equal(0, hook.Pending);
        Assert.Equal(0, slack.Pending);
    }

    private const string Lease = "00:00:10";

    private static int Pid(string holder) => int.Parse(holder.Split('/')[^2], System.Globalization.CultureInfo.InvariantCulture);

    private Dictionary<string, string?> Sqlite => new()
    {
        ["Observe:Store:Kind"] = "Sqlite",
        ["Observe:Store:DataDirectory"] = _directory,
    };

    private static async Task<Dictionary<string, string?>> PostgresAsync()
    {
        var admin = Environment.GetEnvironmentVariable("OBSERVE_TEST_POSTGRES")
            ?? throw new InvalidOperationException("OBSERVE_TEST_POSTGRES is not set: start PostgreSQL with scripts/peers.sh start");
        var database = $"observe_alerting_workers_{Guid.NewGuid():N}";
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

    private async Task<IObserveStore> OpenStoreAsync(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _services = new ServiceCollection().AddLogging().AddObserveStore(configuration).BuildServiceProvider();
        var store = _services.GetRequiredService<IObserveStore>();
        await store.MigrateAsync(default);
        return store;
    }

    /// <summary>The worker as an operator runs it, from its build output, configured through the environment only.</summary>
    private Process Start(LocalReceiver hook, LocalReceiver slack, Dictionary<string, string?> store, string lease)
    {
        var directory = typeof(AlertingCrashTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "WorkerDirectory").Value!;
        var start = new ProcessStartInfo("dotnet", [Path.GetFullPath(Path.Combine(directory, "Observe.Collectors.Worker.dll"))])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
            Environment =
            {
                // The worker's own account: a profile nobody has, so its collectors fail at once, outside the rule's scope.
                ["Observe__Aws__Accounts__0__AccountId"] = "111111111111",
                ["Observe__Aws__Accounts__0__Regions__0"] = "eu-west-1",
                ["Observe__Aws__Accounts__0__Profile"] = "observe-crash-test-no-such-profile",
                ["Observe__Alerting__RulesFile__Path"] = Path.Combine(_directory, "rules.yaml"),
                ["Observe__Alerting__EvaluationInterval"] = "00:00:01",
                ["Observe__Alerting__LeaseDuration"] = lease,
                ["Observe__Alerting__GroupWait"] = "00:00:00",
                ["Observe__Alerting__GroupInterval"] = "00:00:10",
                ["Observe__Alerting__RepeatInterval"] = "01:00:00",
                ["Observe__Alerting__Delivery__PollInterval"] = "00:00:00.1",
                ["Observe__Alerting__Channels__hook__Kind"] = "webhook",
                ["Observe__Alerting__Channels__hook__WebhookUrl"] = hook.At("/hook").ToString(),
                ["Observe__Alerting__Channels__hook__Secret"] = Secret,
                // Longer than the test: the hung send is still open when the process is killed.
                ["Observe__Alerting__Channels__hook__Timeout"] = "00:05:00",
                ["Observe__Alerting__Channels__slack__Kind"] = "slack",
                ["Observe__Alerting__Channels__slack__WebhookUrl"] = slack.At("/slack").ToString(),
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Observe.Alerting"] = "Information",
            },
        };

        foreach (var (key, value) in store)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        Assert.True(process.Start(), "the worker started");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        // A cap for a broken test, not a wait: each look is for the event itself.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; the worker said:\n{string.Join('\n', _output)}");
            await Task.Delay(50);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A handle closing late must not fail the test.
        }
    }
}
