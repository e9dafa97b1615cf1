using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Tests.Hosting;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>
/// A dashboard started in <see cref="AuthMode.BrowserToken"/> with a known token, and HTTP clients that follow no
/// redirect and keep no cookie, so each test sees exactly what the dashboard answered.
/// </summary>
internal sealed class SignedInDashboard : IAsyncDisposable
{
    public const string Token = "test-token-0123456789-abcdefghijklmnopqrstuvwxyz";

    private readonly TempDirectory _directory;

    private SignedInDashboard(TempDirectory directory, WebApplication app)
    {
        _directory = directory;
        App = app;
        BaseAddress = app.GetListeningUrls()[0];
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public static async Task<SignedInDashboard> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var directory = new TempDirectory();
        var all = new Dictionary<string, string?>
        {
            ["Observe:Auth:Mode"] = "BrowserToken",
            ["Observe:Auth:BrowserToken"] = Token,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = DashboardHost.Build(directory.Path, all);
        try
        {
            await app.StartDashboardAsync(CancellationToken.None);
        }
        catch
        {
            await app.DisposeAsync();
            directory.Dispose();
            throw;
        }

        return new SignedInDashboard(directory, app);
    }

    /// <summary>A client that follows no redirect and keeps no cookie; <paramref name="cookie"/> is sent with every request.</summary>
    public HttpClient Client(string? cookie = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseAddress };
        if (cookie is not null)
        {
            client.DefaultRequestHeaders.Add("Cookie", cookie);
        }

        return client;
    }

    /// <summary>
    /// A session cookie as the dashboard itself would issue it (its data protection, its token's hash) for a user with
    /// <paramref name="roles"/>: how the tests stand in for a sign-in provider that grants other roles than Admin.
    /// </summary>
    public string CookieFor(string name, params string[] roles) => CookieWithTokenHash(name, null, roles);

    /// <summary>As <see cref="CookieFor(string, string[])"/>, naming another token's hash (null: this dashboard's).</summary>
    public string CookieWithTokenHash(string name, string? tokenHash, params string[] roles)
    {
        var options = App.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);
        var token = App.Services.GetRequiredService<BrowserToken>();
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), new Claim(BrowserToken.TokenClaim, tokenHash ?? token.Hash), .. roles.Select(r => new Claim(ClaimTypes.Role, r))],
            CookieAuthenticationDefaults.AuthenticationScheme);
        var now = DateTimeOffset.UtcNow;
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(identity), new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now.AddHours(1) }, CookieAuthenticationDefaults.AuthenticationScheme);
        return $"{AuthExtensions.CookieName}={options.TicketDataFormat.Protect(ticket)}";
    }

    /// <summary>A request asking for a page, as a browser's navigation does.</summary>
    public static HttpRequestMessage Page(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        return request;
    }

    public static bool IsRedirectTo(HttpResponseMessage response, string path) =>
        response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found
        && response.Headers.Location is { } location
        && (location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?')[0]) == path;

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        _directory.Dispose();
    }
}
