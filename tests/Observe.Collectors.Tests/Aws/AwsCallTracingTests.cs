using System.Diagnostics;
using Observe.Collectors.Tests.Credentials;
using Observe.Collectors.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Observe.Collectors.Tests.Aws;

/// <summary>
/// The AWS clients send through their own SocketsHttpHandler, not AWSSDK.Core's HttpClient: the HTTP instrumentation
/// the hosts register (ObserveTelemetry) must still see every call. Answered by a loopback server with a ListFunctions
/// page written from the Lambda API reference.
/// </summary>
public class AwsCallTracingTests
{
    [Fact]
    public async Task ListFunctions_HttpInstrumentationOn_ClientSpanPerCallToTheEndpoint()
    {
        using var lambda = new RecordedHttpServer(_ => (200, "application/json", """{"Functions":[]}"""));
        var activities = new List<Activity>();
        var tracer = Sdk.CreateTracerProviderBuilder().AddHttpClientInstrumentation().AddInMemoryExporter(activities).Build();
        var options = AwsTestHost.OptionsFor(lambda.Url, ("123456789012", ["eu-west-1"]));
        options.Accounts[0].RoleArn = null;
        using var host = new AwsTestHost(options);

        await foreach (var _ in host.Clients.Lambda("123456789012", "eu-west-1").ListFunctionsAsync(CancellationToken.None))
        {
        }

        // The provider listens process-wide: shut it down before reading, and pick this server's port.
        tracer.Dispose();
        var port = new Uri(lambda.Url).Port;
        var span = Assert.Single(activities, a => Equals(a.GetTagItem("server.port"), port));
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(("GET", 200), (span.GetTagItem("http.request.method"), span.GetTagItem("http.response.status_code")));
    }
}
