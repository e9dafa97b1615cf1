using Microsoft.Playwright;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// Waiting for a condition the browser tests read through several Playwright calls (rows and their attributes), where
/// one locator assertion cannot express it: polled until it holds, failing with what was still wrong at the deadline.
/// </summary>
internal static class BrowserPoll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> describe, float timeoutMs)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within {timeoutMs / 1000} s: {describe()}");
            }

            await Task.Delay(200);
        }
    }
}

/// <summary>What the browser tests check of a page's width.</summary>
internal static class PageWidth
{
    /// <summary>
    /// Empty when the page does not scroll sideways; otherwise its width and the elements whose boxes reach past the
    /// screen's right edge (the widest first), so a failure names its cause.
    /// </summary>
    public static Task<string[]> WiderThanTheScreenAsync(IPage page) => page.EvaluateAsync<string[]>("""
        () => {
            const width = window.innerWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            const name = e => e.tagName.toLowerCase() + (e.id ? `#${e.id}` : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '')
                + [...e.attributes].filter(a => a.name.startsWith('data-')).map(a => `[${a.name}=${a.value}]`).join('');
            // An element inside a box that scrolls or clips sideways cannot widen the page: its box is left out.
            const clipped = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) { if (getComputedStyle(a).overflowX !== 'visible') return true; } return false; };
            const past = [...document.querySelectorAll('body *')]
                .filter(e => !clipped(e))
                .map(e => ({ e, right: e.getBoundingClientRect().right + window.scrollX }))
                .filter(x => x.right > width + 0.5)
                .sort((a, b) => b.right - a.right)
                .slice(0, 8)
                .map(x => `${name(x.e)} reaches ${Math.round(x.right)}px (${getComputedStyle(x.e).position})`);
            return [`page ${document.documentElement.scrollWidth}px wide on a ${width}px screen`, ...past];
        }
        """);
}
