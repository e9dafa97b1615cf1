using System.Net;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Tests.Hosting;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>
/// The Data Protection key ring kept in the store: a session cookie one dashboard issued is accepted by another on
/// the same PostgreSQL store, and by the same SQLite dashboard after a restart. Cookies come from the real sign-in
/// link, not from the test protecting a ticket itself.
/// </summary>
public sealed class SharedKeyRingTests
{
    [Fact]
    public async Task TwoDashboards_OnePostgres_EachAcceptsTheSessionTheOtherIssued()
    {
        var (settings, drop) = await PostgresDatabaseAsync();
        try
        {
            await using var first = await SignedInDashboard.StartAsync(settings);
            var fromFirst = await SignInAsync(first);
            await using var second = await SignedInDashboard.StartAsync(settings);
            var fromSecond = await SignInAsync(second);

            Assert.Equal(HttpStatusCode.OK, await OverviewStatusAsync(second, fromFirst));
            Assert.Equal(HttpStatusCode.OK, await OverviewStatusAsync(first, fromSecond));
            // Still checked: a cookie is refused once it names another browser token's hash.
            Assert.NotEqual(HttpStatusCode.OK, await OverviewStatusAsync(second, second.CookieWithTokenHash("old", "00", DashboardRoles.Admin)));
        }
        finally
        {
            await drop();
        }
    }

    [Fact]
    public async Task SqliteDashboard_Restarted_KeepsTheSessionsItIssued()
    {
        using var directory = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["Observe:Auth:Mode"] = "BrowserToken", ["Observe:Auth:BrowserToken"] = SignedInDashboard.Token };
        string cookie;
        await using (var before = await StartAsync(directory.Path, settings))
        {
            using var client = Client(before);
            cookie = await SignInAsync(client);
            Assert.Equal(HttpStatusCode.OK, await OverviewStatusAsync(client, cookie));
        }

        await using var after = await StartAsync(directory.Path, settings);
        using var again = Client(after);
        Assert.Equal(HttpStatusCode.OK, await OverviewStatusAsync(again, cookie));
    }

    private static async Task<string> SignInAsync(SignedInDashboard dashboard)
    {
        using var client = dashboard.Client();
        return await SignInAsync(client);
    }

    /// <summary>Follows the printed sign-in link and returns the session cookie it set (name=value).</summary>
    private static async Task<string> SignInAsync(HttpClient client)
    {
        var response = await client.GetAsync(new Uri($"/auth/login?t={SignedInDashboard.Token}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AuthExtensions.CookieName + "=", StringComparison.Ordinal));
        return setCookie.Split(';')[0];
    }

    private static async Task<HttpStatusCode> OverviewStatusAsync(SignedInDashboard dashboard, string cookie)
    {
        using var client = dashboard.Client();
        return await OverviewStatusAsync(client, cookie);
    }

    private static async Task<HttpStatusCode> OverviewStatusAsync(HttpClient client, string cookie)
    {
        using var request = SignedInDashboard.Page(HttpMethod.Get, "/settings");
        request.Headers.Add("Cookie", cookie);
        return (await client.SendAsync(request)).StatusCode;
    }

    private static async Task<WebApplication> StartAsync(string directory, Dictionary<string, string?> settings)
    {
        var app = DashboardHost.Build(directory, settings);
        await app.StartDashboardAsync(CancellationToken.None);
        return app;
    }

    private static HttpClient Client(WebApplication app) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.GetListeningUrls()[0] };

    /// <summary>A new database on the server scripts/peers.sh starts, and how to drop it.</summary>
    private static async Task<(Dictionary<string, string?> Settings, Func<Task> Drop)> PostgresDatabaseAsync()
    {
        var admin = Environment.GetEnvironmentVariable("OBSERVE_TEST_POSTGRES")
            ?? throw new InvalidOperationException("OBSERVE_TEST_POSTGRES is not set: start PostgreSQL with scripts/peers.sh start and export .peers/env");
        var database = $"observe_keyring_{Guid.NewGuid():N}";
        await ExecuteAsync(admin, $"CREATE DATABASE {database}");
        var settings = new Dictionary<string, string?>
        {
            ["Observe:Store:Kind"] = "PostgreSql",
            ["Observe:Store:ConnectionString"] = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString(),
        };
        return (settings, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        });
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
