using System.Collections;
using System.Collections.Concurrent;

namespace Observe.Instrumentation.Tests;

/// <summary>
/// What OpenTelemetry's in-memory exporter adds to, safe to read while it adds: every test's provider listens to the
/// one "Observe.Instrumentation" source, so spans of tests running in parallel are exported while a test reads its own.
/// Enumerating takes a snapshot (a plain list would throw "collection was modified").
/// </summary>
internal sealed class ExportedItems<T> : ICollection<T>
{
    private readonly ConcurrentQueue<T> _items = new();

    public int Count => _items.Count;

    public bool IsReadOnly => false;

    public void Add(T item) => _items.Enqueue(item);

    public void Clear() => _items.Clear();

    public bool Contains(T item) => _items.Contains(item);

    public void CopyTo(T[] array, int arrayIndex) => _items.CopyTo(array, arrayIndex);

    public bool Remove(T item) => throw new NotSupportedException("Exported items are only added.");

    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
