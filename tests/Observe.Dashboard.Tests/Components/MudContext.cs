using Bunit;
using MudBlazor.Services;

namespace Observe.Dashboard.Tests.Components;

/// <summary>
/// A bUnit context with MudBlazor's services, disposed asynchronously: some of them are only IAsyncDisposable, which
/// the synchronous Dispose xUnit would call rejects.
/// </summary>
public abstract class MudContext : BunitContext, IAsyncLifetime
{
    protected MudContext()
    {
        // MudBlazor calls JS for focus, popovers and resize; none of it matters to markup assertions.
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await DisposeResourcesAsync();
    }

    /// <summary>Disposes what the test class created beside the context (a store), after the components are gone.</summary>
    protected virtual ValueTask DisposeResourcesAsync() => ValueTask.CompletedTask;
}
