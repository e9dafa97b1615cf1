using Observe.Store.Model;

namespace Observe.Collectors.Collection;

/// <summary>
/// What one pass noticed on its way besides the data it stored: rows or lines it read and skipped (counted by reason)
/// and problems that make the pass degraded (a sub-step that failed, rows it could not read). The host records both on
/// the target's status, so nothing is dropped where the Collectors page cannot show it. Safe to use from the pass's
/// parallel parts.
/// </summary>
internal sealed class PassReport
{
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _skipped = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];

    /// <summary>
    /// Counts rows or lines skipped for <paramref name="reason"/>. Skipping alone does not make a pass degraded: a line
    /// that is malformed at its source is counted and shown, while rows the collector failed to read also call
    /// <see cref="Degraded"/>.
    /// </summary>
    public void Skipped(string reason, long count = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return;
        }

        lock (_gate)
        {
            _skipped[reason] = _skipped.GetValueOrDefault(reason) + count;
        }
    }

    /// <summary>Marks the pass degraded, saying why; the same words twice are kept once.</summary>
    public void Degraded(string problem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(problem);
        lock (_gate)
        {
            if (!_problems.Contains(problem, StringComparer.Ordinal))
            {
                _problems.Add(problem);
            }
        }
    }

    public bool IsDegraded
    {
        get
        {
            lock (_gate)
            {
                return _problems.Count > 0;
            }
        }
    }

    /// <summary>Every problem so far, in the order reported.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_gate)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>What was skipped so far, by reason.</summary>
    public SkipCounts Skips
    {
        get
        {
            lock (_gate)
            {
                return SkipCounts.From(_skipped);
            }
        }
    }
}
