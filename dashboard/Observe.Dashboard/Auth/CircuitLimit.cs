using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Configuration;

namespace Observe.Dashboard.Auth;

/// <summary>Registration of the circuit limit.</summary>
internal static class CircuitLimitExtensions
{
    /// <summary>Counts circuits per user and refuses those past <see cref="DashboardOptions.MaxCircuitsPerUser"/>.</summary>
    public static IServiceCollection AddCircuitLimit(this IServiceCollection services)
    {
        services.AddSingleton<CircuitLimiter>();
        services.AddScoped<CircuitAdmission>();
        services.AddScoped<CircuitHandler, CircuitLimitHandler>();
        return services;
    }
}

/// <summary>
/// How many Blazor circuits (open dashboard tabs) each signed-in user holds, against
/// <see cref="DashboardOptions.MaxCircuitsPerUser"/>. One per process: a replica counts its own circuits, which is
/// what costs it memory.
/// </summary>
internal sealed class CircuitLimiter(IOptions<DashboardOptions> options)
{
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    public int Max => options.Value.MaxCircuitsPerUser;

    /// <summary>Counts a circuit for <paramref name="user"/>, unless they already hold the most allowed.</summary>
    public bool TryEnter(string user)
    {
        lock (_open)
        {
            var held = _open.GetValueOrDefault(user);
            if (held >= Max)
            {
                return false;
            }

            _open[user] = held + 1;
            return true;
        }
    }

    public void Leave(string user)
    {
        lock (_open)
        {
            if (_open.TryGetValue(user, out var held))
            {
                if (held <= 1)
                {
                    _open.Remove(user);
                }
                else
                {
                    _open[user] = held - 1;
                }
            }
        }
    }

    /// <summary>The key a user is counted under: their subject when the sign-in gives one, else their name.</summary>
    public static string KeyOf(ClaimsPrincipal principal) =>
        principal.FindFirst(ClaimTypes.NameIdentifier)?.Value is { Length: > 0 } subject ? subject : DashboardUser.NameOf(principal);
}

/// <summary>
/// Whether this circuit was admitted. A refused circuit renders only the message saying what to do (MainLayout), so
/// it starts no page, no query and no subscription.
/// </summary>
internal sealed class CircuitAdmission
{
    /// <summary>What the refused user reads; null when admitted (and while prerendering, where there is no circuit).</summary>
    public string? Refusal { get; set; }
}

/// <summary>Admits or refuses each circuit as it opens and releases its place when it closes.</summary>
internal sealed partial class CircuitLimitHandler(
    CircuitLimiter limiter,
    CircuitAdmission admission,
    AuthenticationStateProvider authentication,
    ILogger<CircuitLimitHandler> logger) : CircuitHandler
{
    private string? _counted;

    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        // The circuit's user is set before its handlers run (from the request that opened the hub connection).
        var user = CircuitLimiter.KeyOf((await authentication.GetAuthenticationStateAsync()).User);
        if (limiter.TryEnter(user))
        {
            _counted = user;
            return;
        }

        admission.Refusal = $"You already have {limiter.Max} dashboard tabs open, the most one user may have at a time " +
            $"({DashboardOptions.SectionName}:MaxCircuitsPerUser). Close a tab you no longer need, then reload this one.";
        LogRefused(logger, user, limiter.Max);
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (_counted is { } user)
        {
            _counted = null;
            limiter.Leave(user);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a dashboard circuit for {User}: they already hold {Max}, the most Observe:Dashboard:MaxCircuitsPerUser allows")]
    private static partial void LogRefused(ILogger logger, string user, int max);
}
