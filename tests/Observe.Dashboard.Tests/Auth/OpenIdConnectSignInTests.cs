using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Observe.Dashboard.Auth;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>
/// <see cref="AuthMode.OpenIdConnect"/> against a real provider on 127.0.0.1 (oidc-provider, started by
/// <c>scripts/peers.sh</c>): the whole code flow with PKCE, role mapping from the <c>groups</c> claim, sign-out of both
/// sessions, and key rotation. One test at a time (one class): rotating the provider's key concerns every sign-in.
/// </summary>
public sealed class OpenIdConnectSignInTests
{
    [Theory]
    [InlineData("alice", "Alice Admin", "Viewer, Responder, Admin")]
    [InlineData("rita", "Rita Responder", "Viewer, Responder")]
    [InlineData("vic", "Vic Viewer", "Viewer")]
    public async Task SignIn_GroupsMappedToTheRole_BackOnThePageAskedFor(string user, string name, string roles)
    {
        await using var dashboard = await OidcDashboard.StartAsync();
        using var browser = new OidcBrowser();

        var (page, address) = await browser.OpenAsync(new Uri(dashboard.BaseAddress, "/functions?sort=name"), user);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("/functions?sort=name", address.PathAndQuery);
        Assert.Equal((name, roles), OidcBrowser.User(await page.Content.ReadAsStringAsync()));
        // The handler pushed its authorization request (PAR, which the provider offers), so the browser only carries a
        // reference to it; the provider is configured to refuse any request without PKCE, so this sign-in used it.
        var authorize = browser.Visited.First(u => u.Port == OidcPeer.Url.Port && u.AbsolutePath == "/auth");
        var query = QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal("observe-test", query["client_id"].ToString());
        Assert.StartsWith("urn:ietf:params:oauth:request_uri:", query["request_uri"].ToString(), StringComparison.Ordinal);
        Assert.True(browser.HasSession(dashboard.BaseAddress));
    }

    [Fact]
    public async Task SignIn_NoGroupGrantsARole_403NamingTheClaimAndValues_NoSession()
    {
        await using var dashboard = await OidcDashboard.StartAsync();
        using var browser = new OidcBrowser();

        var (response, address) = await browser.OpenAsync(dashboard.BaseAddress, "nora");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("/signin-oidc", address.AbsolutePath);
        Assert.Equal(
            "You are signed in as Nora Nobody, but no value of your 'groups' claim grants a dashboard role. Admin needs one of [observe-admins], Responder one of [observe-responders], " +
            "Viewer one of [observe-viewers] (Observe:Auth:OpenIdConnect:AdminValues, ResponderValues, ViewerValues). Ask whoever runs your sign-in provider to add you to one of them.",
            await response.Content.ReadAsStringAsync());
        Assert.False(browser.HasSession(dashboard.BaseAddress));
    }

    [Fact]
    public async Task Anonymous_PageSentToTheProvider_EverythingElse401()
    {
        await using var dashboard = await OidcDashboard.StartAsync();
        using var browser = new OidcBrowser();

        var page = await browser.GetAsync(new Uri(dashboard.BaseAddress, "/errors"));
        var export = await new HttpClient().GetAsync(new Uri(dashboard.BaseAddress, Observe.Dashboard.Model.FunctionsExport.Path));

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal(new Uri(OidcPeer.Url, "/auth").ToString(), page.Headers.Location!.GetLeftPart(UriPartial.Path));
        Assert.Equal(HttpStatusCode.Unauthorized, export.StatusCode);
    }

    [Fact]
    public async Task SignOut_EndsTheDashboardsSessionAndTheProviders()
    {
        await using var dashboard = await OidcDashboard.StartAsync();
        using var browser = new OidcBrowser();
        var (page, _) = await browser.OpenAsync(dashboard.BaseAddress, "vic");
        var token = await Antiforgery.ReadAsync(page);

        var signOut = await browser.PostAsync(new Uri(dashboard.BaseAddress, "/auth/logout"), new Dictionary<string, string> { [Antiforgery.FieldName] = token.Token });

        // The dashboard's cookie is gone and the browser goes to the provider's end-session endpoint with the id token.
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.False(browser.HasSession(dashboard.BaseAddress));
        var endSession = signOut.Headers.Location!;
        Assert.Equal(new Uri(OidcPeer.Url, "/session/end").ToString(), endSession.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(endSession.Query);
        Assert.NotEmpty(query["id_token_hint"].ToString());
        Assert.Equal(new Uri(dashboard.BaseAddress, "/signout-callback-oidc").ToString(), query["post_logout_redirect_uri"].ToString());

        // The provider asks to confirm (its own form), then comes back through the dashboard to the sign-in page.
        var confirm = await (await browser.GetAsync(endSession)).Content.ReadAsStringAsync();
        var action = System.Text.RegularExpressions.Regex.Match(confirm, "id=\"op.logoutForm\" method=\"post\" action=\"(?<a>[^\"]+)\"><input type=\"hidden\" name=\"xsrf\" value=\"(?<x>[^\"]+)\"");
        Assert.True(action.Success, confirm);
        var confirmAddress = new Uri(endSession, WebUtility.HtmlDecode(action.Groups["a"].Value));
        var back = await browser.PostAsync(confirmAddress, new Dictionary<string, string> { ["xsrf"] = action.Groups["x"].Value, ["logout"] = "yes" });
        var (landed, landedAt) = await browser.FollowAsync(back, confirmAddress, null);
        Assert.Equal((HttpStatusCode.OK, "/login"), (landed.StatusCode, landedAt.AbsolutePath));

        // Signed out at the provider too: opening the dashboard asks for the user again instead of signing straight in.
        var (again, againAt) = await browser.OpenAsync(dashboard.BaseAddress);
        Assert.Equal((HttpStatusCode.OK, OidcPeer.Url.Port), (again.StatusCode, againAt.Port));
        Assert.StartsWith("/interaction/", againAt.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyRotation_TheProviderSignsWithANewKey_ANewSignInStillWorks()
    {
        await using var dashboard = await OidcDashboard.StartAsync();
        using (var before = new OidcBrowser())
        {
            // The dashboard reads the provider's keys on this first sign-in, and keeps them.
            var (first, _) = await before.OpenAsync(dashboard.BaseAddress, "vic");
            Assert.Equal(("Vic Viewer", "Viewer"), OidcBrowser.User(await first.Content.ReadAsStringAsync()));
        }

        var kid = await OidcPeer.RotateKeyAsync();
        using var after = new OidcBrowser();
        var (page, _) = await after.OpenAsync(dashboard.BaseAddress, "rita");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(("Rita Responder", "Viewer, Responder"), OidcBrowser.User(await page.Content.ReadAsStringAsync()));
        Assert.Equal(kid, OidcPeer.CurrentSigningKey().Kid);
        // The id token named the new key; the dashboard read the provider's keys again and started the sign-in over once.
        Assert.Single(after.Visited, u => u.AbsolutePath == "/auth/login" && u.Query.Contains("keyRetry=1", StringComparison.Ordinal));
    }

    // The provider never issues an expired, altered or misaddressed id token, so these replace the id token of its real
    // token response (on the dashboard's back channel) with one made here: signed with the provider's own current key
    // (the peer writes it to a file), so only the property under test is wrong. The dashboard's own handler validates it.

    [Fact]
    public async Task IdToken_Expired_Refused_NoSession() =>
        await AssertIdTokenRefusedAsync(claims =>
        {
            claims["exp"] = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
            claims["iat"] = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
            return Sign(claims);
        }, typeof(SecurityTokenExpiredException));

    [Fact]
    public async Task IdToken_Tampered_Refused_NoSession() =>
        await AssertIdTokenRefusedAsync(null, typeof(SecurityTokenInvalidSignatureException));

    [Fact]
    public async Task IdToken_ForAnotherClient_Refused_NoSession() =>
        await AssertIdTokenRefusedAsync(claims =>
        {
            claims["aud"] = "observe-other";
            claims["azp"] = "observe-other";
            return Sign(claims);
        }, typeof(SecurityTokenInvalidAudienceException));

    /// <summary>
    /// Signs in as alice with the id token replaced: <paramref name="forge"/> gets the real token's claims and returns
    /// the new token; null changes the real token's payload after signing (her name), keeping its signature.
    /// </summary>
    private static async Task AssertIdTokenRefusedAsync(Func<JsonObject, string>? forge, Type expected)
    {
        var failures = new List<Exception>();
        var replaced = 0;
        await using var dashboard = await OidcDashboard.StartAsync(services => services.PostConfigure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
        {
            options.BackchannelHttpHandler = new IdTokenReplacer(original =>
            {
                Interlocked.Increment(ref replaced);
                var parts = original.Split('.');
                var claims = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
                if (forge is not null)
                {
                    return forge(claims);
                }

                claims["name"] = "Mallory";
                return $"{parts[0]}.{Base64UrlEncoder.Encode(claims.ToJsonString())}.{parts[2]}";
            });
            var inner = options.Events.OnRemoteFailure;
            options.Events.OnRemoteFailure = context =>
            {
                lock (failures)
                {
                    failures.Add(context.Failure!);
                }

                return inner(context);
            };
        }));
        using var browser = new OidcBrowser();

        var (response, address) = await browser.OpenAsync(dashboard.BaseAddress, "alice");

        Assert.Equal(1, replaced);
        Assert.Equal((HttpStatusCode.Unauthorized, "/signin-oidc"), (response.StatusCode, address.AbsolutePath));
        Assert.StartsWith("Signing in with your sign-in provider did not work", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(browser.HasSession(dashboard.BaseAddress));
        var failure = Assert.Single(failures);
        Assert.True(Chain(failure).Any(expected.IsInstanceOfType), $"expected {expected.Name}, got {failure}");
    }

    private static string Sign(JsonObject claims)
    {
        var key = OidcPeer.CurrentSigningKey();
        return new JsonWebTokenHandler().CreateToken(claims.ToJsonString(), new SigningCredentials(key, SecurityAlgorithms.RsaSha256));
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>Passes the back channel through to the provider, replacing the id token of the token endpoint's answer.</summary>
    private sealed class IdTokenReplacer(Func<string, string> replace) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri!.AbsolutePath != "/token" || !response.IsSuccessStatusCode)
            {
                return response;
            }

            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!.AsObject();
            body["id_token"] = replace(body["id_token"]!.GetValue<string>());
            response.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            return response;
        }
    }
}
