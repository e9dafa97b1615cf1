using System.Reflection;
using Observe.Store;

namespace Observe.Collectors.Tests.EndToEnd;

/// <summary>
/// A store whose process dies at its Nth write: that write and every later one fail, whichever collector makes them,
/// while reads still work (the database itself is fine). Writes are every method that changes the store.
/// </summary>
internal class DyingStore : DispatchProxy
{
    private IObserveStore _inner = null!;
    private int _dieAt;
    private int _writes;

    public static IObserveStore Wrap(IObserveStore inner, int dieAtWrite)
    {
        var store = Create<IObserveStore, DyingStore>();
        var proxy = (DyingStore)(object)store;
        proxy._inner = inner;
        proxy._dieAt = dieAtWrite;
        return store;
    }

    public static bool Died(IObserveStore store) => ((DyingStore)(object)store)._writes >= ((DyingStore)(object)store)._dieAt;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var name = targetMethod!.Name;
        var write = !name.StartsWith("Get", StringComparison.Ordinal) && name != nameof(IObserveStore.MigrateAsync);
        if (write && Interlocked.Increment(ref _writes) >= _dieAt)
        {
            return Failed(targetMethod.ReturnType, new IOException($"the process died at write {_dieAt} ({name})"));
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    // A Task<T> method must fail with a Task<T>.
    private static Task Failed(Type returnType, Exception error) =>
        returnType.IsGenericType
            ? (Task)FromException.MakeGenericMethod(returnType.GetGenericArguments()[0]).Invoke(null, [error])!
            : Task.FromException(error);

    private static readonly MethodInfo FromException =
        typeof(Task).GetMethods().Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethod);
}
