using System.Text.RegularExpressions;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>The anti-forgery field of a page's forms and the cookie that goes with it, for posting a form as the browser would.</summary>
internal static partial class Antiforgery
{
    public const string FieldName = "__RequestVerificationToken";

    /// <summary>The token of the page's first form and the anti-forgery cookie the response set (as "name=value").</summary>
    public static async Task<(string Token, string Cookie)> ReadAsync(HttpResponseMessage page)
    {
        var html = await page.Content.ReadAsStringAsync();
        var token = Field().Match(html);
        Assert.True(token.Success, "the page has no anti-forgery field");
        var cookie = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal)).Split(';')[0];
        return (System.Net.WebUtility.HtmlDecode(token.Groups["value"].Value), cookie);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex Field();
}
