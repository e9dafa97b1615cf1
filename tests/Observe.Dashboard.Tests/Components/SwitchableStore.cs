using System.Reflection;
using System.Runtime.ExceptionServices;
using Observe.Store;

namespace Observe.Dashboard.Tests.Components;

/// <summary>
/// The real store, except that its reads fail while <see cref="Failing"/> is set: a store that stops answering
/// between two loads of a page and comes back. Writes always go through, so they still announce changes.
/// </summary>
public class SwitchableStore : DispatchProxy
{
    public const string FailureMessage = "the test store is down (secret-connection-detail)";

    private IObserveStore _inner = null!;

    public volatile bool Failing;

    public static (IObserveStore Store, SwitchableStore Switch) Wrap(IObserveStore inner)
    {
        var store = Create<IObserveStore, SwitchableStore>();
        var proxy = (SwitchableStore)(object)store;
        proxy._inner = inner;
        return (store, proxy);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (Failing && targetMethod.Name.StartsWith("Get", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(FailureMessage);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }
}
