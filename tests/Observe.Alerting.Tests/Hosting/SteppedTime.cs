using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Observe.Alerting.Tests.Hosting;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows which of its timers are armed and when each is due, so a test can run
/// the alerting host as a discrete-event simulation: wait until every loop is parked on a timer, then move the clock
/// straight to the earliest one. Nothing runs late because the test advanced the clock while a loop was still working.
/// </summary>
internal sealed class SteppedTime(DateTimeOffset start) : TimeProvider
{
    private readonly FakeTimeProvider _fake = new(start);
    private readonly ConcurrentDictionary<Tracked, byte> _timers = new();

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _fake.LocalTimeZone;

    /// <summary>How many timers are waiting to fire.</summary>
    public int Armed => _timers.Keys.Count(t => t.DueAt is not null);

    public string Describe() => string.Join(", ", _timers.Keys.Select(t => $"{t.DueAt:HH:mm:ss.fffffff}"));

    /// <summary>When the earliest armed timer fires.</summary>
    public DateTimeOffset? NextDue => _timers.Keys.Select(t => t.DueAt).Where(d => d is not null).Min();

    /// <summary>Moves the clock to <paramref name="to"/>, firing every timer due by then.</summary>
    public void AdvanceTo(DateTimeOffset to)
    {
        if (to > _fake.GetUtcNow())
        {
            _fake.SetUtcNow(to);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new Tracked(this, period);
        _timers[tracked] = 0;
        tracked.Arm(dueTime);
        tracked.Inner = _fake.CreateTimer(
            s =>
            {
                tracked.Fired();
                callback(s);
            },
            state,
            dueTime,
            period);
        return tracked;
    }

    private sealed class Tracked(SteppedTime owner, TimeSpan period) : ITimer
    {
        private readonly Lock _gate = new();
        private TimeSpan _period = period;
        private DateTimeOffset? _dueAt;

        public ITimer? Inner { get; set; }

        public DateTimeOffset? DueAt
        {
            get
            {
                lock (_gate)
                {
                    return _dueAt;
                }
            }
        }

        public void Arm(TimeSpan dueTime)
        {
            lock (_gate)
            {
                _dueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner.GetUtcNow() + dueTime;
            }
        }

        public void Fired()
        {
            lock (_gate)
            {
                _dueAt = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : owner.GetUtcNow() + _period;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                _period = period;
            }

            Arm(dueTime);
            return Inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            owner._timers.TryRemove(this, out _);
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
