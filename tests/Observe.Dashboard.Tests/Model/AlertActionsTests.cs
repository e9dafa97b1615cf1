using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Observe.Dashboard.Actions;
using Observe.Dashboard.Auditing;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Model;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

public sealed class AlertActionsTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private const string Actor = "on-call responder";
    private AlertActions _actions = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, Actor), new Claim(ClaimTypes.Role, DashboardRoles.Responder)], "test");
        _services = new ServiceCollection().AddLogging().AddAuthorizationCore(DashboardRoles.AddPolicies)
            .AddSingleton<AuthenticationStateProvider>(new SignedIn(new ClaimsPrincipal(identity))).AddSingleton<DashboardUser>()
            .BuildServiceProvider();
        var audit = new ActionAudit(_store.Store, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<ActionAudit>.Instance);
        _actions = new AlertActions(_store.Store, _store.Store, _services.GetRequiredService<DashboardUser>(), audit, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Theory]
    [InlineData("", "2h", "why", "matchers: give at least one label=value; a silence without matchers would cover nothing")]
    [InlineData("function", "2h", "why", "matchers, line 1: \"function\" is not label=value (for example function=orders-api)")]
    [InlineData("function=a\nfunction=b", "2h", "why", "matchers, line 2: 'function' is given twice; an alert has one value per label")]
    [InlineData("function=a", "", "why", "ends: give a duration (2h, 30m, 1d) or a UTC time (2026-12-04 18:00)")]
    [InlineData("function=a", "soon", "why", "ends: \"soon\" is neither a duration (2h, 30m, 1d) nor a UTC time (2026-12-04 18:00)")]
    [InlineData("function=a", "-5m", "why", "ends: the duration \"-5m\" must be longer than zero")]
    [InlineData("function=a", "2h", "  ", "comment: say why the alerts are silenced; it is required, so whoever finds the silence knows whether it may end")]
    public async Task CreateSilence_BadField_OneMessageNamingItAndNothingStored(string matchers, string ends, string comment, string expected)
    {
        var result = await _actions.CreateSilenceAsync(new SilenceDraft(matchers, ends, comment), CancellationToken.None);

        Assert.Null(result.Created);
        Assert.Equal([expected], result.Errors);
        Assert.Empty(await _store.Store.GetSilencesEndingAfterAsync(DateTimeOffset.UtcNow.AddDays(-1), CancellationToken.None));
    }

    [Fact]
    public async Task CreateSilence_UtcEndAndGlob_StoredAsTyped()
    {
        var ends = DateTimeOffset.UtcNow.AddDays(2);
        var text = ends.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

        var result = await _actions.CreateSilenceAsync(new SilenceDraft(" function = orders-* \n\naccount=111122223333", text, " deploy "), CancellationToken.None);

        Assert.Empty(result.Errors);
        var stored = Assert.Single(await _store.Store.GetSilencesAsync(DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(new Dictionary<string, string> { ["function"] = "orders-*", ["account"] = "111122223333" }, stored.Matchers);
        Assert.Equal(("deploy", Actor), (stored.Comment, stored.CreatedBy));
        Assert.Equal(text, stored.EndsAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Acknowledge_ResolvedAlert_NullAndNothingRecorded()
    {
        await Components.AlertsSeed.CommitAsync(_store.Store,
            [Components.AlertsSeed.Instance("r", "fn", AlertStatus.Resolved, DateTimeOffset.UtcNow.AddHours(-1), resolvedAt: DateTimeOffset.UtcNow)]);

        Assert.Null(await _actions.AcknowledgeAsync("r", $"{Components.AlertsSeed.Account}/{Components.AlertsSeed.Region}/fn", CancellationToken.None));
        Assert.Empty(await _store.Store.GetAlertHistoryAsync("r", null, 10, CancellationToken.None));
    }

    private sealed class SignedIn(ClaimsPrincipal principal) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(principal));
    }
}
