using System.Net;

namespace Observe.Dashboard.Auth;

/// <summary>
/// Refuses <see cref="AuthMode.Unsecured"/> on an address other than loopback, unless
/// <see cref="AuthOptions.AllowUnsecuredOnNetwork"/> says a proxy in front signs people in.
/// </summary>
internal static class UnsecuredExposureCheck
{
    /// <summary>One sentence naming the address and both settings; null when nothing unsecured is exposed.</summary>
    public static string? Find(AuthOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Mode != AuthMode.Unsecured || options.AllowUnsecuredOnNetwork)
        {
            return null;
        }

        var exposed = ListenAddressCheck.ConfiguredUrls(configuration).Select(u => u.Url).FirstOrDefault(url => !IsLoopback(url));
        return exposed is null
            ? null
            : $"{AuthOptions.SectionName}:Mode is {AuthMode.Unsecured} and the dashboard would listen on {exposed}, which is not a loopback address: anyone who reaches it could read and change everything. " +
              $"Remove the Mode setting to sign in with a browser token (the default), listen on 127.0.0.1, or set {AuthOptions.SectionName}:AllowUnsecuredOnNetwork=true if something in front of it signs people in.";
    }

    internal static bool IsLoopback(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return false;
        }

        var host = address.Host.Trim('[', ']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }
}
