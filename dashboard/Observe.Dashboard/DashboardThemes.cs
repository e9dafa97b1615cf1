namespace Observe.Dashboard;

/// <summary>The two Radzen themes the dashboard offers and the cookie that remembers the choice.</summary>
public static class DashboardThemes
{
    public const string CookieName = "observe-theme";
    public const string Light = "material";
    public const string Dark = "material-dark";

    /// <summary>
    /// The theme a request's cookie asks for. Read on the server before the first byte is sent, so the page
    /// arrives in the remembered theme instead of flashing the light one first. Anything else falls back to light:
    /// the value ends up in a stylesheet URL.
    /// </summary>
    public static string FromCookie(string? value) => value switch
    {
        Dark => Dark,
        _ => Light,
    };
}
