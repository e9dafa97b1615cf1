using System.Globalization;
using Observe.Collectors.Logs;

namespace Observe.Collectors.LogCollection;

/// <summary>
/// API calls one pass over an account and region takes each way, the figure <see cref="LogsReadMode.Auto"/> decides
/// by. Logs calls share one budget per account and region (FilterLogEvents: 5 a second), so calls are also time.
/// </summary>
internal static class LogsCostModel
{
    /// <summary>
    /// FilterLogEvents: every group is read each pass (a call even when empty), one more call per page of events.
    /// </summary>
    public static double FilterLogEventsCalls(int groups, double eventsPerGroup, int eventsPerPage) =>
        groups * Math.Max(1, Math.Ceiling(eventsPerGroup / eventsPerPage));

    /// <summary>
    /// Insights: DescribeLogGroups pages (50 groups a page) to leave out groups that do not exist yet (a query naming
    /// one fails whole), then per 50 groups one query (a StartQuery and its polls) per 10,000 rows it returns.
    /// The rows are the events FilterLogEvents would return, so the same measured figure sizes both.
    /// </summary>
    public static double InsightsCalls(int groups, double eventsPerGroup, int expectedPolls)
    {
        var batches = Math.Ceiling(groups / (double)CloudWatchLogsClient.MaxLogGroupsPerQuery);
        var perGroup = Math.Min(groups, CloudWatchLogsClient.MaxLogGroupsPerQuery);
        var queries = Math.Clamp(Math.Ceiling(perGroup * eventsPerGroup / LogsCollector.MaxQueryRows), 1, LogsCollector.MaxQueriesPerBatch);
        return batches + (batches * queries * (1 + expectedPolls));
    }

    /// <summary>The mode for a pass: the configured one, or under <see cref="LogsReadMode.Auto"/> the one with fewer calls.</summary>
    public static LogsCollectionStatus Choose(int groups, double eventsPerGroup, LogsCollectorOptions options, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(options);
        var filter = FilterLogEventsCalls(groups, eventsPerGroup, options.EventsPerPage);
        var insights = InsightsCalls(groups, eventsPerGroup, options.InsightsExpectedPolls);
        var figures = string.Create(CultureInfo.InvariantCulture, $"{groups} log groups, {eventsPerGroup:0.#} events a group: FilterLogEvents {filter:0} calls, Insights {insights:0} calls a pass");
        var (mode, reason) = options.Mode switch
        {
            LogsReadMode.Auto when insights < filter => (LogsReadMode.Insights, "fewer calls; " + figures),
            LogsReadMode.Auto => (LogsReadMode.FilterLogEvents, "fewer calls; " + figures),
            var forced => (forced, $"set by {LogsCollectorOptions.SectionName}:Mode; " + figures),
        };
        return new LogsCollectionStatus
        {
            Mode = mode,
            Reason = reason,
            LogGroups = groups,
            FilterLogEventsCalls = filter,
            InsightsCalls = insights,
            EventsPerGroup = eventsPerGroup,
            At = at,
        };
    }
}
