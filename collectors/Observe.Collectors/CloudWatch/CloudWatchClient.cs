using System.Runtime.CompilerServices;
using Observe.Collectors.Aws;

namespace Observe.Collectors.CloudWatch;

/// <summary>The CloudWatch calls the metrics and alarms collectors need, for one account and region.</summary>
public interface ICloudWatchClient
{
    /// <summary>
    /// The results of every page (<c>NextToken</c> followed to the end). A query's points can be split over pages:
    /// results with the same <see cref="MetricDataResult.Id"/> belong together.
    /// </summary>
    IAsyncEnumerable<MetricDataResult> GetMetricDataAsync(GetMetricDataRequest request, CancellationToken cancellationToken);

    IAsyncEnumerable<CloudWatchMetric> ListMetricsAsync(ListMetricsRequest request, CancellationToken cancellationToken);

    /// <summary>Every page of alarms; metric and composite alarms unless the request narrows <see cref="DescribeAlarmsRequest.AlarmTypes"/>.</summary>
    IAsyncEnumerable<DescribeAlarmsPage> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken);
}

/// <summary>CloudWatch over JSON 1.0 (<c>X-Amz-Target: GraniteServiceVersion20100801.{Operation}</c>).</summary>
internal sealed class CloudWatchClient(AwsCaller caller, AwsAccountOptions account, string region)
    : AwsClientBase(caller, account, region, AwsService.CloudWatch), ICloudWatchClient
{
    /// <summary>AWS rejects GetMetricData calls with more queries than this.</summary>
    public const int MaxQueriesPerCall = 500;

    private const string TargetPrefix = "GraniteServiceVersion20100801";
    private const string JsonVersion = "1.0";

    private static CloudWatchJsonContext Json => CloudWatchJsonContext.Default;

    public async IAsyncEnumerable<MetricDataResult> GetMetricDataAsync(GetMetricDataRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.MetricDataQueries.Count is 0 or > MaxQueriesPerCall)
        {
            throw new ArgumentException($"GetMetricData takes 1 to {MaxQueriesPerCall} queries per call, not {request.MetricDataQueries.Count}", nameof(request));
        }

        // AWS bills GetMetricData per metric requested, on every page.
        var metrics = request.MetricDataQueries.Count(q => q.MetricStat is not null);
        var token = request.NextToken;
        do
        {
            var page = await RpcAsync(TargetPrefix, JsonVersion, "GetMetricData", request with { NextToken = token }, Json.GetMetricDataRequest, Json.GetMetricDataResponse, cancellationToken, metrics).ConfigureAwait(false);
            foreach (var result in page.MetricDataResults ?? [])
            {
                yield return result;
            }

            token = page.NextToken;
        }
        while (!string.IsNullOrEmpty(token));
    }

    public async IAsyncEnumerable<CloudWatchMetric> ListMetricsAsync(ListMetricsRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = request.NextToken;
        do
        {
            var page = await RpcAsync(TargetPrefix, JsonVersion, "ListMetrics", request with { NextToken = token }, Json.ListMetricsRequest, Json.ListMetricsResponse, cancellationToken).ConfigureAwait(false);
            foreach (var metric in page.Metrics ?? [])
            {
                yield return metric;
            }

            token = page.NextToken;
        }
        while (!string.IsNullOrEmpty(token));
    }

    public async IAsyncEnumerable<DescribeAlarmsPage> DescribeAlarmsAsync(DescribeAlarmsRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = request.NextToken;
        do
        {
            var page = await RpcAsync(TargetPrefix, JsonVersion, "DescribeAlarms", request with { NextToken = token }, Json.DescribeAlarmsRequest, Json.DescribeAlarmsPage, cancellationToken).ConfigureAwait(false);
            yield return page;
            token = page.NextToken;
        }
        while (!string.IsNullOrEmpty(token));
    }
}
