using Microsoft.Playwright;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// Chromium whose every new context carries a session cookie the dashboard issued for its browser token: the browser
/// tests run the dashboard in its default sign-in mode, as a user who opened the printed link, without each test
/// signing in (and without spending the sign-in rate limit).
/// </summary>
internal sealed class SignedInBrowser(IBrowser browser, Cookie session) : IBrowser
{
    public event EventHandler<IBrowserContext>? Context
    {
        add => browser.Context += value;
        remove => browser.Context -= value;
    }

    public event EventHandler<IBrowser>? Disconnected
    {
        add => browser.Disconnected += value;
        remove => browser.Disconnected -= value;
    }

    public IBrowserType BrowserType => browser.BrowserType;

    public IReadOnlyList<IBrowserContext> Contexts => browser.Contexts;

    public bool IsConnected => browser.IsConnected;

    public string Version => browser.Version;

    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        var context = await browser.NewContextAsync(options);
        await context.AddCookiesAsync([session]);
        return context;
    }

    /// <summary>A page in a signed-in context of its own; closing the page's context is the caller's, as for any context.</summary>
    public async Task<IPage> NewPageAsync(BrowserNewPageOptions? options = null)
    {
        if (options is not null)
        {
            throw new NotSupportedException("Open a context with options and a page in it instead.");
        }

        var context = await NewContextAsync();
        return await context.NewPageAsync();
    }

    public Task<BrowserBindResult> BindAsync(string title, BrowserBindOptions? options = null) => browser.BindAsync(title, options);

    public Task UnbindAsync() => browser.UnbindAsync();

    public Task CloseAsync(BrowserCloseOptions? options = null) => browser.CloseAsync(options);

    public Task<ICDPSession> NewBrowserCDPSessionAsync() => browser.NewBrowserCDPSessionAsync();

    public ValueTask DisposeAsync() => browser.DisposeAsync();
}
