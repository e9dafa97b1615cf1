using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Tests.Hosting;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>
/// The load balancer's side of <see cref="AuthMode.AwsAlb"/>: a key endpoint on 127.0.0.1 serving a test P-256 key as
/// a PEM by kid (as <c>public-keys.auth.elb.&lt;region&gt;.amazonaws.com/&lt;kid&gt;</c> does), and tokens signed the way
/// the ALB signs <c>x-amzn-oidc-data</c>: ES256, the signer and exp in the header, base64url with '=' padding.
/// </summary>
internal sealed class AwsAlbKeyServer : IAsyncDisposable
{
    public const string AlbArn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/observe/50dc6c495c0c9188";

    private readonly WebApplication _app;
    private readonly List<string> _asked = [];

    private AwsAlbKeyServer(WebApplication app, ECDsa key, string kid)
    {
        _app = app;
        Key = key;
        Kid = kid;
    }

    public ECDsa Key { get; }

    public string Kid { get; }

    public Uri BaseAddress => new(_app.Urls.First());

    /// <summary>The kids asked for, in order.</summary>
    public IReadOnlyList<string> Asked
    {
        get
        {
            lock (_asked)
            {
                return _asked.ToList();
            }
        }
    }

    public static async Task<AwsAlbKeyServer> StartAsync()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = Guid.NewGuid().ToString();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new AwsAlbKeyServer(app, key, kid);
        app.MapGet("/{kid}", (string kid) =>
        {
            lock (server._asked)
            {
                server._asked.Add(kid);
            }

            return kid == server.Kid ? Results.Text(key.ExportSubjectPublicKeyInfoPem(), "application/octet-stream") : Results.NotFound();
        });
        await app.StartAsync();
        return server;
    }

    /// <summary>Settings of a dashboard behind this load balancer, with the test provider's groups mapped to roles.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Observe:Auth:Mode"] = "AwsAlb",
        ["Observe:Auth:AwsAlb:AlbArn"] = AlbArn,
        ["Observe:Auth:AwsAlb:Region"] = "eu-west-1",
        ["Observe:Auth:AwsAlb:KeyEndpoint"] = BaseAddress.ToString(),
        ["Observe:Auth:AwsAlb:AdminValues:0"] = "observe-admins",
        ["Observe:Auth:AwsAlb:ResponderValues:0"] = "observe-responders",
        ["Observe:Auth:AwsAlb:ViewerValues:0"] = "observe-viewers",
    };

    /// <summary>A token as the load balancer writes it; every part can be changed to make a bad one.</summary>
    public string Token(
        string name = "Vic Viewer",
        string[]? groups = null,
        DateTimeOffset? expires = null,
        string signer = AlbArn,
        string? kid = null,
        ECDsa? signingKey = null,
        bool padded = true)
    {
        var exp = (expires ?? DateTimeOffset.UtcNow.AddMinutes(2)).ToUnixTimeSeconds();
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["typ"] = "JWT", ["kid"] = kid ?? Kid, ["alg"] = "ES256", ["iss"] = "https://idp.example.test", ["client"] = "observe-client", ["signer"] = signer, ["exp"] = exp,
        });
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = "u-" + name.Replace(' ', '-'), ["name"] = name, ["email"] = "someone@example.test", ["groups"] = groups ?? ["observe-viewers"], ["exp"] = exp, ["iss"] = "https://idp.example.test",
        });
        var signed = Part(header, padded) + "." + Part(payload, padded);
        var signature = (signingKey ?? Key).SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signed + "." + Part(signature, padded);
    }

    /// <summary>base64url; with the load balancer's '=' padding unless <paramref name="padded"/> is false (plain JWS).</summary>
    public static string Part(byte[] bytes, bool padded = true)
    {
        var text = Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
        return padded ? text : text.TrimEnd('=');
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Key.Dispose();
    }
}

/// <summary>A dashboard in <see cref="AuthMode.AwsAlb"/> behind <see cref="AwsAlbKeyServer"/>.</summary>
internal sealed class AwsAlbDashboard : IAsyncDisposable
{
    private readonly TempDirectory _directory;

    private AwsAlbDashboard(TempDirectory directory, WebApplication app, AwsAlbKeyServer keys)
    {
        _directory = directory;
        App = app;
        Keys = keys;
    }

    public WebApplication App { get; }

    public AwsAlbKeyServer Keys { get; }

    public static async Task<AwsAlbDashboard> StartAsync()
    {
        var keys = await AwsAlbKeyServer.StartAsync();
        var directory = new TempDirectory();
        var app = DashboardHost.Build(directory.Path, keys.Settings());
        await app.StartDashboardAsync(CancellationToken.None);
        return new AwsAlbDashboard(directory, app, keys);
    }

    /// <summary>A client that follows no redirect; <paramref name="token"/> goes in the header with every request.</summary>
    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = App.GetListeningUrls()[0] };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Add(AwsAlbAuthenticationHandler.DataHeader, token);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Keys.DisposeAsync();
        _directory.Dispose();
    }
}
