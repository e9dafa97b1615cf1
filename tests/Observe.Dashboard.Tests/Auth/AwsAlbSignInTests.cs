using System.Net;
using System.Security.Cryptography;
using Observe.Dashboard.Auth;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>
/// <see cref="AuthMode.AwsAlb"/> against tokens signed by a test P-256 key served by a loopback key endpoint: the
/// dashboard accepts exactly what the load balancer would have signed, and nothing else.
/// </summary>
public sealed class AwsAlbSignInTests : IAsyncLifetime
{
    private AwsAlbDashboard _dashboard = null!;

    public async Task InitializeAsync() => _dashboard = await AwsAlbDashboard.StartAsync();

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ValidToken_PaddedAsTheAlbWritesItOrPlainJws_SignedInWithTheMappedRole(bool padded)
    {
        using var client = _dashboard.Client(_dashboard.Keys.Token(name: "Rita Responder", groups: ["staff", "observe-responders"], padded: padded));

        var page = await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/"));
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("title=\"Viewer, Responder\">Rita Responder</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_ReadOncePerKid_ThenKept()
    {
        using var client = _dashboard.Client(_dashboard.Keys.Token());

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(Observe.Dashboard.Model.FunctionsExport.Path, UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(Observe.Dashboard.Model.FunctionsExport.Path, UriKind.Relative))).StatusCode);

        Assert.Equal([_dashboard.Keys.Kid], _dashboard.Keys.Asked);
    }

    [Fact]
    public async Task MissingHeader_401SayingToComeThroughTheLoadBalancer_ForPagesToo()
    {
        using var client = _dashboard.Client();

        var page = await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/"));

        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Contains("through its AWS load balancer", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_dashboard.Keys.Asked);
    }

    [Fact]
    public async Task Expired_Refused_WithinTheClockSkew_Accepted()
    {
        using var expired = _dashboard.Client(_dashboard.Keys.Token(expires: DateTimeOffset.UtcNow.AddMinutes(-5)));
        using var justPast = _dashboard.Client(_dashboard.Keys.Token(expires: DateTimeOffset.UtcNow.AddSeconds(-20)));

        Assert.Equal(HttpStatusCode.Unauthorized, (await expired.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await justPast.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/"))).StatusCode);
    }

    [Fact]
    public async Task WrongSigner_Refused_WithoutReadingAnyKey()
    {
        using var client = _dashboard.Client(_dashboard.Keys.Token(signer: AwsAlbKeyServer.AlbArn.Replace("observe", "another", StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/"))).StatusCode);
        Assert.Empty(_dashboard.Keys.Asked);
    }

    [Fact]
    public async Task SignedWithAnotherKey_UnderThePublishedKid_Refused()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var client = _dashboard.Client(_dashboard.Keys.Token(signingKey: other));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/"))).StatusCode);
        Assert.Equal([_dashboard.Keys.Kid], _dashboard.Keys.Asked);
    }

    [Fact]
    public async Task UnknownKid_Refused_AfterAskingTheEndpoint()
    {
        var kid = Guid.NewGuid().ToString();
        using var client = _dashboard.Client(_dashboard.Keys.Token(kid: kid));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/"))).StatusCode);
        Assert.Equal([kid], _dashboard.Keys.Asked);
    }

    [Fact]
    public async Task PayloadChangedAfterSigning_Refused()
    {
        var parts = _dashboard.Keys.Token(groups: ["observe-viewers"]).Split('.');
        var forged = System.Text.Encoding.UTF8.GetString(AwsAlbAuthenticationHandler.Decode(parts[1])!).Replace("observe-viewers", "observe-admins", StringComparison.Ordinal);
        using var client = _dashboard.Client($"{parts[0]}.{AwsAlbKeyServer.Part(System.Text.Encoding.UTF8.GetBytes(forged))}.{parts[2]}");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/"))).StatusCode);
    }

    [Fact]
    public async Task NoGroupGrantsARole_403NamingTheClaimAndTheValues()
    {
        using var client = _dashboard.Client(_dashboard.Keys.Token(name: "Nora Nobody", groups: ["staff"]));

        var page = await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/"));
        var text = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Equal(
            "You are signed in as Nora Nobody, but no value of your 'groups' claim grants a dashboard role. Admin needs one of [observe-admins], Responder one of [observe-responders], " +
            "Viewer one of [observe-viewers] (Observe:Auth:AwsAlb:AdminValues, ResponderValues, ViewerValues). Ask whoever runs your sign-in provider to add you to one of them.",
            text);
    }

    [Fact]
    public async Task SignOut_ExpiresTheLoadBalancersSessionCookies()
    {
        using var client = _dashboard.Client(_dashboard.Keys.Token());
        var form = await Antiforgery.ReadAsync(await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/")));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/auth/logout", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { [Antiforgery.FieldName] = form.Token }),
        };
        request.Headers.Add("Cookie", $"{form.Cookie}; AWSELBAuthSessionCookie-0=abc; AWSELBAuthSessionCookie-1=def");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login?signedOut=1", response.Headers.Location?.OriginalString);
        var expired = response.Headers.GetValues("Set-Cookie").Where(c => c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)).Select(c => c.Split('=')[0]).Order().ToList();
        Assert.Equal(["AWSELBAuthSessionCookie-0", "AWSELBAuthSessionCookie-1"], expired);
    }
}
