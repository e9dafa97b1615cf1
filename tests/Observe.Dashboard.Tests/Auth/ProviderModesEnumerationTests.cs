using System.Net;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>
/// The enumeration of <see cref="AuthorizationEnumerationTests"/> (every mapped endpoint, the Blazor hub's included) in
/// the two modes where someone else signs people in: anonymous gets 401, or for a page a redirect to the provider; a
/// Viewer opens every page but the Responder's and Admin's, which refuse them. What each role may do is checked on the action services, whatever the mode.
/// </summary>
public sealed class ProviderModesEnumerationTests
{
    /// <summary>Open in both modes: probes, the sign-in page and the error page (no /auth/login form: no token to post).</summary>
    private static readonly string[] OpenAlways = ["/alive", "/error", "/health", "/login"];

    [Fact]
    public async Task AwsAlb_EveryEndpoint_Anonymous401_ViewerIn_NoRole403()
    {
        await using var dashboard = await AwsAlbDashboard.StartAsync();
        using var anonymous = dashboard.Client();
        using var viewer = dashboard.Client(dashboard.Keys.Token(groups: ["observe-viewers"]));
        using var nobody = dashboard.Client(dashboard.Keys.Token(name: "Nora Nobody", groups: ["staff"]));

        var problems = new List<string>();
        var open = await CheckAnonymousAsync(dashboard.App, anonymous, problems, page => page.StatusCode == HttpStatusCode.Unauthorized);
        foreach (var (endpoint, viewerMay) in Gets(dashboard.App))
        {
            var asViewer = await viewer.SendAsync(SignedInDashboard.Page(HttpMethod.Get, endpoint));
            var refused = asViewer.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || SignedInDashboard.IsRedirectTo(asViewer, Observe.Dashboard.Auth.AuthExtensions.AccessDeniedPage);
            if (refused == viewerMay)
            {
                problems.Add($"GET {endpoint} as a Viewer: {(int)asViewer.StatusCode} {asViewer.Headers.Location}");
            }

            var asNobody = await nobody.SendAsync(SignedInDashboard.Page(HttpMethod.Get, endpoint));
            if (asNobody.StatusCode != HttpStatusCode.Forbidden && endpoint != Observe.Dashboard.Auth.AuthExtensions.AccessDeniedPage)
            {
                problems.Add($"GET {endpoint} without a role: {(int)asNobody.StatusCode}");
            }
        }

        Assert.Empty(problems);
        Assert.Equal(OpenAlways.Append("(a sign-in page asset)"), open);
    }

    [Fact]
    public async Task OpenIdConnect_EveryEndpoint_Anonymous401OrSentToTheProvider_ViewerIn()
    {
        await using var dashboard = await OidcDashboard.StartAsync();
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = dashboard.BaseAddress };
        var authorize = new Uri(OidcPeer.Url, "/auth").ToString();

        var problems = new List<string>();
        var open = await CheckAnonymousAsync(dashboard.App, anonymous, problems,
            page => page.StatusCode == HttpStatusCode.Redirect && page.Headers.Location?.GetLeftPart(UriPartial.Path) == authorize);

        using var browser = new OidcBrowser();
        var (signedIn, _) = await browser.OpenAsync(dashboard.BaseAddress, "vic");
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        foreach (var (endpoint, viewerMay) in Gets(dashboard.App))
        {
            var asViewer = await browser.GetAsync(new Uri(dashboard.BaseAddress, endpoint));
            var location = asViewer.Headers.Location;
            var refused = asViewer.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                || (location is not null && location.OriginalString.Contains(Observe.Dashboard.Auth.AuthExtensions.AccessDeniedPage, StringComparison.Ordinal));
            if (refused == viewerMay || (location is not null && location.OriginalString.StartsWith(authorize, StringComparison.Ordinal)))
            {
                problems.Add($"GET {endpoint} as a Viewer: {(int)asViewer.StatusCode} {location}");
            }
        }

        Assert.Empty(problems);
        Assert.Equal(OpenAlways.Append("/auth/login").Order(StringComparer.Ordinal).Append("(a sign-in page asset)"), open);
    }

    /// <summary>Every endpoint not open to anyone refuses a script with 401, and a page as <paramref name="pageRefused"/> says; answers the open ones.</summary>
    private static async Task<List<string>> CheckAnonymousAsync(Microsoft.AspNetCore.Builder.WebApplication app, HttpClient client, List<string> problems, Func<HttpResponseMessage, bool> pageRefused)
    {
        var open = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in AuthorizationEnumerationTests.Endpoints(app))
        {
            if (endpoint.AllowsAnonymous)
            {
                open.Add(Observe.Dashboard.Auth.AuthExtensions.LoginAssets().IsMatch(endpoint.Path) ? "(a sign-in page asset)" : endpoint.Path);
                continue;
            }

            foreach (var method in endpoint.Methods)
            {
                using var plain = new HttpRequestMessage(new HttpMethod(method), new Uri(endpoint.Path, UriKind.Relative));
                var response = await client.SendAsync(plain);
                if (response.StatusCode != HttpStatusCode.Unauthorized)
                {
                    problems.Add($"{method} {endpoint.Path} ({endpoint.Name}) answered {(int)response.StatusCode}, not 401");
                }

                if (method == "GET" && !pageRefused(await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, endpoint.Path))))
                {
                    problems.Add($"GET {endpoint.Path} ({endpoint.Name}) as a page was not refused");
                }
            }
        }

        var list = open.Where(o => o != "(a sign-in page asset)").ToList();
        if (open.Contains("(a sign-in page asset)"))
        {
            list.Add("(a sign-in page asset)");
        }

        return list;
    }

    /// <summary>
    /// The pages and downloads: every GET endpoint that needs sign-in, except the Blazor hub's (a socket, not a page),
    /// and whether a Viewer may open it (it names no Responder or Admin policy).
    /// </summary>
    private static IEnumerable<(string Path, bool ViewerMay)> Gets(Microsoft.AspNetCore.Builder.WebApplication app)
    {
        var aboveViewer = ((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)app).DataSources
            .SelectMany(s => s.Endpoints)
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()
                .Any(a => a.Policy is Observe.Dashboard.Auth.DashboardRoles.Responder or Observe.Dashboard.Auth.DashboardRoles.Admin))
            .Select(e => e.RoutePattern.RawText is { } raw && raw.StartsWith('/') ? raw : "/" + e.RoutePattern.RawText)
            .ToHashSet(StringComparer.Ordinal);
        return AuthorizationEnumerationTests.Endpoints(app)
            .Where(e => !e.AllowsAnonymous && e.Methods.Contains("GET") && !e.Path.StartsWith("/_blazor", StringComparison.Ordinal) && e.Path != "/auth/logout")
            .Select(e => (e.Path, !aboveViewer.Contains(e.Pattern)))
            .Distinct();
    }
}
