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
