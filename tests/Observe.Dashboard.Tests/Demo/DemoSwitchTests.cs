using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Observe.Dashboard.Demo;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Demo;

/// <summary>One data directory, switched between the demo fleet and a configured account, as a new user does.</summary>
public class DemoSwitchTests
{
    private const string RealAccount = "123456789012";

    private static readonly Dictionary<string, string?> Demo = new()
    {
        ["Observe:Demo:Enabled"] = null, // decided by the accounts, as by default
        ["Observe:Demo:Functions"] = "20",
        ["Observe:Demo:Backfill"] = "00:10:00",
        ["Observe:Demo:Interval"] = "00:00:00.200",
    };

    private static readonly Dictionary<string, string?> Account = new(Demo)
    {
        ["Observe:Aws:Accounts:0:AccountId"] = RealAccount,
        ["Observe:Aws:Accounts:0:Regions:0"] = "eu-west-1",
        // Nothing to collect from in a test: the account's figures are written below, as a worker would.
        ["Observe:Collectors:InProcess"] = "false",
    };

    [Fact]
    public async Task Overview_DemoThenAccountOnOneDataDirectory_CountsNoDemoRowAndTheDemoAgainLosesNoRealRow()
    {
        using var directory = new TempDirectory();
        var now = DateTimeOffset.UtcNow;
        var range = new TimeRange(now.AddHours(-1), now.AddMinutes(1));

        // 1. The demo fleet, until it has written its history and alarms.
        await using (var app = await StartAsync(directory.Path, Demo))
        {
            await DemoWrittenAsync(app);
            var demo = await OverviewAsync(app, range);
            Assert.Equal(20, demo.Functions);
            Assert.True(demo.Invocations > 0, "the demo wrote no invocations");
            await app.StopAsync();
        }

        // 2. An account configured on the same data directory: only what the account's collectors wrote counts.
        await using (var app = await StartAsync(directory.Path, Account))
        {
            Assert.False(app.Services.GetRequiredService<DemoFleetStatus>().Mode.Active);
            await WriteRealFleetAsync(app.Services.GetRequiredService<IObserveStore>(), now);
            await AssertOnlyTheRealFleetAsync(app, range);
            await app.StopAsync();
        }

        // 3. The demo again, then 4. the account again: the real rows are as they were, and still alone.
        await using (var app = await StartAsync(directory.Path, Demo))
        {
            await DemoWrittenAsync(app);
            Assert.Equal(20, (await OverviewAsync(app, range)).Functions);
            await app.StopAsync();
        }

        await using (var app = await StartAsync(directory.Path, Account))
        {
            await AssertOnlyTheRealFleetAsync(app, range);
            await app.StopAsync();
        }
    }

    private static async Task<WebApplication> StartAsync(string dataDirectory, Dictionary<string, string?> settings)
    {
        var app = DashboardHost.Build(dataDirectory, settings);
        await app.StartDashboardAsync(CancellationToken.None);
        return app;
    }

    /// <summary>Waits for the demo's report that its history and alarms are written (it reports after each write).</summary>
    private static async Task DemoWrittenAsync(WebApplication app)
    {
        var status = app.Services.GetRequiredService<DemoFleetStatus>();
        Assert.True(status.Mode.Active, status.Mode.Reason);
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (status.BackfillComplete)
            {
                written.TrySetResult();
            }
        }

        status.Changed += Check;
        try
        {
            Check();
            await written.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the demo did not write its history within 60 s (last error: {status.LastError})");
        }
        finally
        {
            status.Changed -= Check;
        }
    }

    private static Task<FleetOverview> OverviewAsync(WebApplication app, TimeRange range) =>
        app.Services.GetRequiredService<IObserveStore>().GetOverviewAsync(FleetFilter.All, range, TimeSpan.FromMinutes(1), CancellationToken.None);

    private static async Task WriteRealFleetAsync(IObserveStore store, DateTimeOffset now)
    {
        var key = new FunctionKey(RealAccount, "eu-west-1", "checkout");
        await store.UpsertFunctionsAsync(
            [new LambdaFunction { Key = key, Arn = $"arn:aws:lambda:eu-west-1:{RealAccount}:function:checkout", Runtime = "dotnet8", MemoryMb = 256, LastSeen = now }],
            CancellationToken.None);
        var minute = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(-5);
        await store.WriteMetricsAsync([new MetricPoint { Function = key, Minute = minute, Invocations = 42, Errors = 1, Throttles = 0 }], CancellationToken.None);
        await store.UpsertAlarmsAsync(
        [
            new CloudWatchAlarm
            {
                AccountId = RealAccount, Region = "eu-west-1", Name = "checkout-errors",
                Arn = $"arn:aws:cloudwatch:eu-west-1:{RealAccount}:alarm:checkout-errors",
                State = AlarmState.Alarm, StateUpdated = now, FunctionName = "checkout",
            },
        ], CancellationToken.None);
    }

    private static async Task AssertOnlyTheRealFleetAsync(WebApplication app, TimeRange range)
    {
        var store = app.Services.GetRequiredService<IObserveStore>();
        var overview = await OverviewAsync(app, range);
        Assert.Equal(1, overview.Functions);
        Assert.Equal(1, overview.AlarmsInAlarm);
        Assert.Equal(42, overview.Invocations);
        var functions = await store.GetFunctionsAsync(FleetFilter.All, CancellationToken.None);
        Assert.Equal([RealAccount], functions.Select(f => f.Key.AccountId).Distinct());
    }
}
