using Microsoft.Extensions.Options;
using Observe.Alerting.Lifecycle;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Mcp;

/// <summary>
/// Absolute links to the dashboard's pages for answers read outside a browser: from <c>Observe:Alerting:PublicBaseUrl</c>
/// when set (the address people reach, as notifications use it), else from the request's own scheme, host and base path.
/// </summary>
internal sealed class DashboardLinks(IHttpContextAccessor context, IOptions<AlertingOptions> alerting)
{
    /// <summary>The page at <paramref name="relative"/> (as the pages build it, without a leading slash), with the range's parameters when given.</summary>
    public string To(string relative, TimeRangeSelection? range)
    {
        ArgumentNullException.ThrowIfNull(relative);
        var address = relative.TrimStart('/');
        if (range is not null)
        {
            var parameters = range.ToQuery().Where(p => p.Value is not null)
                .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)!)}");
            var query = string.Join('&', parameters);
            address = query.Length == 0 ? address : address + (address.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;
        }

        return new Uri(Base(), address).ToString();
    }

    private Uri Base()
    {
        if (alerting.Value.PublicBaseUrl is { } configured)
        {
            return configured.AbsoluteUri.EndsWith('/') ? configured : new Uri(configured.AbsoluteUri + "/");
        }

        var request = context.HttpContext?.Request ?? throw new InvalidOperationException("links are built while answering a request, or from Observe:Alerting:PublicBaseUrl");
        return new Uri($"{request.Scheme}://{request.Host}{request.PathBase}/");
    }
}
