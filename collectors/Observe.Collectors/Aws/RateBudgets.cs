using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Observe.Collectors.Aws;

/// <summary>
/// A token bucket on a <see cref="TimeProvider"/>: <c>rate</c> tokens a second, at most <c>capacity</c> saved up.
/// A caller reserves a token even when none is left (the count goes negative) and waits until it would have been
/// refilled, so waiting callers are served in arrival order and never exceed the rate together.
/// </summary>
internal sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private readonly double _rate;
    private readonly double _capacity;
    private readonly object _gate = new();
    private double _tokens;
    private long _refilledAt;

    public TokenBucket(double perSecond, int burst, TimeProvider time)
    {
        _rate = perSecond;
        _capacity = burst;
        _time = time;
        _tokens = burst;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>Tokens available now (negative when callers are queued).</summary>
    public double Available
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _tokens;
            }
        }
    }

    /// <summary>Takes a token and returns how long to wait before using it.</summary>
    public TimeSpan Reserve()
    {
        lock (_gate)
        {
            Refill();
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _rate);
        }
    }

    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        var wait = Reserve();
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The reservation was never used: give it back so a cancelled caller does not slow the others down.
            lock (_gate)
            {
                _tokens = Math.Min(_capacity, _tokens + 1);
            }

            throw;
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_refilledAt, now);
        _refilledAt = now;
        _tokens = Math.Min(_capacity, _tokens + (elapsed.TotalSeconds * _rate));
    }
}

/// <summary>
/// The rate budgets of every account, region and API: one <see cref="TokenBucket"/> per (account, region, budget key),
/// where the key is the operation when it has a budget of its own and the service otherwise (Lambda's shared quota).
/// </summary>
internal sealed class RateBudgets
{
    private readonly ConcurrentDictionary<(string Account, string Region, string Key), TokenBucket> _buckets = new();
    private readonly IOptions<AwsOptions> _options;
    private readonly TimeProvider _time;

    public RateBudgets(IOptions<AwsOptions> options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    public TokenBucket For(string accountId, string region, AwsService service, string operation)
    {
        var (key, budget) = Resolve(service, operation);
        return _buckets.GetOrAdd((accountId, region, key), static (_, state) =>
            new TokenBucket(state.budget.PerSecond, state.budget.Burst ?? Math.Max(1, (int)Math.Ceiling(state.budget.PerSecond)), state.time), (budget, time: _time));
    }

    /// <summary>The budget key and figures that apply to an operation: configured before default, operation before service.</summary>
    public (string Key, RateBudgetOptions Budget) Resolve(AwsService service, string operation)
    {
        var configured = _options.Value.RateBudgets;
        if (configured.TryGetValue(operation, out var budget))
        {
            return (operation, budget);
        }

        if (configured.TryGetValue(service.Name, out budget))
        {
            return (service.Name, budget);
        }

        if (RateBudgetDefaults.Budgets.TryGetValue(operation, out budget))
        {
            return (operation, budget);
        }

        return RateBudgetDefaults.Budgets.TryGetValue(service.Name, out budget)
            ? (service.Name, budget)
            : (service.Name, RateBudgetDefaults.Fallback);
    }
}
