using System.Text;

namespace Observe.Instrumentation.Internal;

/// <summary>What a notice on standard error is about; each kind is said at most once per <see cref="Notices"/>.</summary>
internal enum NoticeKind
{
    ExportFailed = 0,
    EmfValuesDropped = 1,
    RuntimeApiUnreachable = 2,
}

/// <summary>
/// One-line notices on standard error for problems a function author must hear about without enabling the event
/// source (export failing, metric values dropped). Each kind is written once per process: a problem that repeats on
/// every invocation would otherwise fill the log group and the bill. The event source still reports every occurrence.
/// </summary>
internal sealed class Notices(LineSink sink)
{
    private static Notices? s_standardError;
    private int _said;

    /// <summary>
    /// The process's standard error, opened on first use (Lambda sends it to the same log stream as stdout); one instance
    /// per process, so each kind of notice is said once per process whichever instance or metric set meets it.
    /// </summary>
    public static Notices StandardError =>
        Volatile.Read(ref s_standardError) ?? Interlocked.CompareExchange(ref s_standardError, new Notices(new LineSink(Console.OpenStandardError())), null) ?? s_standardError;

    /// <summary>Notices nobody reads: the default of the internal constructors tests use, so their captured stdout stays JSON lines.</summary>
    public static Notices Discard => new(new LineSink(Stream.Null));

    /// <summary>Writes <paramref name="message"/> unless a notice of this kind was written already; returns whether it was.</summary>
    public bool Once(NoticeKind kind, string message)
    {
        var bit = 1 << (int)kind;
        var before = _said;
        while ((before & bit) == 0)
        {
            var seen = Interlocked.CompareExchange(ref _said, before | bit, before);
            if (seen == before)
            {
                try
                {
                    sink.Write(Encoding.UTF8.GetBytes($"Observe.Instrumentation: {message}\n"));
                }
                catch (Exception)
                {
                    // Standard error closed: nothing else to tell it with, and never a reason to fail the function.
                }

                return true;
            }

            before = seen;
        }

        return false;
    }
}
