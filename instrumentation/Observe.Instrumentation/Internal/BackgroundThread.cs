using System.Runtime.InteropServices;

namespace Observe.Instrumentation.Internal;

/// <summary>
/// Runs work on a dedicated thread at the lowest scheduling priority (nice 19 on Linux), so it uses the time the
/// function's own threads leave free: a Lambda environment under 1,769 MB has less than one vCPU, and an equal-priority
/// thread would slow the first invocation by as much as it takes.
/// </summary>
internal static class BackgroundThread
{
    private const int PriorityProcess = 0;
    private const int LowestPriority = 19;

    public static void Start(string name, Action work)
    {
        var thread = new Thread(() =>
        {
            Lower();
            work();
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
    }

    private static void Lower()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            // Linux keeps the nice value per thread: 'who' 0 is the calling thread. Lowering it needs no privilege.
            _ = SetPriority(PriorityProcess, 0, LowestPriority);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Without libc's setpriority the work runs at normal priority.
        }
    }

    // DllImport rather than LibraryImport: the arguments are blittable, and LibraryImport would need unsafe code enabled.
    [DllImport("libc", EntryPoint = "setpriority")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetPriority(int which, int who, int priority);
}
