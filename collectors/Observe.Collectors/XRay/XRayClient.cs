using System.Text.Json;
using Observe.Collectors.Aws;

namespace Observe.Collectors.XRay;

/// <summary>The X-Ray calls the traces collector needs, for one account and region.</summary>
internal interface IXRayClient
{
    /// <summary>Every summary in the window, newest first, following <c>NextToken</c>.</summary>
    IAsyncEnumerable<XRayTraceSummary> GetTraceSummariesAsync(GetTraceSummariesRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Full traces, fetched 5 ids a call (X-Ray's limit). Ids X-Ray reports as unprocessed are asked for again, up to
    /// <see cref="AwsOptions.UnprocessedTraceRetries"/> times; those still missing are returned for a later pass.
    /// </summary>
    Task<XRayTraceBatch> BatchGetTracesAsync(IReadOnlyCollection<string> traceIds, CancellationToken cancellationToken);

    IAsyncEnumerable<XRayServiceNode> GetServiceGraphAsync(DateTimeOffset start, DateTimeOffset end, string? groupName, CancellationToken cancellationToken);
}

/// <summary>X-Ray over REST-JSON.</summary>
internal sealed class XRayClient(AwsCaller caller, AwsAccountOptions account, string region, AwsOptions options, TimeProvider time)
    : AwsClientBase(caller, account, region, AwsService.XRay), IXRayClient
{
    /// <summary>BatchGetTraces accepts 1 to 5 trace ids.</summary>
    public const int TraceIdsPerCall = 5;

    private static XRayJsonContext Json => XRayJsonContext.Default;

    public IAsyncEnumerable<XRayTraceSummary> GetTraceSummariesAsync(GetTraceSummariesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return PagesAsync(
            "GetTraceSummaries",
            request.NextToken,
            (token, ct) => SummariesPageAsync(request with { NextToken = token }, ct),
            page => page.TraceSummaries,
            page => page.NextToken,
            cancellationToken);
    }

    private async Task<GetTraceSummariesResponse> SummariesPageAsync(GetTraceSummariesRequest request, CancellationToken cancellationToken)
    {
        var page = await RestAsync("GetTraceSummaries", HttpMethod.Post, "TraceSummaries", JsonSerializer.SerializeToUtf8Bytes(request, Json.GetTraceSummariesRequest), Json.GetTraceSummariesResponse, cancellationToken).ConfigureAwait(false);

        // Billed per trace scanned, which only X-Ray knows: a page without the count is an unknown, not zero
        // (the summaries returned are fewer than the traces scanned whenever a filter expression is used).
        if (page.TracesProcessedCount is { } scanned && scanned >= 0)
        {
            Meter.RecordBilled(Account.AccountId, Region, Service, "GetTraceSummaries", scanned);
        }
        else
        {
            Meter.RecordUnpriced(Account.AccountId, Region, Service, "GetTraceSummaries");
        }

        return page;
    }

    public async Task<XRayTraceBatch> BatchGetTracesAsync(IReadOnlyCollection<string> traceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(traceIds);
        var traces = new List<XRayTrace>();
        var pending = traceIds.Distinct(StringComparer.Ordinal).ToList();
        for (var round = 0; pending.Count > 0; round++)
        {
            if (round > 0)
            {
                if (round > options.UnprocessedTraceRetries)
                {
                    break;
                }

                // X-Ray leaves ids unprocessed while it is still assembling the trace: give it a moment.
                await Task.Delay(options.UnprocessedTraceRetryDelay, time, cancellationToken).ConfigureAwait(false);
            }

            var unprocessed = new List<string>();
            foreach (var chunk in pending.Chunk(TraceIdsPerCall))
            {
                await FetchAsync(chunk, traces, unprocessed, cancellationToken).ConfigureAwait(false);
            }

            pending = unprocessed;
        }

        return new XRayTraceBatch(MergePages(traces), pending);
    }

    public IAsyncEnumerable<XRayServiceNode> GetServiceGraphAsync(DateTimeOffset start, DateTimeOffset end, string? groupName, CancellationToken cancellationToken) =>
        PagesAsync(
            "GetServiceGraph",
            null,
            (token, ct) => RestAsync("GetServiceGraph", HttpMethod.Post, "ServiceGraph", JsonSerializer.SerializeToUtf8Bytes(new GetServiceGraphWire { StartTime = start, EndTime = end, GroupName = groupName, NextToken = token }, Json.GetServiceGraphWire), Json.GetServiceGraphResponse, ct),
            page => page.Services,
            page => page.NextToken,
            cancellationToken);

    // A trace continued on a later page appears once per page: one trace per id, with all its segments.
    private static List<XRayTrace> MergePages(List<XRayTrace> traces) =>
        traces.GroupBy(t => t.Id, StringComparer.Ordinal)
            .Select(g => g.Count() == 1 ? g.First() : new XRayTrace
            {
                Id = g.Key,
                Duration = g.Max(t => t.Duration),
                LimitExceeded = g.Any(t => t.LimitExceeded == true),
                Segments = [.. g.SelectMany(t => t.Segments ?? []).DistinctBy(s => s.Id, StringComparer.Ordinal)],
            })
            .ToList();

    private async Task FetchAsync(string[] ids, List<XRayTrace> traces, List<string> unprocessed, CancellationToken cancellationToken)
    {
        // A trace too large for one response continues on the next page of the same call.
        string? token = null;
        var seen = new PageTokens(this, "BatchGetTraces");
        do
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new BatchGetTracesWire { TraceIds = [.. ids], NextToken = token }, Json.BatchGetTracesWire);
            var page = await RestAsync("BatchGetTraces", HttpMethod.Post, "Traces", body, Json.BatchGetTracesResponse, cancellationToken).ConfigureAwait(false);
            traces.AddRange(page.Traces ?? []);

            // Billed per trace retrieved; a trace continued over pages is counted on each, as AWS documents no merge.
            Meter.RecordBilled(Account.AccountId, Region, Service, "BatchGetTraces", page.Traces?.Count ?? 0);
            unprocessed.AddRange(page.UnprocessedTraceIds ?? []);
            token = page.NextToken;
            seen.Check(token);
        }
        while (!string.IsNullOrEmpty(token));
    }
}
