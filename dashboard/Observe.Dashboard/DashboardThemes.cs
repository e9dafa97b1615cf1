using MudBlazor;

namespace Observe.Dashboard;

/// <summary>The dashboard's light and dark palettes and the cookie that remembers which one a user chose.</summary>
public static class DashboardThemes
{
    public const string CookieName = "observe-theme";
    public const string Light = "light";
    public const string Dark = "dark";

    /// <summary>
    /// The theme a request's cookie asks for. Read on the server before the first byte is sent, so the page
    /// arrives in the remembered theme instead of flashing the light one first. Anything else falls back to light:
    /// the value ends up in the page's markup.
    /// </summary>
    public static string FromCookie(string? value) => value switch
    {
        Dark => Dark,
        _ => Light,
    };

    /// <summary>
    /// One accent (blue), colour only for meaning (red errors, amber warnings, green OK), grey for unknown; both
    /// palettes keep text at 4.5:1 or more against their surfaces. Dense: a 48 px app bar and small radii.
    /// </summary>
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5fbf",
            Secondary = "#5c6470",
            Info = "#0b6a8a",
            Success = "#1e7a34",
            Warning = "#9a5b00",
            Error = "#c42b1c",
            Background = "#f6f7f9",
            Surface = "#ffffff",
            AppbarBackground = "#ffffff",
            AppbarText = "#1b1f24",
            DrawerBackground = "#ffffff",
            DrawerText = "#1b1f24",
            DrawerIcon = "#4a525c",
            TextPrimary = "#1b1f24",
            TextSecondary = "#4a525c",
            LinesDefault = "#dfe3e8",
            TableLines = "#e6e9ed",
            Divider = "#dfe3e8",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#6ea8ff",
            Secondary = "#a3abb5",
            Info = "#5cc4e6",
            Success = "#5fc878",
            Warning = "#f0b443",
            Error = "#ff7b6e",
            Background = "#15181c",
            Surface = "#1d2126",
            AppbarBackground = "#1d2126",
            AppbarText = "#e6e9ed",
            DrawerBackground = "#1a1d21",
            DrawerText = "#e6e9ed",
            DrawerIcon = "#b4bcc6",
            TextPrimary = "#e6e9ed",
            TextSecondary = "#b4bcc6",
            LinesDefault = "#353b43",
            TableLines = "#2c3138",
            Divider = "#353b43",
        },
        LayoutProperties = new LayoutProperties
        {
            AppbarHeight = "48px",
            DefaultBorderRadius = "6px",
            DrawerWidthLeft = "232px",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["Inter", "Segoe UI", "system-ui", "-apple-system", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
                FontSize = "0.875rem",
            },
        },
    };
}
