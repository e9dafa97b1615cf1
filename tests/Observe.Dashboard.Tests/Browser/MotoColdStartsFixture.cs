using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Collectors.Tests.Inventory;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// A dashboard over a store its own collectors filled from moto with <see cref="MotoColdStarts"/>, for the Cold starts
/// page. A fixture of its own rather than <see cref="MotoFleetFixture"/>'s fleet: that fleet's functions, configurations
/// and figures are what the other pages' tests assert (its Functions CSV expects no figure where nothing was invoked),
/// and cold starts seeded into it would change them; here a small account gives figures worked out in a few lines.
/// </summary>
/// <remarks>
/// On start it seeds the account's functions and log events into moto, starts the dashboard in-process on a free port
/// over a temp SQLite store with the collectors in-process pointed at moto (fixed base credentials, the role assumed
/// into the account, as in production), every collector with its default settings but when it runs, as in
/// <see cref="MotoFleetFixture"/>: no start spread, and the logs collector every 10 s instead of every minute (its
/// first pass may run before the inventory's and then reads no function). ListProvisionedConcurrencyConfigs, which
/// moto lacks, is answered as the Lambda API reference shapes it (<see cref="ProvisionedConcurrencyTransport"/>): the
/// provisioned function has its two environments. The traces collector fails on moto's GetTraceSummaries and the
/// alarms collector's history read degrades on its DescribeAlarmHistory; neither feeds this page, so neither is
/// answered for. It then waits, by the store's change notifications, until the store holds every seeded function,
/// invocation report and init report and the failed init's error, so no test races the first pass.
/// </remarks>
public sealed class MotoColdStartsFixture : IAsyncLifetime
{
    private static readonly TimeSpan FirstPassesTimeout = TimeSpan.FromSeconds(120);

    private readonly BrowserDashboard _host = new();

    public Uri BaseUrl => _host.BaseUrl;

    public IBrowser Browser => _host.Browser;

    /// <summary>The dashboard's store, as its collectors filled it.</summary>
    public IObserveStore Store => _host.App.Services.GetRequiredService<IObserveStore>();

    /// <summary>What was seeded into moto.</summary>
    public MotoColdStarts Seeded { get; } = new(DateTimeOffset.UtcNow);

    public async Task InitializeAsync()
    {
        await Seeded.SeedAsync();
        var transport = new ProvisionedConcurrencyTransport();
        foreach (var function in Seeded.Functions.Where(f => f.Inits.Any(i => i.Type == InitializationType.ProvisionedConcurrency)))
        {
            var environments = function.Inits.Count(i => i.Type == InitializationType.ProvisionedConcurrency);
            transport.Set(function.Key.Name, $$"""
                {"ProvisionedConcurrencyConfigs":[{"FunctionArn":"arn:aws:lambda:{{function.Key.Region}}:{{function.Key.AccountId}}:function:{{function.Key.Name}}:live",
                "RequestedProvisionedConcurrentExecutions":{{environments}},"AvailableProvisionedConcurrentExecutions":{{environments}},
                "AllocatedProvisionedConcurrentExecutions":{{environments}},"Status":"READY","LastModified":"2026-12-04T09:12:40.000+0000"}]}
                """);
        }

        var app = _host.Build(
            new Dictionary<string, string?>(MotoDashboard.Settings())
            {
                ["Observe:Aws:Accounts:0:AccountId"] = Seeded.AccountId,
                ["Observe:Aws:Accounts:0:Name"] = "moto-cold",
                ["Observe:Aws:Accounts:0:RoleArn"] = Moto.RoleArn(Seeded.AccountId),
                ["Observe:Aws:Accounts:0:Regions:0"] = MotoColdStarts.Region,
                ["Observe:Collectors:StartSpread"] = "00:00:00",
                ["Observe:Collectors:Logs:Interval"] = "00:00:10",
            },
            builder => MotoDashboard.UseMoto(builder, transport));

        var store = app.Services.GetRequiredService<IObserveStore>();
        var collected = new StoreWait(StoreChangeKind.Functions | StoreChangeKind.Invocations | StoreChangeKind.Errors, () => MissingAsync(store, Seeded));
        await MotoDashboard.StartAndWaitAsync(_host, collected, FirstPassesTimeout, "the seeded cold starts");

        await _host.LaunchChromiumAsync();
    }

    /// <summary>A new 1440 px page in a fresh context where a hostile value that ran as script would set <c>window.__alarmed</c>.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.AddInitScriptAsync("window.alert = () => { window.__alarmed = true; };");
        return page;
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    /// <summary>What the store lacks of <see cref="Seeded"/>: functions, each one's reports and init reports, the failed init's error.</summary>
    private static async Task<IReadOnlyList<string>> MissingAsync(IObserveStore store, MotoColdStarts seeded)
    {
        var range = new TimeRange(seeded.Now.AddMinutes(-30), DateTimeOffset.UtcNow.AddMinutes(1));
        var functions = (await store.GetFunctionsAsync(FleetFilter.All, CancellationToken.None)).Select(f => f.Key).ToHashSet();

        // Init reports have no reader of their own: the page's store query is used to wait for them only, never for
        // the figures tests expect.
        var coldStarts = (await store.GetColdStartsAsync(FleetFilter.All, range, CancellationToken.None)).ToDictionary(c => c.Function);
        var missing = new List<string>();
        foreach (var function in seeded.Functions)
        {
            if (!functions.Contains(function.Key))
            {
                missing.Add($"function {function.Key}");
            }

            var reports = await store.GetInvocationReportsAsync(function.Key, range, false, 1000, CancellationToken.None);
            var inits = coldStarts.TryGetValue(function.Key, out var c) ? c.InitEventsMs.Values.Sum(v => v.Count) : 0;
            if (reports.Count != function.Reports.Count || inits != function.Inits.Count)
            {
                missing.Add($"{function.Key.Name}: {reports.Count} of {function.Reports.Count} reports, {inits} of {function.Inits.Count} init reports");
            }
        }

        var groups = await store.GetErrorGroupsAsync(FleetFilter.All, range, 1000, CancellationToken.None);
        if (!groups.Any(g => g.Function == seeded.FailedInit.Key && g.Message == MotoColdStarts.HostileInitMessage))
        {
            missing.Add($"the failed init's error in {seeded.FailedInit.Key.Name}");
        }

        return missing;
    }
}
