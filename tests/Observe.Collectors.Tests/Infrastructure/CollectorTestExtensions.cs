using Observe.Collectors.Collection;

namespace Observe.Collectors.Tests.Infrastructure;

internal static class CollectorTestExtensions
{
    /// <summary>
    /// One pass whose report the test does not look at. Tests about skips and degraded passes pass their own
    /// <see cref="PassReport"/>; everything else would only repeat <c>new PassReport()</c>.
    /// </summary>
    public static Task CollectAsync(this ICollector collector, CollectionTarget target, CancellationToken cancellationToken) =>
        collector.CollectAsync(target, new PassReport(), cancellationToken);
}
