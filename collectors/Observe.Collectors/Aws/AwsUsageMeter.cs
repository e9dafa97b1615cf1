using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Observe.Store.Model;

namespace Observe.Collectors.Aws;

/// <summary>
/// What the collectors asked of AWS, per account, region, API and UTC day: calls, HTTP attempts (retries included),
/// throttled and failed attempts, and for GetMetricData the metrics requested and their estimated price. The dashboard
/// reads it to show what collection costs.
/// </summary>
public interface IAwsUsageMeter
{
    /// <summary>
    /// Usage on one UTC day, ordered by account, region, service, operation, in the store's record so the usage writer
    /// stores it as it is. Empty for days not kept.
    /// </summary>
    IReadOnlyList<ApiUsage> GetUsage(DateOnly day);
}

/// <summary>The in-process meter: lock-free counters per key, days past the retention dropped as new days begin.</summary>
internal sealed class AwsUsageMeter : IAwsUsageMeter
{
    private readonly ConcurrentDictionary<UsageKey, Counters> _counters = new();
    private readonly TimeProvider _time;
    private readonly int _retentionDays;
    private readonly decimal _pricePer1000;
    private long _prunedBeforeDayNumber;

    public AwsUsageMeter(IOptions<AwsOptions> options, TimeProvider time)
    {
        _time = time;
        _retentionDays = options.Value.UsageRetentionDays;
        _pricePer1000 = options.Value.GetMetricDataPricePer1000Metrics;
    }

    public void RecordCall(string accountId, string region, AwsService service, string operation) =>
        Interlocked.Increment(ref For(accountId, region, service, operation).Calls);

    public void RecordAttempt(string accountId, string region, AwsService service, string operation) =>
        Interlocked.Increment(ref For(accountId, region, service, operation).Attempts);

    public void RecordThrottled(string accountId, string region, AwsService service, string operation) =>
        Interlocked.Increment(ref For(accountId, region, service, operation).Throttled);

    public void RecordFailure(string accountId, string region, AwsService service, string operation) =>
        Interlocked.Increment(ref For(accountId, region, service, operation).Failed);

    public void RecordMetrics(string accountId, string region, AwsService service, string operation, int metrics) =>
        Interlocked.Add(ref For(accountId, region, service, operation).Metrics, metrics);

    public IReadOnlyList<ApiUsage> GetUsage(DateOnly day) =>
        _counters
            .Where(c => c.Key.Day == day)
            .Select(c => new ApiUsage(
                day, c.Key.AccountId, c.Key.Region, c.Key.Service, c.Key.Operation,
                Interlocked.Read(ref c.Value.Calls), Interlocked.Read(ref c.Value.Attempts), Interlocked.Read(ref c.Value.Throttled),
                Interlocked.Read(ref c.Value.Failed), Interlocked.Read(ref c.Value.Metrics),
                Interlocked.Read(ref c.Value.Metrics) * _pricePer1000 / 1000m))
            .OrderBy(u => u.AccountId, StringComparer.Ordinal)
            .ThenBy(u => u.Region, StringComparer.Ordinal)
            .ThenBy(u => u.Service, StringComparer.Ordinal)
            .ThenBy(u => u.Operation, StringComparer.Ordinal)
            .ToList();

    private Counters For(string accountId, string region, AwsService service, string operation)
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        PruneBefore(today.AddDays(1 - _retentionDays));
        return _counters.GetOrAdd(new UsageKey(today, accountId, region, service.Name, operation), static _ => new Counters());
    }

    private void PruneBefore(DateOnly oldestKept)
    {
        // Checked once per day boundary: a plain read on the hot path, a scan only when the oldest day moves.
        var dayNumber = oldestKept.DayNumber;
        var pruned = Interlocked.Read(ref _prunedBeforeDayNumber);
        if (dayNumber <= pruned || Interlocked.CompareExchange(ref _prunedBeforeDayNumber, dayNumber, pruned) != pruned)
        {
            return;
        }

        foreach (var key in _counters.Keys)
        {
            if (key.Day < oldestKept)
            {
                _counters.TryRemove(key, out _);
            }
        }
    }

    private readonly record struct UsageKey(DateOnly Day, string AccountId, string Region, string Service, string Operation);

    private sealed class Counters
    {
        public long Calls;
        public long Attempts;
        public long Throttled;
        public long Failed;
        public long Metrics;
    }
}
