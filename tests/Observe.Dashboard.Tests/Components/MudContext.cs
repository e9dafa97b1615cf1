using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Observe.Dashboard.Actions;
using Observe.Dashboard.Auth;

namespace Observe.Dashboard.Tests.Components;

/// <summary>
/// A bUnit context with MudBlazor's services and a signed-in user (an Admin unless the test signs in someone else),
/// disposed asynchronously: some of them are only IAsyncDisposable, which the synchronous Dispose xUnit would call rejects.
/// </summary>
public abstract class MudContext : BunitContext, IAsyncLifetime
{
    protected MudContext()
    {
        // MudBlazor calls JS for focus, popovers and resize; none of it matters to markup assertions.
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        // The dashboard's own policies and user, over a fixed principal: what the page does per role is checked
        // with the real authorization service, not a fake that answers yes.
        Services.AddAuthorizationCore(DashboardRoles.AddPolicies);
        // bUnit registers placeholders that refuse to answer; these are ASP.NET Core's own.
        Services.Replace(ServiceDescriptor.Transient<IAuthorizationService, DefaultAuthorizationService>());
        Services.Replace(ServiceDescriptor.Transient<IAuthorizationPolicyProvider, DefaultAuthorizationPolicyProvider>());
        Services.AddScoped<DashboardUser>();
        Services.AddDashboardActions();
        Services.AddSingleton(Options.Create(new AuthOptions()));
        // Admitted: the layout renders the page (a refused circuit's message is the circuit-limit tests' business).
        Services.AddScoped<CircuitAdmission>();
        SignIn("test admin", DashboardRoles.Admin);
    }

    /// <summary>Signs <paramref name="name"/> in with <paramref name="roles"/> (none: signed in, without a role); call before rendering.</summary>
    protected void SignIn(string name, params string[] roles)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test");
        Services.AddSingleton<AuthenticationStateProvider>(new FixedAuthenticationState(new ClaimsPrincipal(identity)));
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await DisposeResourcesAsync();
    }

    /// <summary>Disposes what the test class created beside the context (a store), after the components are gone.</summary>
    protected virtual ValueTask DisposeResourcesAsync() => ValueTask.CompletedTask;

    private sealed class FixedAuthenticationState(ClaimsPrincipal principal) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(principal));
    }
}
