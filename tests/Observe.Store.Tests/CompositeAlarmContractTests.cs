using Observe.Store.Model;
using Observe.Store.Tests.Harness;

namespace Observe.Store.Tests;

/// <summary>
/// Schema version 13, on both engines: a composite alarm's rule (which names the alarms it combines) is stored with the
/// alarm, replaced when the rule changes, and unknown (null) for metric alarms and for alarms stored before the version.
/// </summary>
public abstract class CompositeAlarmContractTests : StoreTestBase
{
    private const string Rule = """ALARM("orders-errors") OR (ALARM(orders-latency) AND NOT OK("arn:aws:cloudwatch:eu-west-1:111111111111:alarm:<script>x</script>"))""";

    [Fact]
    public async Task UpsertAlarmsAsync_CompositeRule_ReadBackAndReplaced_MetricAlarmHasNone()
    {
        await Store.UpsertAlarmsAsync([Composite("orders-health", Rule), Metric("orders-errors")], Ct);

        var stored = await Store.GetAlarmsAsync(FleetFilter.All, state: null, Ct);
        Assert.Equal(Rule, stored.Single(a => a.Name == "orders-health").Rule);
        Assert.Null(stored.Single(a => a.Name == "orders-errors").Rule);

        await Store.UpsertAlarmsAsync([Composite("orders-health", "ALARM(orders-errors)")], Ct);
        Assert.Equal("ALARM(orders-errors)", (await Store.GetAlarmsAsync(FleetFilter.All, state: null, Ct)).Single(a => a.Name == "orders-health").Rule);
    }

    [Fact]
    public async Task MigrateAsync_VersionTwelveDatabase_KeepsAlarms_RuleUnknown()
    {
        var location = await FreshLocationAsync();
        await Open(location).MigrateToAsync(12, Ct);
        await location.ExecuteAsync("""
            INSERT INTO alarm (account_id, region, name, arn, kind, state, state_reason, state_updated)
            VALUES ('111111111111', 'eu-west-1', 'orders-health', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:orders-health',
                    'composite', 'Alarm', 'child in ALARM', 1000);
            """);

        var store = Open(location);
        await store.MigrateAsync(Ct);

        var alarm = Assert.Single(await store.GetAlarmsAsync(FleetFilter.All, state: null, Ct));
        Assert.Equal(("orders-health", "composite", AlarmState.Alarm, (string?)null), (alarm.Name, alarm.Kind, alarm.State, alarm.Rule));
    }

    private static CloudWatchAlarm Composite(string name, string rule) => Metric(name) with { Kind = "composite", Rule = rule };

    private static CloudWatchAlarm Metric(string name) => new()
    {
        AccountId = "111111111111",
        Region = "eu-west-1",
        Name = name,
        Arn = $"arn:aws:cloudwatch:eu-west-1:111111111111:alarm:{name}",
        State = AlarmState.Ok,
        StateUpdated = T0,
    };
}

/// <summary>The version 13 contract on SQLite.</summary>
public sealed class SqliteCompositeAlarmTests : CompositeAlarmContractTests
{
    protected override Task<StoreLocation> UseLocationAsync() => Task.FromResult(Owned(new SqliteLocation()));

    protected override Task<StoreLocation> CreateFreshLocationAsync() => Task.FromResult<StoreLocation>(new SqliteLocation());
}

/// <summary>The version 13 contract on PostgreSQL.</summary>
public sealed class PostgresCompositeAlarmTests(PostgresDatabaseFixture database) : CompositeAlarmContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<StoreLocation> UseLocationAsync() => await database.GetEmptyAsync();

    protected override async Task<StoreLocation> CreateFreshLocationAsync() => await PostgresLocation.CreateAsync();
}
