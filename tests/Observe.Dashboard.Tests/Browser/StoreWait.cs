using Observe.Store;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// Waits for collectors to have written what a browser fixture seeded: the store is checked on each of its change
/// notifications of the kinds watched (subscribe <see cref="OnChanged"/> before the collectors start, so no write falls
/// between the subscription and the first check), and the wait ends when the check finds nothing missing. A timeout
/// says what was still missing, not only "timed out".
/// </summary>
internal sealed class StoreWait(StoreChangeKind watched, Func<Task<IReadOnlyList<string>>> missing)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _checking = new(1, 1);
    private string _missing = "nothing checked yet";

    public void OnChanged(StoreChangeKind kind)
    {
        if ((kind & watched) != 0 && !_done.Task.IsCompleted)
        {
            _ = CheckAsync();
        }
    }

    /// <summary>Completes when a check found nothing missing; fails after <paramref name="timeout"/> naming what <paramref name="what"/> still lacked.</summary>
    public async Task WaitAsync(TimeSpan timeout, string what)
    {
        try
        {
            await _done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the collectors did not write {what} within {timeout.TotalSeconds:0} s; still missing: {_missing}");
        }
    }

    private async Task CheckAsync()
    {
        await _checking.WaitAsync();
        try
        {
            var still = await missing();
            _missing = string.Join(", ", still);
            if (still.Count == 0)
            {
                _done.TrySetResult();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A read racing the migration or a write: the next notification checks again; the timeout says what is missing.
            _missing = $"{_missing} (last check failed: {e.Message})";
        }
        finally
        {
            _checking.Release();
        }
    }
}
