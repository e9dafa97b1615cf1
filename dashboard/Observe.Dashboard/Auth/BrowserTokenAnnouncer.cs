using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Observe.Dashboard.Auth;

/// <summary>
/// Prints the sign-in link once the server listens: as a log line, and on the console itself, so the operator sees
/// it whatever the log level or log destination.
/// </summary>
internal sealed class BrowserTokenAnnouncer(BrowserToken token, IServer server, IHostApplicationLifetime lifetime, ILogger<BrowserTokenAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Announce);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Announce()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? ListenAddressCheck.DefaultUrl;
        var link = $"{address.TrimEnd('/')}{AuthEndpoints.LoginPath}?{AuthEndpoints.TokenParameter}={token.Value}";
        logger.LogInformation("Sign in to the dashboard with {LoginUrl} (or paste the token {BrowserToken} on its sign-in page)", link, token.Value);
        Console.Out.WriteLine($"Observe dashboard: sign in with {link}");
    }
}
