using System.Data.Common;
using System.Diagnostics;
using Observe.Store.Model;

namespace Observe.Store.Internal;

/// <summary>Which engine-level lock a write takes besides its transaction.</summary>
internal enum WriteLock
{
    /// <summary>Row-level conflicts are enough (upserts keyed by the row's identity).</summary>
    None,

    /// <summary>
    /// Metric writes and retention read rows, merge them in memory and adjust the fleet aggregate by the
    /// difference; they must not interleave, or two writers would both apply a delta against the same old row.
    /// </summary>
    Metrics,

    /// <summary>Deletion marking compares the stored inventory with a listing; it must not interleave with upserts.</summary>
    Inventory,

    /// <summary>Alarm upserts read the stored state to record a transition; concurrent upserts would record it twice.</summary>
    Alarms,

    /// <summary>Retention deletes error groups left without occurrences; a concurrent write must not add to one being deleted.</summary>
    Errors,
}

/// <summary>
/// One write transaction with the lock it needed. Disposing without <see cref="CommitAsync"/> rolls back; the
/// changes it made are announced, and function ids it created are cached, only after the commit succeeded.
/// </summary>
internal sealed class WriteScope : IAsyncDisposable
{
    private readonly RelationalStore _store;
    private readonly Func<ValueTask> _release;

    public WriteScope(RelationalStore store, DbConnection connection, DbTransaction transaction, Func<ValueTask> release)
    {
        _store = store;
        Connection = connection;
        Transaction = transaction;
        _release = release;
    }

    public DbConnection Connection { get; }

    public DbTransaction Transaction { get; }

    public StoreChangeKind Changed { get; set; }

    public Dictionary<FunctionKey, int> NewFunctionIds { get; } = [];

    /// <summary>The operation's activity, when somebody listens; it ends with the scope.</summary>
    public Activity? Activity { get; set; }

    public DbCommand Command(string sql) => Connection.Command(Transaction, sql);

    public Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken) => Connection.ExecuteAsync(Transaction, sql, cancellationToken);

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await _store.BeforeCommitAsync(this, cancellationToken);
        await Transaction.CommitAsync(cancellationToken);
        Activity?.SetStatus(ActivityStatusCode.Ok);
        _store.AfterCommit(this);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Both providers roll back an uncommitted transaction on dispose.
            await Transaction.DisposeAsync();
        }
        finally
        {
            Activity?.Dispose();
            await _release();
        }
    }
}
