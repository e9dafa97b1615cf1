using Observe.Collectors.Aws;

namespace Observe.Collectors.CloudWatch;

/// <summary>The CloudWatch calls the metrics and alarms collectors need, for one account and region.</summary>
internal interface ICloudWatchClient
{
    /// <summary>
    /// The results of every page (<c>NextToken</c> followed to the end). A query's points can be split over pages:
    /// results with the same <see cref="MetricDataResult.Id"/> belong together.
    /// </summary>
    IAsyncEnumerable<MetricDataResult> GetMetricDataAsync(GetMetricDataRequest request, CancellationToken cancellationToken);

    IAsyncEnumerable<CloudWatchMetric> ListMetricsAsync(ListMetricsRequest request, CancellationToken cancellationToken);

    /// <summary>Every page of alarms; metric and composite alarms unless the request narrows <see cref="DescribeAlarmsRequest.AlarmTypes"/>.</summary>
    IAsyncEnumerable<DescribeAlarmsPage> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The history items of every page, in the order the request's <see cref="DescribeAlarmHistoryRequest.ScanBy"/> asks;
    /// by default the state updates of every alarm, oldest first.
    /// </summary>
    IAsyncEnumerable<AlarmHistoryItem> DescribeAlarmHistoryAsync(DescribeAlarmHistoryRequest request, CancellationToken cancellationToken);
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

    public IAsyncEnumerable<MetricDataResult> GetMetricDataAsync(GetMetricDataRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.MetricDataQueries.Count is 0 or > MaxQueriesPerCall)
        {
            throw new ArgumentException($"GetMetricData takes 1 to {MaxQueriesPerCall} queries per call, not {request.MetricDataQueries.Count}", nameof(request));
        }

        // AWS bills GetMetricData per metric requested, on every page.
        var metrics = request.MetricDataQueries.Count(q => q.MetricStat is not null);
        return PagesAsync(
            "GetMetricData",
            request.NextToken,
            (token, ct) => RpcAsync(TargetPrefix, JsonVersion, "GetMetricData", request with { NextToken = token }, Json.GetMetricDataRequest, Json.GetMetricDataResponse, ct, metrics),
            page => page.MetricDataResults,
            page => page.NextToken,
            cancellationToken);
    }

    public IAsyncEnumerable<CloudWatchMetric> ListMetricsAsync(ListMetricsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return PagesAsync(
            "ListMetrics",
            request.NextToken,
            (token, ct) => RpcAsync(TargetPrefix, JsonVersion, "ListMetrics", request with { NextToken = token }, Json.ListMetricsRequest, Json.ListMetricsResponse, ct),
            page => page.Metrics,
            page => page.NextToken,
            cancellationToken);
    }

    public IAsyncEnumerable<DescribeAlarmsPage> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return PagesAsync<DescribeAlarmsPage, DescribeAlarmsPage>(
            "DescribeAlarms",
            request.NextToken,
            (token, ct) => RpcAsync(TargetPrefix, JsonVersion, "DescribeAlarms", request with { NextToken = token }, Json.DescribeAlarmsRequest, Json.DescribeAlarmsPage, ct),
            page => [page],
            page => page.NextToken,
            cancellationToken);
    }

    public IAsyncEnumerable<AlarmHistoryItem> DescribeAlarmHistoryAsync(DescribeAlarmHistoryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return PagesAsync(
            "DescribeAlarmHistory",
            request.NextToken,
            (token, ct) => RpcAsync(TargetPrefix, JsonVersion, "DescribeAlarmHistory", request with { NextToken = token }, Json.DescribeAlarmHistoryRequest, Json.DescribeAlarmHistoryResponse, ct),
            page => page.AlarmHistoryItems,
            page => page.NextToken,
            cancellationToken);
    }
}
