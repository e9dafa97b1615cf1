using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Aws;

public class AwsUsageMeterTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void GetUsage_CountsPerApiAndPricesMetrics()
    {
        var meter = new AwsUsageMeter(Options.Create(new AwsOptions()), new ManualTimeProvider(Noon));
        for (var i = 0; i < 3; i++)
        {
            meter.RecordCall("123456789012", "eu-west-1", AwsService.CloudWatch, "GetMetricData");
            meter.RecordAttempt("123456789012", "eu-west-1", AwsService.CloudWatch, "GetMetricData");
            meter.RecordBilled("123456789012", "eu-west-1", AwsService.CloudWatch, "GetMetricData", 500);
        }

        meter.RecordAttempt("123456789012", "eu-west-1", AwsService.CloudWatch, "GetMetricData");
        meter.RecordThrottled("123456789012", "eu-west-1", AwsService.CloudWatch, "GetMetricData");
        meter.RecordCall("123456789012", "eu-west-1", AwsService.Lambda, "ListFunctions");

        var usage = meter.GetUsage(new DateOnly(2026, 11, 22));

        var gmd = usage.Single(u => u.Operation == "GetMetricData");
        Assert.Equal((3, 4, 1, 0, 1500), (gmd.Calls, gmd.Attempts, gmd.ThrottledAttempts, gmd.FailedCalls, gmd.BilledUnits));

        // $0.01 per 1,000 metrics requested.
        Assert.Equal(0.015m, gmd.EstimatedCostUsd);
        Assert.Equal(0m, usage.Single(u => u.Operation == "ListFunctions").EstimatedCostUsd);
    }

    [Fact]
    public void GetUsage_SplitsByUtcDay_AndDropsDaysPastRetention()
    {
        var clock = new ManualTimeProvider(Noon);
        var meter = new AwsUsageMeter(Options.Create(new AwsOptions { UsageRetentionDays = 2 }), clock);
        meter.RecordCall("123456789012", "eu-west-1", AwsService.Logs, "FilterLogEvents");
        clock.Advance(TimeSpan.FromDays(1));
        meter.RecordCall("123456789012", "eu-west-1", AwsService.Logs, "FilterLogEvents");
        meter.RecordCall("123456789012", "eu-west-1", AwsService.Logs, "FilterLogEvents");

        Assert.Equal(1, meter.GetUsage(new DateOnly(2026, 11, 22)).Single().Calls);
        Assert.Equal(2, meter.GetUsage(new DateOnly(2026, 11, 23)).Single().Calls);

        clock.Advance(TimeSpan.FromDays(1));
        meter.RecordCall("123456789012", "eu-west-1", AwsService.Logs, "FilterLogEvents");

        Assert.Empty(meter.GetUsage(new DateOnly(2026, 11, 22)));
        Assert.Equal(2, meter.GetUsage(new DateOnly(2026, 11, 23)).Single().Calls);
    }

    [Fact]
    public void FullJitter_StaysUnderTheCappedExponentialCeiling()
    {
        var baseDelay = TimeSpan.FromMilliseconds(100);
        var max = TimeSpan.FromSeconds(5);

        Assert.Equal(TimeSpan.Zero, AwsCaller.FullJitter(baseDelay, max, 0, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(50), AwsCaller.FullJitter(baseDelay, max, 0, 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(400), AwsCaller.FullJitter(baseDelay, max, 2, 1));
        Assert.Equal(max, AwsCaller.FullJitter(baseDelay, max, 30, 1));
    }
}

public class AwsErrorClassifierTests
{
    private static AwsError Decode(HttpStatusCode status, string body, params (string Name, string Value)[] headers)
    {
        using var response = new HttpResponseMessage(status) { Content = new StringContent(body) };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return AwsErrorClassifier.Decode(response, Encoding.UTF8.GetBytes(body));
    }

    [Fact]
    public void Decode_Json10WithNamespacedType_TakesTheBareCode()
    {
        var error = Decode(HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.cloudwatch#InvalidNextToken","message":"bad token"}""", ("x-amzn-RequestId", "r-1"));

        Assert.Equal(new AwsError("InvalidNextToken", "bad token", "r-1"), error);
    }

    [Fact]
    public void Decode_QueryCompatibleHeader_WinsOverTheJsonType()
    {
        // CloudWatch's awsQueryCompatible trait: the JSON type is ThrottlingException, the Query code is Throttling.
        var error = Decode(HttpStatusCode.BadRequest, """{"__type":"ThrottlingException","message":"Rate exceeded"}""", ("x-amzn-query-error", "Throttling;Sender"));

        Assert.Equal("Throttling", error.Code);
    }

    [Fact]
    public void Decode_RestJsonErrorTypeHeader_WithSuffix()
    {
        var error = Decode(HttpStatusCode.NotFound, """{"Type":"User","Message":"Function not found"}""", ("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/"));

        Assert.Equal(new AwsError("ResourceNotFoundException", "Function not found", null), error);
    }

    [Fact]
    public void Decode_NonJsonBody_FallsBackToTheStatus()
    {
        Assert.Equal("BadGateway", Decode(HttpStatusCode.BadGateway, "<html>proxy error</html>").Code);
        Assert.Equal(new AwsError("ExpiredToken", "The security token included in the request is expired", null),
            Decode(HttpStatusCode.Forbidden, "<ErrorResponse><Error><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error></ErrorResponse>"));
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "ThrottlingException", "Throttled")]
    [InlineData(HttpStatusCode.BadRequest, "Throttling", "Throttled")]
    [InlineData(HttpStatusCode.TooManyRequests, "TooManyRequestsException", "Throttled")]
    [InlineData(HttpStatusCode.TooManyRequests, "", "Throttled")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "ServiceUnavailableException", "Transient")]
    [InlineData(HttpStatusCode.InternalServerError, "InternalFailure", "Transient")]
    [InlineData(HttpStatusCode.BadRequest, "ValidationException", "Final")]
    [InlineData(HttpStatusCode.NotFound, "ResourceNotFoundException", "Final")]
    [InlineData(HttpStatusCode.Forbidden, "ExpiredTokenException", "Final")]
    [InlineData(HttpStatusCode.OK, "", "Success")]
    public void Classify_ThrottlingServerAndClientErrors(HttpStatusCode status, string code, string expected) =>
        Assert.Equal(expected, AwsErrorClassifier.Classify(status, code).ToString());
}
