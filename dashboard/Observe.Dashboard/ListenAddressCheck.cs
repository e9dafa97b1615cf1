using System.Net;
using System.Net.Sockets;

namespace Observe.Dashboard;

/// <summary>
/// Checks, before anything starts, that the addresses the dashboard is told to listen on are free. Kestrel finds a
/// taken port only inside the host's start, which logs the failure with a stack trace; this check turns the common
/// case into one line naming the address and the setting. A port taken between this check and Kestrel's bind still
/// fails the start (with the host's own log), and still before any writer started (see StartedWithServer).
/// </summary>
internal static class ListenAddressCheck
{
    /// <summary>The settings that choose the addresses, in the words an operator would search for.</summary>
    internal const string UrlsSetting = "Urls (environment variable ASPNETCORE_URLS, or --urls)";

    private const string EndpointsSection = "Kestrel:Endpoints";

    /// <summary>The dashboard's address when none is configured: loopback only, so a first run exposes nothing.</summary>
    internal const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// Listens on <see cref="DefaultUrl"/> unless an address is configured the ways ASP.NET Core reads them:
    /// <c>ASPNETCORE_URLS</c> or <c>--urls</c> (<c>urls</c>), <c>ASPNETCORE_HTTP_PORTS</c>/<c>HTTPS_PORTS</c>, or
    /// <c>Kestrel:Endpoints</c> (also as <c>Kestrel__Endpoints__...</c> variables). The default lives here rather than in
    /// launchSettings.json, whose <c>applicationUrl</c> would override the operator's <c>ASPNETCORE_URLS</c> under
    /// <c>dotnet run</c>.
    /// </summary>
    public static void UseDefaultWhenUnset(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var configured = !string.IsNullOrWhiteSpace(configuration["urls"])
            || !string.IsNullOrWhiteSpace(configuration["http_ports"])
            || !string.IsNullOrWhiteSpace(configuration["https_ports"])
            || configuration.GetSection(EndpointsSection).GetChildren().Any();
        if (!configured)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
    }

    /// <summary>The first configured address that cannot be bound, described in one sentence; null when all are free.</summary>
    public static string? FindTakenAddress(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        foreach (var (url, setting) in ConfiguredUrls(configuration))
        {
            if (Probe(url) is { } problem)
            {
                return $"Cannot listen on {url}: {problem}. Stop what listens there, or give the dashboard another address with {setting}.";
            }
        }

        return null;
    }

    /// <summary>The addresses the dashboard will listen on, each with the setting that chose it.</summary>
    internal static IEnumerable<(string Url, string Setting)> ConfiguredUrls(IConfiguration configuration)
    {
        // Kestrel's endpoints section wins over Urls when it has entries, as in Kestrel itself.
        var endpoints = configuration.GetSection(EndpointsSection).GetChildren()
            .Select(e => (Url: e["Url"], Setting: $"{EndpointsSection}:{e.Key}:Url"))
            .Where(e => !string.IsNullOrWhiteSpace(e.Url))
            .Select(e => (e.Url!, e.Setting))
            .ToList();
        if (endpoints.Count > 0)
        {
            return endpoints;
        }

        // Without urls, Kestrel listens on every interface at the HTTP_PORTS; UseDefaultWhenUnset set urls otherwise.
        var urls = configuration["urls"];
        return string.IsNullOrWhiteSpace(urls)
            ? (configuration["http_ports"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(port => ($"http://*:{port}", "ASPNETCORE_HTTP_PORTS"))
            : urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => (u, UrlsSetting));
    }

    /// <summary>Binds a socket the way Kestrel would and closes it; the reason it failed, or null.</summary>
    private static string? Probe(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return null; // Kestrel reports a malformed address itself, naming it.
        }

        if (address.IsUnixPipe || address.Port == 0)
        {
            return null;
        }

        foreach (var ip in Addresses(address.Host))
        {
            using var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (ip.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            // Kestrel sets SO_REUSEADDR on Linux, so a port held only by connections in TIME_WAIT is free to it;
            // a listening socket still refuses the bind.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                socket.Bind(new IPEndPoint(ip, address.Port));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return "the address is already in use";
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
            {
                return "permission denied (ports below 1024 need privileges)";
            }
            catch (SocketException)
            {
                return null; // e.g. no IPv6 on this machine: Kestrel decides what to do about that.
            }
        }

        return null;
    }

    private static IPAddress[] Addresses(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return [IPAddress.Loopback];
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            return [ip];
        }

        // "*", "+", "0.0.0.0" or a host name: Kestrel listens on every interface.
        return Socket.OSSupportsIPv6 ? [IPAddress.IPv6Any] : [IPAddress.Any];
    }
}
