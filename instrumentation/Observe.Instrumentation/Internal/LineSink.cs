namespace Observe.Instrumentation.Internal;

/// <summary>
/// Writes whole lines to a stream, one write call per line under a lock. Nothing is buffered in the process, so a line
/// is in Lambda's log pipe before the function returns and a frozen environment cannot hold half of an invocation's logs.
/// </summary>
internal sealed class LineSink
{
    private readonly Stream _stream;
    private readonly object _lock = new();

    public LineSink(Stream stream) => _stream = stream;

    /// <summary>The process's standard output, unbuffered (Console.Out would add a writer and its encoder).</summary>
    public static LineSink StandardOutput { get; } = new(Console.OpenStandardOutput());

    /// <summary>Writes a line that already ends with '\n'.</summary>
    public void Write(ReadOnlySpan<byte> line)
    {
        lock (_lock)
        {
            _stream.Write(line);
        }
    }
}
