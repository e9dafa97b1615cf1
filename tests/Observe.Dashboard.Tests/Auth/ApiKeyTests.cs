using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Model;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>
/// API keys over real HTTP on the CSV export (a machine endpoint): accepted in either header with the Viewer role,
/// each refusal a 401 saying what to do, rotation keeping the old secret until it is retired, revocation ending both.
/// </summary>
public sealed class ApiKeyTests
{
    /// <summary>Creates a key through the store as the settings page's action would, returning the whole key.</summary>
    internal static async Task<string> CreateKeyAsync(SignedInDashboard dashboard, string name, string role = DashboardRoles.Viewer)
    {
        var id = ApiKeySecrets.NewId();
        var (key, hash) = ApiKeySecrets.NewSecret(id);
        var writer = dashboard.App.Services.GetRequiredService<IApiKeyWriter>();
        Assert.True(await writer.CreateApiKeyAsync(new ApiKey(id, name, role, DateTimeOffset.UtcNow, "tests"), hash, CancellationToken.None));
        return key;
    }

    internal static string IdOf(string key) => ApiKeySecrets.TryParse(key, out var id, out _) ? id : throw new ArgumentException("not a key", nameof(key));

    [Fact]
    public async Task Export_ViewerKeyInEitherHeader_Answers_WithoutOne_401SayingToSignIn()
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        var key = await CreateKeyAsync(dashboard, "ci export");
        using var client = dashboard.Client();

        var byHeader = await client.SendAsync(Export(ApiKeyAuthentication.HeaderName, key));
        var byBearer = await client.SendAsync(Export("Authorization", "Bearer " + key));
        var without = await client.GetAsync(new Uri(FunctionsExport.Path, UriKind.Relative));

        Assert.Equal((HttpStatusCode.OK, "text/csv"), (byHeader.StatusCode, byHeader.Content.Headers.ContentType?.MediaType));
        Assert.StartsWith("name,account_id", await byHeader.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, byBearer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        var used = Assert.Single(await dashboard.App.Services.GetRequiredService<IApiKeyReader>().GetApiKeysAsync(CancellationToken.None));
        Assert.NotNull(used.LastUsedAt);
    }

    [Theory]
    [InlineData("not-a-key", "not one the dashboard issues")]
    [InlineData("obs_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not known to the dashboard")]
    public async Task Export_MalformedOrUnknownKey_401WithWhatToDo(string key, string says)
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        using var client = dashboard.Client();

        var response = await client.SendAsync(Export(ApiKeyAuthentication.HeaderName, key));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(says, body, StringComparison.Ordinal);
        Assert.Contains("/settings/api-keys", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotation_OldAndNewWork_UntilRetired_ThenOnlyNew_RevokeEndsBoth()
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        var old = await CreateKeyAsync(dashboard, "assistant");
        var id = IdOf(old);
        var writer = dashboard.App.Services.GetRequiredService<IApiKeyWriter>();
        using var client = dashboard.Client();
        async Task<HttpStatusCode> Status(string key) => (await client.SendAsync(Export(ApiKeyAuthentication.HeaderName, key))).StatusCode;

        var (current, hash) = ApiKeySecrets.NewSecret(id);
        Assert.NotNull(await writer.RotateApiKeyAsync(id, hash, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (await Status(old), await Status(current)));

        Assert.NotNull(await writer.RetireApiKeySecondaryAsync(id, CancellationToken.None));
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.OK), (await Status(old), await Status(current)));
        var retired = await client.SendAsync(Export(ApiKeyAuthentication.HeaderName, old));
        Assert.Contains("not current", await retired.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.NotNull(await writer.RevokeApiKeyAsync(id, "alice", DateTimeOffset.UtcNow, CancellationToken.None));
        var revoked = await client.SendAsync(Export(ApiKeyAuthentication.HeaderName, current));
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Contains("'assistant' was revoked", await revoked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_HoldsOnlyTheSecretsSha256()
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        var key = await CreateKeyAsync(dashboard, "assistant");
        Assert.True(ApiKeySecrets.TryParse(key, out _, out var secret));

        var stored = await dashboard.App.Services.GetRequiredService<IApiKeyCredentialReader>().GetApiKeyCredentialAsync(IdOf(key), CancellationToken.None);

        Assert.Equal(43, secret.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), stored!.PrimaryHash);
        Assert.DoesNotContain(secret, stored.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsPage_Admin_ListsKeysAsText_WithoutSecrets()
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        var key = await CreateKeyAsync(dashboard, "<script>alert(1)</script>");
        Assert.True(ApiKeySecrets.TryParse(key, out var id, out var secret));
        using var admin = dashboard.Client(dashboard.CookieFor("ada", DashboardRoles.Admin));

        var response = await admin.SendAsync(SignedInDashboard.Page(HttpMethod.Get, "/settings/api-keys"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert(1)", html, StringComparison.Ordinal);
        Assert.Contains(id, html, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, html, StringComparison.Ordinal);
    }

    [Fact]
    public void NewSecret_256RandomBits_NeverTheSameTwice()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => ApiKeySecrets.NewSecret("0123456789abcdef").Key).ToHashSet();

        Assert.Equal(100, keys.Count);
        Assert.All(keys, k => Assert.True(ApiKeySecrets.TryParse(k, out var id, out var secret) && id == "0123456789abcdef" && Convert.FromBase64String(Pad(secret)).Length == 32));
    }

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - (s.Length % 4)) % 4);
    }

    private static HttpRequestMessage Export(string header, string value)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(FunctionsExport.Path, UriKind.Relative));
        request.Headers.TryAddWithoutValidation(header, value);
        return request;
    }
}
