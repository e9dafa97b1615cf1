using Amazon;
using Microsoft.Extensions.Options;

namespace Observe.Collectors.Aws;

/// <summary>
/// Where a service is called in a region: the configured override (<c>Observe:Aws:Endpoints:{Service}</c>) or
/// <c>https://{prefix}.{region}.{partition DNS suffix}</c>. AWSSDK.Core v4 has no public per-service endpoint lookup,
/// but <see cref="RegionEndpoint"/> knows each region's partition (amazonaws.com, amazonaws.com.cn, ...).
/// </summary>
internal sealed class AwsEndpointResolver
{
    private readonly AwsEndpointOptions _overrides;

    public AwsEndpointResolver(IOptions<AwsOptions> options) => _overrides = options.Value.Endpoints ?? new AwsEndpointOptions();

    public Uri Resolve(AwsService service, string region)
    {
        var configured = service.Name switch
        {
            "Lambda" => _overrides.Lambda,
            "CloudWatch" => _overrides.CloudWatch,
            "Logs" => _overrides.Logs,
            "XRay" => _overrides.XRay,
            "Sts" => _overrides.Sts,
            "Sns" => _overrides.Sns,
            _ => null,
        };

        if (configured is not null)
        {
            return new Uri(configured.EndsWith('/') ? configured : configured + "/", UriKind.Absolute);
        }

        var suffix = RegionEndpoint.GetBySystemName(region).PartitionDnsSuffix;
        return new Uri($"https://{service.EndpointPrefix}.{region}.{(string.IsNullOrEmpty(suffix) ? "amazonaws.com" : suffix)}/", UriKind.Absolute);
    }
}
