namespace Observe.Store.Tests.Harness;

/// <summary>Collects change callbacks (they arrive on a background thread) and waits for a kind to show up.</summary>
public sealed class ChangeRecorder
{
    private readonly object _gate = new();
    private readonly List<StoreChangeKind> _seen = [];

    public IReadOnlyList<StoreChangeKind> Seen
    {
        get
        {
            lock (_gate)
            {
                return [.. _seen];
            }
        }
    }

    public void Add(StoreChangeKind kind)
    {
        lock (_gate)
        {
            _seen.Add(kind);
        }
    }

    public bool HasSeen(StoreChangeKind kind) => Seen.Any(k => k.HasFlag(kind));

    public async Task WaitForAsync(StoreChangeKind kind, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!HasSeen(kind))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no {kind} change within 30 s; seen: {string.Join(", ", Seen)}");
            await Task.Delay(20, cancellationToken);
        }
    }
}
