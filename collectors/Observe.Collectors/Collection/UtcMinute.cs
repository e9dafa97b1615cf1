namespace Observe.Collectors.Collection;

/// <summary>The 1-minute grid the store and CloudWatch's Period 60 share.</summary>
internal static class UtcMinute
{
    /// <summary>The start of the UTC minute holding <paramref name="at"/>.</summary>
    public static DateTimeOffset Floor(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
}
