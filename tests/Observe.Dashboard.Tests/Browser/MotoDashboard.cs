using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// What the browser fixtures over moto share: the dashboard's collectors pointed at moto with fixed base credentials,
/// and the start that waits until they have written what was seeded.
/// </summary>
internal static class MotoDashboard
{
    /// <summary>Every AWS service's endpoint at moto, and a dashboard that redraws on a store change within half a second.</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Observe:Aws:Endpoints:Lambda"] = Moto.Url,
        ["Observe:Aws:Endpoints:CloudWatch"] = Moto.Url,
        ["Observe:Aws:Endpoints:Logs"] = Moto.Url,
        ["Observe:Aws:Endpoints:XRay"] = Moto.Url,
        ["Observe:Aws:Endpoints:Sts"] = Moto.Url,
        ["Observe:Dashboard:RefreshThrottle"] = "00:00:00.500",
    };

    /// <summary>
    /// Fixed base credentials (no machine credentials are read), each account reached by AssumeRole and checked
    /// through STS, as production does; <paramref name="transport"/> under the signer answers what moto lacks.
    /// </summary>
    public static void UseMoto(WebApplicationBuilder builder, HttpMessageHandler transport)
    {
        builder.Services.AddSingleton(sp => new AwsCredentialsProvider(
            sp.GetRequiredService<IOptions<AwsOptions>>(), sp.GetRequiredService<AwsEndpointResolver>(), sp.GetRequiredService<AwsUsageMeter>(),
            sp.GetRequiredService<ILogger<AwsCredentialsProvider>>(),
            (_, _) => Task.FromResult<AWSCredentials>(new BasicAWSCredentials("AKIAOBSERVETEST00001", "observe-test-secret")),
            verifyAccount: true));
        builder.Services.AddSingleton(transport);
    }

    /// <summary>
    /// Starts the built dashboard (and so its collectors) and returns once <paramref name="collected"/> finds nothing
    /// missing. Subscribed before the start, so no write falls between the subscription and the first check.
    /// </summary>
    public static async Task StartAndWaitAsync(BrowserDashboard host, StoreWait collected, TimeSpan timeout, string what)
    {
        using (host.App.Services.GetRequiredService<IStoreChanges>().Subscribe(collected.OnChanged))
        {
            await host.StartDashboardAsync();
            collected.OnChanged(StoreChangeKind.Functions);
            await collected.WaitAsync(timeout, what);
        }
    }
}
