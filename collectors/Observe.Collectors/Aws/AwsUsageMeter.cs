using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Observe.Store.Model;

namespace Observe.Collectors.Aws;

/// <summary>
/// What the collectors asked of AWS, per account, region, API and UTC day: calls, HTTP attempts (retries included),
/// throttled and failed attempts, and the units AWS bills (<see cref="AwsBilling"/>) priced from
/// <see cref="AwsPriceOptions"/>. The dashboard reads it to show what collection costs.
/// </summary>
internal interface IAwsUsageMeter
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

    // Insights queries started and not yet seen to end, with the key (day included) their scan is billed under.
    private readonly ConcurrentDictionary<string, UsageKey> _openQueries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _retentionDays;
    private readonly AwsPriceOptions _prices;
    private long _prunedBeforeDayNumber;

    public AwsUsageMeter(IOptions<AwsOptions> options, TimeProvider time)
    {
        _time = time;
        _retentionDays = options.Value.UsageRetentionDays;
        _prices = options.Value.Prices ?? new AwsPriceOptions();
    }

    public void RecordCall(string accountId, string region, AwsService service, string operation) =>
        Interlocked.Increment(ref For(accountId, region, service, operation).Calls);

    public void RecordAttempt(string accountId, string region, AwsService service, string operation) =>
        Interlocked.Increment(ref For(accountId, region, service, operation).Attempts);

    public void RecordThrottled(string accountId, string region, AwsService service, string operation) =>
        Interlocked.Increment(ref For(accountId, region, service, operation).Throttled);

    public void RecordFailure(string accountId, string region, AwsService service, string operation) =>
        Interlocked.Increment(ref For(accountId, region, service, operation).Failed);

    /// <summary>Units AWS bills the operation for (see <see cref="AwsBilling.For"/>): metrics, requests, traces.</summary>
    public void RecordBilled(string accountId, string region, AwsService service, string operation, long units) =>
        Interlocked.Add(ref For(accountId, region, service, operation).Billed, units);

    /// <summary>A billed call whose quantity AWS did not report: counted apart, never as zero units.</summary>
    public void RecordUnpriced(string accountId, string region, AwsService service, string operation) =>
        Interlocked.Increment(ref For(accountId, region, service, operation).Unpriced);

    /// <summary>
    /// An Insights query started: unpriced until <see cref="RecordQueryEnded"/> reports what it scanned, so a query
    /// that is abandoned or never reports its scan stays visible as an unknown rather than free.
    /// </summary>
    public void RecordQueryStarted(string accountId, string region, string queryId)
    {
        var key = Key(accountId, region, AwsService.Logs, "StartQuery");
        _openQueries[queryId] = key;
        Interlocked.Increment(ref Counter(key).Unpriced);
    }

    /// <summary>
    /// An Insights query ended (Complete, Failed, Cancelled, Timeout): its bytes scanned are billed under the day and
    /// account it started in. A second report of the same query changes nothing; an unknown scan leaves it unpriced.
    /// </summary>
    public void RecordQueryEnded(string queryId, long? bytesScanned)
    {
        if (bytesScanned is not { } bytes || !_openQueries.TryRemove(queryId, out var key))
        {
            return;
        }

        var counters = Counter(key);
        Interlocked.Add(ref counters.Billed, bytes);
        Interlocked.Decrement(ref counters.Unpriced);
    }

    /// <summary>A Live Tail session starting now; its time is billed as it runs (<see cref="BilledSession.Update"/>) and at its end.</summary>
    public BilledSession StartSession(string accountId, string region, AwsService service, string operation) =>
        new(this, accountId, region, service, operation, _time);

    public IReadOnlyList<ApiUsage> GetUsage(DateOnly day) =>
        _counters
            .Where(c => c.Key.Day == day)
            .Select(c =>
            {
                var billed = Interlocked.Read(ref c.Value.Billed);
                return new ApiUsage(
                    day, c.Key.AccountId, c.Key.Region, c.Key.Service, c.Key.Operation,
                    Interlocked.Read(ref c.Value.Calls), Interlocked.Read(ref c.Value.Attempts), Interlocked.Read(ref c.Value.Throttled),
                    Interlocked.Read(ref c.Value.Failed), billed,
                    AwsBilling.Cost(AwsBilling.For(c.Key.Service, c.Key.Operation), billed, _prices),
                    Interlocked.Read(ref c.Value.Unpriced));
            })
            .OrderBy(u => u.AccountId, StringComparer.Ordinal)
            .ThenBy(u => u.Region, StringComparer.Ordinal)
            .ThenBy(u => u.Service, StringComparer.Ordinal)
            .ThenBy(u => u.Operation, StringComparer.Ordinal)
            .ToList();

    private Counters For(string accountId, string region, AwsService service, string operation) =>
        Counter(Key(accountId, region, service, operation));

    private UsageKey Key(string accountId, string region, AwsService service, string operation)
    {
        // Every call is metered, so this is where an undeclared one is caught: the IAM policy is checked against the
        // declarations, and a call missing from them would otherwise ship without its permission.
        if (!service.Calls(operation))
        {
            throw new ArgumentException($"{service.Name} {operation} is not declared in AwsService.{service.Name}; declare it there and grant {service.IamPrefix}:{operation} in deploy/iam/observe-collector-policy.json", nameof(operation));
        }

        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        PruneBefore(today.AddDays(1 - _retentionDays));
        return new UsageKey(today, accountId, region, service.Name, operation);
    }

    private Counters Counter(UsageKey key) => _counters.GetOrAdd(key, static _ => new Counters());

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

        foreach (var (queryId, key) in _openQueries)
        {
            if (key.Day < oldestKept)
            {
                _openQueries.TryRemove(queryId, out _);
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
        public long Billed;
        public long Unpriced;
    }

    /// <summary>
    /// Session time billed in whole seconds as it passes, so a 3-hour session shows in the usage while it runs and
    /// a crash loses at most the seconds since the last update. Not thread-safe: one session, one reader.
    /// </summary>
    internal sealed class BilledSession : IDisposable
    {
        private readonly AwsUsageMeter _meter;
        private readonly string _accountId;
        private readonly string _region;
        private readonly AwsService _service;
        private readonly string _operation;
        private readonly TimeProvider _time;
        private readonly long _started;
        private long _billedSeconds;
        private bool _ended;

        public BilledSession(AwsUsageMeter meter, string accountId, string region, AwsService service, string operation, TimeProvider time)
        {
            _meter = meter;
            _accountId = accountId;
            _region = region;
            _service = service;
            _operation = operation;
            _time = time;
            _started = time.GetTimestamp();
        }

        /// <summary>Bills the whole seconds elapsed since the last update.</summary>
        public void Update() => BillUpTo((long)_time.GetElapsedTime(_started).TotalSeconds);

        /// <summary>Ends the session: its last part second is billed as a whole one (AWS bills started minutes).</summary>
        public void Dispose()
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            BillUpTo((long)Math.Ceiling(_time.GetElapsedTime(_started).TotalSeconds));
        }

        private void BillUpTo(long seconds)
        {
            if (seconds > _billedSeconds)
            {
                _meter.RecordBilled(_accountId, _region, _service, _operation, seconds - _billedSeconds);
                _billedSeconds = seconds;
            }
        }
    }
}
