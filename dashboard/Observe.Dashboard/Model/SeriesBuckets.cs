namespace Observe.Dashboard.Model;

/// <summary>Picks the bucket of a chart from the range length, so every range plots a readable number of points.</summary>
public static class SeriesBuckets
{
    /// <summary>At most this many points per chart: enough for a shape, few enough to read and to render fast.</summary>
    public const int MaxPoints = 120;

    private static readonly TimeSpan[] Steps =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromDays(1),
    ];

    /// <summary>The smallest step (one minute at least, the store's resolution) giving at most <see cref="MaxPoints"/> buckets.</summary>
    public static TimeSpan Choose(TimeSpan rangeLength)
    {
        foreach (var step in Steps)
        {
            if (rangeLength.Ticks <= step.Ticks * MaxPoints)
            {
                return step;
            }
        }

        return Steps[^1];
    }
}
