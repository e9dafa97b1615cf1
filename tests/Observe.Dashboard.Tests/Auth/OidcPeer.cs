using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Tests.Hosting;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>
/// The real OpenID Connect provider <c>scripts/peers.sh start</c> runs on 127.0.0.1 (the npm package oidc-provider, with
/// <c>scripts/oidc-peer.mjs</c>): its address, its signing keys, and its key rotation.
/// </summary>
internal static class OidcPeer
{
    private const string UrlVariable = "OBSERVE_TEST_OIDC_URL";
    private const string KeysVariable = "OBSERVE_TEST_OIDC_KEYS";

    /// <summary>The provider's issuer; fails, never skips, when the peer is not running.</summary>
    public static Uri Url => new(Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url
        ? url
        : throw new InvalidOperationException($"{UrlVariable} is not set. Run `bash scripts/peers.sh install && bash scripts/peers.sh start` and `source .peers/env` first, or run scripts/test.sh."));

    /// <summary>The key the provider signs with now, private part included (the peer writes its keys to a file for the tests).</summary>
    public static JsonWebKey CurrentSigningKey()
    {
        var path = Environment.GetEnvironmentVariable(KeysVariable) ?? throw new InvalidOperationException($"{KeysVariable} is not set; start the peers.");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return new JsonWebKey(document.RootElement.GetProperty("keys")[0].GetRawText());
    }

    /// <summary>Makes the provider sign with a new key from now on; answers the new key's id.</summary>
    public static async Task<string> RotateKeyAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(Url, "/test/rotate"), null);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("kid").GetString()!;
    }

    /// <summary>Settings of a dashboard signing in with the peer as client <paramref name="clientId"/>.</summary>
    public static Dictionary<string, string?> Settings(string clientId = "observe-test") => new()
    {
        ["Observe:Auth:Mode"] = "OpenIdConnect",
        ["Observe:Auth:OpenIdConnect:Authority"] = Url.ToString(),
        ["Observe:Auth:OpenIdConnect:ClientId"] = clientId,
        ["Observe:Auth:OpenIdConnect:Scopes:0"] = "openid",
        ["Observe:Auth:OpenIdConnect:Scopes:1"] = "profile",
        ["Observe:Auth:OpenIdConnect:Scopes:2"] = "groups",
        ["Observe:Auth:OpenIdConnect:AdminValues:0"] = "observe-admins",
        ["Observe:Auth:OpenIdConnect:ResponderValues:0"] = "observe-responders",
        ["Observe:Auth:OpenIdConnect:ViewerValues:0"] = "observe-viewers",
    };
}

/// <summary>A dashboard in <see cref="AuthMode.OpenIdConnect"/> against <see cref="OidcPeer"/>.</summary>
internal sealed class OidcDashboard : IAsyncDisposable
{
    private readonly TempDirectory _directory;

    private OidcDashboard(TempDirectory directory, WebApplication app)
    {
        _directory = directory;
        App = app;
    }

    public WebApplication App { get; }

    public Uri BaseAddress => App.GetListeningUrls()[0];

    public static async Task<OidcDashboard> StartAsync(Action<IServiceCollection>? services = null)
    {
        var directory = new TempDirectory();
        var app = DashboardHost.Build(directory.Path, OidcPeer.Settings(), builder => services?.Invoke(builder.Services));
        await app.StartDashboardAsync(CancellationToken.None);
        return new OidcDashboard(directory, app);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        _directory.Dispose();
    }
}

/// <summary>
/// A browser made of an HttpClient: one cookie jar for the dashboard and the provider, redirects followed by hand so
/// each hop can be checked, and the provider's sign-in form filled in with a test user's name.
/// </summary>
internal sealed partial class OidcBrowser : IDisposable
{
    private readonly HttpClient _http;

    public OidcBrowser()
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = Cookies, UseCookies = true });
    }

    public CookieContainer Cookies { get; }

    /// <summary>Every address visited, in order.</summary>
    public List<Uri> Visited { get; } = [];

    /// <summary>Opens <paramref name="address"/> as a page and follows redirects; at the provider's sign-in form, signs in as <paramref name="user"/>.</summary>
    public async Task<(HttpResponseMessage Response, Uri Address)> OpenAsync(Uri address, string? user = null)
    {
        var response = await GetAsync(address);
        return await FollowAsync(response, address, user);
    }

    public async Task<(HttpResponseMessage Response, Uri Address)> FollowAsync(HttpResponseMessage response, Uri address, string? user)
    {
        for (var hop = 0; hop < 20; hop++)
        {
            if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.RedirectKeepVerb)
            {
                address = new Uri(address, response.Headers.Location!);
                response = await GetAsync(address);
            }
            else if (response.StatusCode == HttpStatusCode.OK && user is not null && address.Port == OidcPeer.Url.Port && address.AbsolutePath.StartsWith("/interaction/", StringComparison.Ordinal))
            {
                address = new Uri(address, address.AbsolutePath + "/login");
                response = await PostAsync(address, new Dictionary<string, string> { ["login"] = user });
                user = null;
            }
            else
            {
                return (response, address);
            }
        }

        throw new InvalidOperationException($"more than 20 hops: {string.Join(" -> ", Visited)}");
    }

    public Task<HttpResponseMessage> GetAsync(Uri address)
    {
        Visited.Add(address);
        var request = new HttpRequestMessage(HttpMethod.Get, address);
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        return _http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostAsync(Uri address, Dictionary<string, string> form)
    {
        Visited.Add(address);
        var request = new HttpRequestMessage(HttpMethod.Post, address) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        return _http.SendAsync(request);
    }

    /// <summary>The session cookie the dashboard at <paramref name="dashboard"/> gave this browser, if any.</summary>
    public bool HasSession(Uri dashboard) => Cookies.GetCookies(dashboard).Any(c => c.Name == AuthExtensions.CookieName && !c.Expired);

    /// <summary>The signed-in user's name and roles, as the page header shows them.</summary>
    public static (string Name, string Roles)? User(string html) =>
        UserName().Match(html) is { Success: true } m ? (WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["roles"].Value)) : null;

    [GeneratedRegex("data-testid=\"user-name\" title=\"(?<roles>[^\"]*)\">(?<name>[^<]*)</span>")]
    private static partial Regex UserName();

    public void Dispose() => _http.Dispose();
}
