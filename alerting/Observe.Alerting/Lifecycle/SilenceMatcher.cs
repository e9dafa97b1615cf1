using Observe.Store.Model;

namespace Observe.Alerting.Lifecycle;

/// <summary>
/// Which alerts a silence covers. Every matcher must match: the label is present and equals the value, or matches it
/// as a glob when the value holds <c>*</c> (any run of characters) or <c>?</c> (one character). Case-sensitive, as
/// function names are. A silence without matchers covers nothing, so an empty form cannot mute every alert.
/// </summary>
internal static class SilenceMatcher
{
    public static bool IsActive(Silence silence, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(silence);
        return silence.StartsAt <= now && now < silence.EndsAt;
    }

    public static bool Matches(Silence silence, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(silence);
        ArgumentNullException.ThrowIfNull(labels);
        return silence.Matchers.Count > 0
            && silence.Matchers.All(m => labels.TryGetValue(m.Key, out var value) && Glob.IsMatch(m.Value, value));
    }

    /// <summary>True when a silence active at <paramref name="now"/> covers the labels.</summary>
    public static bool IsSilenced(IEnumerable<Silence> silences, IReadOnlyDictionary<string, string> labels, DateTimeOffset now) =>
        silences.Any(s => IsActive(s, now) && Matches(s, labels));
}

/// <summary>Glob matching with <c>*</c> and <c>?</c>, whole-string, ordinal.</summary>
internal static class Glob
{
    public static bool IsMatch(string pattern, string text)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(text);

        // Greedy with one backtrack point (the last star): linear in practice, never exponential like a naive recursion.
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]) && pattern[p] != '*')
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
