using System.Globalization;
using Observe.Collectors.Collection;

namespace Observe.Collectors.Metrics;

/// <summary>A statistic of one function that could not be read: from which minute it is missing, and why.</summary>
internal sealed record UnreadQuery(string Function, LambdaStat Stat, DateTimeOffset From, string Error);

/// <summary>One statistic that could not be read for some functions, as a pass reports it.</summary>
internal sealed record UnreadStatistic(string Metric, string Statistic, int Functions, string ExampleFunction, DateTimeOffset Since, string Error)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Metric} {Statistic} of {Functions} function{(Functions == 1 ? "" : "s")} (e.g. {ExampleFunction}) since {Since:yyyy-MM-dd HH:mm}Z: {Error}");
}

/// <summary>
/// The statistics of one target that could not be read, per function, until a retry reads them. The one place a
/// partial failure is kept: what a degraded pass reports (<see cref="Describe"/>) is built from it. Their minutes stay unknown (NULL) in the store meanwhile, never zero. Kept in memory: after
/// a restart they stay unknown, which the Overview shows as such.
/// </summary>
internal sealed class UnreadStatistics
{
    private readonly Dictionary<(string Function, LambdaStat Stat), UnreadQuery> _queries = [];
    private readonly Dictionary<string, StatSet> _byFunction = new(StringComparer.Ordinal);

    public int Count => _queries.Count;

    /// <summary>The statistics of <paramref name="function"/> that are waiting for a retry.</summary>
    public StatSet Of(string function) => _byFunction.GetValueOrDefault(function);

    /// <summary>Records a failed read; a statistic already missing keeps its earlier start, so the retry covers both windows.</summary>
    public void Add(string function, LambdaStat stat, DateTimeOffset from, string error)
    {
        var key = (function, stat);
        _queries[key] = _queries.TryGetValue(key, out var known) && known.From < from ? known with { Error = error } : new UnreadQuery(function, stat, from, error);
        _byFunction[function] = Of(function).Union(StatSet.Of(stat));
    }

    public void Remove(string function, LambdaStat stat)
    {
        if (_queries.Remove((function, stat)))
        {
            var rest = Of(function).Except(StatSet.Of(stat));
            if (rest.IsEmpty)
            {
                _byFunction.Remove(function);
            }
            else
            {
                _byFunction[function] = rest;
            }
        }
    }

    /// <summary>Forgets functions no longer listed as active and moves starts older than <paramref name="earliest"/> up to it.</summary>
    public int Prune(IReadOnlyDictionary<string, StatSet> active, DateTimeOffset earliest)
    {
        var dropped = 0;
        foreach (var (key, query) in _queries.ToList())
        {
            if (!active.ContainsKey(key.Function))
            {
                Remove(key.Function, key.Stat);
                dropped++;
            }
            else if (query.From < earliest)
            {
                _queries[key] = query with { From = earliest };
            }
        }

        return dropped;
    }

    public IReadOnlyList<UnreadQuery> Queries() => [.. _queries.Values];

    /// <summary>Per statistic: how many functions, one of them, since when and the latest error; in the statistics' order.</summary>
    public IReadOnlyList<UnreadStatistic> Summarize() =>
        [.. _queries.Values
            .GroupBy(q => q.Stat)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var (_, _, metric, statistic) = StatSet.Definition(g.Key);
                var first = g.OrderBy(q => q.Function, StringComparer.Ordinal).First();
                return new UnreadStatistic(metric, statistic, g.Count(), first.Function, g.Min(q => q.From), first.Error);
            })];

    /// <summary>What a pass that stored what it could but not these statistics says: which, since when, and when they are retried.</summary>
    public static string Describe(CollectionTarget target, IReadOnlyList<UnreadStatistic> statistics, DateTimeOffset? retryAt)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(statistics);
        var retry = retryAt is { } at ? string.Create(CultureInfo.InvariantCulture, $"; retried from {at:HH:mm}Z") : "";
        return $"account {target.Account.DisplayName}, {target.Region}: could not read {string.Join("; ", statistics)}. " +
            $"Every other statistic was stored; these show as unknown until read{retry}";
    }
}
