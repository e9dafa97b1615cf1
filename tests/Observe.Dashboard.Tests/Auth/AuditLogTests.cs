using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Observe.Dashboard.Actions;
using Observe.Dashboard.Auditing;
using Observe.Dashboard.Auth;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>
/// The audit log end to end: changes made through the dashboard's own action services, in the running dashboard over
/// its store, then read by an Admin on <c>/settings/audit</c>; and what the recorder masks and does when it cannot write.
/// </summary>
public sealed class AuditLogTests
{
    [Fact]
    public async Task ErrorStatusAndAcknowledge_MadeInTheDashboard_ListedOnTheAuditPageWithBeforeAndAfter()
    {
        // Alerting off: its evaluator would resolve the seeded instance of a rule it does not know.
        await using var dashboard = await SignedInDashboard.StartAsync(new Dictionary<string, string?> { ["Observe:Alerting:Enabled"] = "false" });
        var store = dashboard.App.Services.GetRequiredService<IObserveStore>();
        var now = DateTimeOffset.UtcNow;
        var function = new FunctionKey("111111111111", "eu-west-1", "orders");
        await store.RecordErrorsAsync([new ErrorOccurrences(function, "fp-orders", "TimeoutError", "Task timed out", now.AddMinutes(-5), now.AddMinutes(-1), 3, "at Orders.Handler()", "req-1", "1-abc-def")], default);
        await store.UpsertAlertInstancesAsync(
            [new AlertInstance { RuleId = "error-rate", LabelsKey = "function=orders", Status = AlertStatus.Firing, ActiveSince = now.AddMinutes(-10), FiredAt = now.AddMinutes(-5), UpdatedAt = now, Summary = "orders errors" }],
            default);

        await using (var scope = SignedInScope(dashboard, "rita", DashboardRoles.Responder))
        {
            Assert.NotNull(await scope.ServiceProvider.GetRequiredService<ErrorStatusActions>().SetStatusAsync("fp-orders", ErrorStatus.Resolved, default));
            var acknowledged = await scope.ServiceProvider.GetRequiredService<AlertActions>().AcknowledgeAsync("error-rate", "function=orders", default);
            Assert.Equal("rita", acknowledged?.AcknowledgedBy);
        }

        using var admin = dashboard.Client(dashboard.CookieFor("ada", DashboardRoles.Admin));
        var response = await admin.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/settings/audit"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        var rows = document.QuerySelectorAll("[data-testid=audit-entry]");

        Assert.Equal(["alert.acknowledge", "error.status"], rows.Select(r => r.GetAttribute("data-action")));
        var ack = rows[0];
        Assert.Contains("rita", ack.TextContent, StringComparison.Ordinal);
        Assert.Contains("error-rate function=orders", ack.TextContent, StringComparison.Ordinal);
        var ackBefore = JsonNode.Parse(ack.QuerySelector("[data-testid=audit-before]")!.TextContent)!;
        var ackAfter = JsonNode.Parse(ack.QuerySelector("[data-testid=audit-after]")!.TextContent)!;
        Assert.Equal(("Firing", null), ((string?)ackBefore["status"], (string?)ackBefore["acknowledgedBy"]));
        Assert.Equal(("Firing", "rita"), ((string?)ackAfter["status"], (string?)ackAfter["acknowledgedBy"]));

        var status = rows[1];
        Assert.Contains("fp-orders", status.TextContent, StringComparison.Ordinal);
        Assert.Equal("Active", (string?)JsonNode.Parse(status.QuerySelector("[data-testid=audit-before]")!.TextContent)!["status"]);
        Assert.Equal("Resolved", (string?)JsonNode.Parse(status.QuerySelector("[data-testid=audit-after]")!.TextContent)!["status"]);

        // Filtered in the address: one user's, one action's.
        var filtered = new HtmlParser().ParseDocument(await (await admin.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/settings/audit?action=error.status&user=rita"))).Content.ReadAsStringAsync());
        Assert.Equal(["error.status"], filtered.QuerySelectorAll("[data-testid=audit-entry]").Select(r => r.GetAttribute("data-action")));

        // A Responder made the changes but may not read the log.
        using var responder = dashboard.Client(dashboard.CookieFor("rita", DashboardRoles.Responder));
        Assert.True(SignedInDashboard.IsRedirectTo(await responder.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/settings/audit")), AuthExtensions.AccessDeniedPage));
    }

    [Fact]
    public void Serialize_SecretLookingProperties_MaskedAtAnyDepth_OthersKept()
    {
        var json = ActionAudit.Serialize(new
        {
            webhookUrl = "https://hooks.slack.com/services/T0000/B0000/XXXXSECRETXXXX",
            channel = new { routingKey = "0123456789abcdef0123456789abcdef", password = "hunter2-hunter2" },
            keys = new[] { new { primaryKey = "obs_live_abcdefghijklmnopqrstuvwxyz" } },
            labelsKey = "function=orders",
            document = "condition: error_rate > 5%",
        })!;

        Assert.DoesNotContain("XXXXSECRETXXXX", json, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef0123456789abcdef", json, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", json, StringComparison.Ordinal);
        Assert.DoesNotContain("abcdefghijklmnopqrstuvwxyz", json, StringComparison.Ordinal);
        var node = JsonNode.Parse(json)!;
        Assert.Equal("https://hooks.slack.com/services/T0…/****", (string?)node["webhookUrl"]);
        Assert.Equal("0123…****", (string?)node["channel"]!["routingKey"]);
        Assert.Equal("function=orders", (string?)node["labelsKey"]);
        Assert.Equal("condition: error_rate > 5%", (string?)node["document"]);
        Assert.Null(ActionAudit.Serialize(null));
    }

    [Fact]
    public async Task RecordAsync_TheLogCannotBeWritten_FailsTheActionSayingTheChangeIsUnrecorded()
    {
        var audit = new ActionAudit(new FailingAuditLog(), TimeProvider.System, NullLogger<ActionAudit>.Instance);

        var error = await Assert.ThrowsAsync<AuditWriteException>(() => audit.RecordAsync("rita", "error.status", "fp-a", null, new { status = "Resolved" }, default));

        Assert.StartsWith("The change (error.status of fp-a) was made, but it could not be written to the audit log", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<DashboardActionException>(error);
    }

    /// <summary>A scope of the running dashboard whose signed-in user is <paramref name="name"/>, as a circuit's would be.</summary>
    private static AsyncServiceScope SignedInScope(SignedInDashboard dashboard, string name, string role)
    {
        var scope = dashboard.App.Services.CreateAsyncScope();
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], "test"));
        var state = (IHostEnvironmentAuthenticationStateProvider)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        state.SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
        return scope;
    }

    private sealed class FailingAuditLog : IAuditLogWriter
    {
        public Task<AuditEntry> AppendAuditEntryAsync(AuditEntry entry, CancellationToken cancellationToken) =>
            Task.FromException<AuditEntry>(new InvalidOperationException("the database is locked"));
    }
}
