using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Components.Pages;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Components;

/// <summary>
/// The Settings overview and the audit log page over a real SQLite store: what a Viewer and an Admin see, the key ring
/// the store holds, the log's order, paging and filters, and hostile text in entries.
/// </summary>
public sealed class SettingsPagesTests : MudContext
{
    private const string Script = "<script>alert('x')</script>";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private TestStore _store = null!;

    public override async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        Services.AddSingleton(TimeProvider.System);
        Services.AddObserveStore(_store.Store);
        Services.AddSingleton(Options.Create(new StoreOptions { Kind = "Sqlite" }));
        StoreXmlRepository.AddStoreDataProtection(Services);
        Services.AddSingleton<DataProtectionStatus>();
    }

    /// <summary>The pages mark their interactive render (data-interactive), as a circuit renders them; after any SignIn.</summary>
    private void Interactive() => SetRendererInfo(new RendererInfo("Server", isInteractive: true));

    protected override ValueTask DisposeResourcesAsync() => _store.DisposeAsync();

    [Fact]
    public async Task Overview_Viewer_SeesModeSelfRolesAndTheKeyRingInTheStore_NoAdminTabs()
    {
        SignIn($"vic {Script}", DashboardRoles.Viewer);
        // The first protection creates the ring's key, which goes to the store.
        Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("x");
        var stored = Assert.Single(await _store.Store.GetDataProtectionKeysAsync(default));

        Interactive();
        var page = Render<Settings>();

        page.WaitForAssertion(() => Assert.Contains("1", page.Find("[data-testid=key-count]").TextContent, StringComparison.Ordinal), Wait);
        Assert.StartsWith("BrowserToken: a token printed", page.Find("[data-testid=sign-in-mode]").TextContent, StringComparison.Ordinal);
        Assert.Equal("12 h, sliding: each request starts it again", page.Find("[data-testid=session-lifetime]").TextContent);
        Assert.Equal($"vic {Script}", page.Find("[data-testid=you]").TextContent);
        Assert.Empty(page.FindAll("script"));
        Assert.Equal("Viewer", page.Find("[data-testid=your-roles]").TextContent);
        Assert.Equal(["yes", "no", "no"], page.FindAll("[data-testid=role-table] tbody tr td:last-child").Select(c => c.TextContent));
        Assert.Contains(stored.Name.Replace("key-", "", StringComparison.Ordinal), page.Find("[data-testid=current-key]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Sqlite store", page.Find("[data-testid=key-ring]").TextContent, StringComparison.Ordinal);
        Assert.Equal(["Overview"], page.FindAll("[data-testid=settings-tabs] a").Select(a => a.TextContent.Trim()));
    }

    [Fact]
    public void Overview_Admin_SeesEveryTab_ApiKeysLinkedToItsPage()
    {
        Interactive();
        var page = Render<Settings>();

        page.WaitForAssertion(() => Assert.Equal(["Overview", "API keys", "Audit log"], page.FindAll("[data-testid=settings-tabs] a").Select(a => a.TextContent.Trim())), Wait);
        Assert.Equal(["settings", "settings/api-keys", "settings/audit"], page.FindAll("[data-testid=settings-tabs] a").Select(a => a.GetAttribute("href")));
        Assert.Equal("Viewer, Responder, Admin", page.Find("[data-testid=your-roles]").TextContent);
        page.WaitForAssertion(() => Assert.Contains("none active yet", page.Find("[data-testid=current-key]").TextContent, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task AuditLog_NewestFirst_HostileTextAsText_PagedByFifty()
    {
        var t0 = DateTimeOffset.UtcNow.AddHours(-2);
        for (var i = 0; i < 55; i++)
        {
            await _store.Store.AppendAuditEntryAsync(new AuditEntry
            {
                At = t0.AddMinutes(i),
                Actor = i % 2 == 0 ? "alice" : $"bob {Script}",
                Action = "rule.save",
                Target = $"rule-{i} {Script}",
                Before = i == 54 ? null : $$"""{"document":"{{i}}"}""",
                After = $$"""{"document":"{{Script}}"}""",
            }, default);
        }

        Interactive();
        var page = Render<SettingsAudit>();

        page.WaitForAssertion(() => Assert.Equal(50, page.FindAll("[data-testid=audit-entry]").Count), Wait);
        var rows = page.FindAll("[data-testid=audit-entry]");
        Assert.Equal($"rule-54 {Script}", rows[0].QuerySelector(".audit-target")!.TextContent);
        Assert.Equal($"rule-5 {Script}", rows[49].QuerySelector(".audit-target")!.TextContent);
        Assert.Equal("(none)", rows[0].QuerySelector("[data-testid=audit-before]")!.TextContent);
        Assert.Equal($$"""{"document":"{{Script}}"}""", rows[0].QuerySelector("[data-testid=audit-after]")!.TextContent);
        Assert.Empty(page.FindAll("script"));
        Assert.Equal("Entries 1-50 of 55, newest first.", page.Find("[data-testid=audit-count]").TextContent);
        Assert.Equal("settings/audit?page=2", page.Find("[data-testid=older]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=newer]"));
        Assert.Equal(["", "alice", $"bob {Script}"], page.FindAll("[data-testid=filter-user] option").Select(o => o.GetAttribute("value")));

        Services.GetRequiredService<NavigationManager>().NavigateTo("settings/audit?page=2");
        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll("[data-testid=audit-entry]").Count), Wait);
        Assert.Equal($"rule-4 {Script}", page.FindAll("[data-testid=audit-entry]")[0].QuerySelector(".audit-target")!.TextContent);
        Assert.Equal("settings/audit?page=1", page.Find("[data-testid=newer]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=older]"));
    }

    [Fact]
    public async Task AuditLog_Filters_ByUserAndTime_ABadTimeNamedWithTheFormat()
    {
        var t0 = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        await _store.Store.AppendAuditEntryAsync(new AuditEntry { At = t0, Actor = "alice", Action = "error.status", Target = "fp-1" }, default);
        await _store.Store.AppendAuditEntryAsync(new AuditEntry { At = t0.AddHours(2), Actor = "alice", Action = "silence.create", Target = "s-1" }, default);
        await _store.Store.AppendAuditEntryAsync(new AuditEntry { At = t0.AddHours(3), Actor = "bob", Action = "error.status", Target = "fp-2" }, default);
        Services.GetRequiredService<NavigationManager>().NavigateTo("settings/audit?user=alice&from=2026-12-01%2010:00");

        Interactive();
        var page = Render<SettingsAudit>();

        page.WaitForAssertion(() => Assert.Equal(["s-1"], page.FindAll("[data-testid=audit-entry] .audit-target").Select(t => t.TextContent)), Wait);
        Assert.Equal("alice", page.Find("[data-testid=filter-user] option[selected]").GetAttribute("value"));
        Assert.Equal("2026-12-01 10:00", page.Find("[data-testid=filter-from]").GetAttribute("value"));

        Services.GetRequiredService<NavigationManager>().NavigateTo("settings/audit?from=yesterday");
        page.WaitForAssertion(() => Assert.Equal("From: \"yesterday\" is not a UTC time; write it as 2026-12-04 18:00 (or a date, 2026-12-04).", page.Find("[data-testid=filter-problem]").TextContent.Trim()), Wait);
        Assert.Empty(page.FindAll("[data-testid=audit-entry]"));
    }

    [Fact]
    public void AuditLog_Empty_SaysNoChangeYet()
    {
        Interactive();
        var page = Render<SettingsAudit>();

        page.WaitForAssertion(() => Assert.StartsWith("No change has been made through the dashboard yet", page.Find("[data-testid=audit-count]").TextContent, StringComparison.Ordinal), Wait);
    }
}
