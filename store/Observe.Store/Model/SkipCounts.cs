using System.Globalization;

namespace Observe.Store.Model;

/// <summary>
/// Rows or lines a collector read but could not store, counted by reason ("malformed REPORT line": 3). Immutable, with
/// value equality, so a <see cref="CollectorStatus"/> holding it still compares by value.
/// </summary>
public sealed class SkipCounts : IEquatable<SkipCounts>
{
    private readonly SortedDictionary<string, long> _byReason;

    private SkipCounts(SortedDictionary<string, long> byReason)
    {
        _byReason = byReason;
        Total = byReason.Values.Sum();
    }

    public static SkipCounts None { get; } = new(new SortedDictionary<string, long>(StringComparer.Ordinal));

    /// <summary>Every skipped row, whatever the reason.</summary>
    public long Total { get; }

    /// <summary>The counts by reason, reasons in ordinal order; no zero counts.</summary>
    public IReadOnlyDictionary<string, long> ByReason => _byReason;

    /// <summary>Counts from pairs; repeated reasons add up, zero and negative counts are left out.</summary>
    public static SkipCounts From(IEnumerable<KeyValuePair<string, long>> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var byReason = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (reason, count) in counts)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(reason);
            if (count > 0)
            {
                byReason[reason] = byReason.GetValueOrDefault(reason) + count;
            }
        }

        return byReason.Count == 0 ? None : new SkipCounts(byReason);
    }

    /// <summary>These counts and <paramref name="other"/>'s, added reason by reason.</summary>
    public SkipCounts Add(SkipCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Total == 0 ? this : Total == 0 ? other : From(_byReason.Concat(other._byReason));
    }

    public bool Equals(SkipCounts? other) =>
        other is not null && Total == other.Total && _byReason.Count == other._byReason.Count &&
        _byReason.All(kv => other._byReason.TryGetValue(kv.Key, out var count) && count == kv.Value);

    public override bool Equals(object? obj) => Equals(obj as SkipCounts);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (reason, count) in _byReason)
        {
            hash.Add(reason, StringComparer.Ordinal);
            hash.Add(count);
        }

        return hash.ToHashCode();
    }

    /// <summary><c>none</c>, or <c>3 (malformed REPORT line 2, unreadable @timestamp 1)</c>.</summary>
    public override string ToString() => Total == 0
        ? "none"
        : string.Create(CultureInfo.InvariantCulture, $"{Total} ({string.Join(", ", _byReason.Select(kv => $"{kv.Key} {kv.Value}"))})");
}
