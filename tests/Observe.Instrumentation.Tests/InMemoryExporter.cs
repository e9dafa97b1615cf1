using OpenTelemetry;

namespace Observe.Instrumentation.Tests;

/// <summary>Keeps exported items in memory (OpenTelemetry.Exporter.InMemory is not in the registry here).</summary>
internal sealed class InMemoryExporter<T> : BaseExporter<T>
    where T : class
{
    private readonly List<T> _items = [];

    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    public override ExportResult Export(in Batch<T> batch)
    {
        lock (_items)
        {
            foreach (var item in batch)
            {
                _items.Add(item);
            }
        }

        return ExportResult.Success;
    }
}
