using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Auth;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// <c>/settings</c>: how people sign in here, who you are and what your roles allow, and the Data Protection key ring
/// the session cookies depend on. Any Viewer may read it; nothing on it changes anything.
/// </summary>
public sealed partial class Settings : ComponentBase
{
    private string? _name;
    private IReadOnlyList<string> _roles = [];
    private KeyRingStatus? _keys;
    private string? _keysError;
    private ILogger? _log;

    internal static readonly (string Role, string May)[] RoleRights =
    [
        (DashboardRoles.Viewer, "read every page: the fleet, errors, traces, live tail, alarms, alerts, rules, channels and collectors"),
        (DashboardRoles.Responder, "also change an error group's status, acknowledge alerts and create or end silences"),
        (DashboardRoles.Admin, "also edit alert rules, send test notifications, manage API keys and read the audit log"),
    ];

    [Inject]
    public required DashboardUser User { get; init; }

    [Inject]
    public required IOptions<AuthOptions> Auth { get; init; }

    [Inject]
    public required DataProtectionStatus KeyRing { get; init; }

    [Inject]
    public required ILoggerFactory LoggerFactory { get; init; }

    private string ModeText => Auth.Value.Mode switch
    {
        AuthMode.BrowserToken => "a token printed when the dashboard starts, exchanged for a session cookie; its holder is an Admin",
        AuthMode.OpenIdConnect => "your organisation's OpenID Connect provider",
        AuthMode.AwsAlb => "the AWS load balancer in front of the dashboard, which signs people in with OpenID Connect",
        AuthMode.Unsecured => "nobody signs in and everyone is an Admin; changes are recorded as anonymous",
        _ => Auth.Value.Mode.ToString(),
    };

    private string Lifetime => Auth.Value.SessionLifetime switch
    {
        { TotalDays: >= 1 } d when d.TotalDays % 1 == 0 => string.Create(CultureInfo.InvariantCulture, $"{d.TotalDays:0} d"),
        { TotalHours: >= 1 } h when h.TotalHours % 1 == 0 => string.Create(CultureInfo.InvariantCulture, $"{h.TotalHours:0} h"),
        var m => string.Create(CultureInfo.InvariantCulture, $"{m.TotalMinutes:0} min"),
    };

    private static string Utc(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "unknown";

    protected override async Task OnInitializedAsync()
    {
        _log = LoggerFactory.CreateLogger<Settings>();
        _name = await User.GetNameAsync();
        _roles = await User.GetRolesAsync();
        try
        {
            _keys = await KeyRing.GetAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.LogError(ex, "Could not read the Data Protection key ring");
            _keysError = "The key ring could not be read from the store. Check that the store is reachable (the Observe:Store settings); the dashboard's log has the details.";
        }
    }
}
