using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Demo;
using Observe.Dashboard.Fleet;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// The Functions grid's rows, read once per range and shared by every open page and the CSV export (a singleton):
/// ten pages on the last hour hold one copy of 10,000 rows, not ten, and their filter, sort and page never touch the
/// store. A snapshot is reused until the store announces a write it depends on; one for a relative range ("last 1h")
/// is also re-read once it is older than half the slide interval, so the range keeps sliding with the clock.
/// </summary>
public sealed class FunctionsSnapshots : IDisposable
{
    /// <summary>Ranges kept at once; the least recently used goes first (fixed ranges from many links would pile up).</summary>
    internal const int MaxEntries = 8;

    private const StoreChangeKind Figures = StoreChangeKind.Metrics | StoreChangeKind.Invocations;

    private readonly IInventoryReader _inventory;
    private readonly IFunctionStatsReader _stats;
    private readonly IFunctionChangeReader _changes;
    private readonly IMetricsReader _metrics;
    private readonly FleetOptions _fleet;
    private readonly RuntimeCatalog _runtimes;
    private readonly FunctionFlagRules _rules;
    private readonly IReadOnlyList<FlagChip> _legend;
    private readonly string _costMethod;
    private readonly TimeProvider _time;
    private readonly TimeSpan _relativeMaxAge;
    private readonly IReadOnlyDictionary<string, string> _accountNames;
    private readonly bool _accountsConfigured;
    private readonly IDisposable _subscription;
    private readonly CancellationTokenSource _disposed = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _figuresGeneration;
    private long _functionsGeneration;
    private Inventory? _inventoryCache;

    public FunctionsSnapshots(
        IInventoryReader inventory,
        IFunctionStatsReader stats,
        IFunctionChangeReader functionChanges,
        IMetricsReader metrics,
        IStoreChanges changes,
        TimeProvider time,
        IOptions<DashboardOptions> options,
        IOptions<AwsOptions> aws,
        IOptions<FleetOptions> fleet,
        RuntimeCatalog runtimes,
        FunctionFlagRules rules,
        DemoFleetStatus? demo = null)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(aws);
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(rules);
        _inventory = inventory;
        _stats = stats;
        _changes = functionChanges;
        _metrics = metrics;
        _fleet = fleet.Value;
        _runtimes = runtimes;
        _rules = rules;
        _legend = FunctionFlagRules.Kinds
            .Select(kind => (Kind: kind, Description: FunctionFlagRules.Describe(kind)))
            .Select(k => new FlagChip(Token(k.Kind), k.Description.Name, rules.Explain(k.Kind), Severity(k.Description.Severity)))
            .ToList();
        _costMethod = LambdaCost.Describe(_fleet.Pricing);
        _time = time;
        _relativeMaxAge = options.Value.SlideInterval / 2;
        _accountNames = CollectorsViewModel.AccountNames(aws.Value);
        _accountsConfigured = aws.Value.Accounts.Count > 0 || demo?.Mode.Active == true;
        _subscription = changes.Subscribe(OnChanged);
    }

    /// <summary>
    /// The snapshot for <paramref name="range"/>: a shared one still current, or a fresh read. Waiters that give up
    /// (<paramref name="cancellationToken"/>) do not cancel a read others wait for.
    /// </summary>
    /// <param name="range">The range, resolved.</param>
    /// <param name="relative">The range ends now and slides (<c>?range=1h</c>), rather than fixed bounds.</param>
    /// <param name="cancellationToken">Stops this caller's wait.</param>
    public Task<FunctionsSnapshot> GetAsync(TimeRange range, bool relative, CancellationToken cancellationToken)
    {
        var key = relative
            ? "last:" + range.Length.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : TimeRangeQuery.FormatInstant(range.From) + "/" + TimeRangeQuery.FormatInstant(range.To);
        var now = _time.GetUtcNow();
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out entry!) || !Current(entry, relative, now))
            {
                entry = new Entry(ReadAsync(range, Interlocked.Read(ref _functionsGeneration)), Interlocked.Read(ref _figuresGeneration), Interlocked.Read(ref _functionsGeneration), now);
                _entries[key] = entry;
                if (_entries.Count > MaxEntries)
                {
                    _entries.Remove(_entries.MinBy(e => e.Value.LastUsed).Key);
                }
            }

            entry.LastUsed = now;
        }

        return entry.Load.WaitAsync(cancellationToken);
    }

    /// <summary>Ranges currently held (for the memory figures in the benchmarks and tests).</summary>
    internal int Count
    {
        get { lock (_gate) { return _entries.Count; } }
    }

    private bool Current(Entry entry, bool relative, DateTimeOffset now) =>
        !entry.Load.IsFaulted && !entry.Load.IsCanceled
        && entry.FiguresGeneration == Interlocked.Read(ref _figuresGeneration)
        && entry.FunctionsGeneration == Interlocked.Read(ref _functionsGeneration)
        && (!relative || now - entry.StartedAt < _relativeMaxAge);

    private void OnChanged(StoreChangeKind kind)
    {
        if ((kind & Figures) != 0)
        {
            Interlocked.Increment(ref _figuresGeneration);
        }

        if ((kind & StoreChangeKind.Functions) != 0)
        {
            Interlocked.Increment(ref _functionsGeneration);
        }
    }

    private async Task<FunctionsSnapshot> ReadAsync(TimeRange range, long functionsGeneration)
    {
        var token = _disposed.Token;
        var readAt = _time.GetUtcNow();
        var inventory = await InventoryAsync(functionsGeneration, token);
        var stats = await _stats.GetFunctionStatsAsync(FleetFilter.All, range, token);
        var last = await _stats.GetLastInvocationsAsync(FleetFilter.All, token);
        var changed = await _changes.CountFunctionChangesAsync(FleetFilter.All, range, token);
        var byKey = stats.ToDictionary(s => s.Function);

        // Where the store's history starts: before it, "no invocation stored" does not mean unused.
        var collectedSince = (await _metrics.GetOverviewAsync(FleetFilter.All, TimeRange.Last(TimeRangeQuery.MinLength, readAt), TimeRangeQuery.MinLength, token)).FirstData;
        var today = DateOnly.FromDateTime(readAt.UtcDateTime);

        var rows = new FunctionRow[inventory.Functions.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var function = inventory.Functions[i];
            var functionStats = byKey.GetValueOrDefault(function.Key);
            DateTimeOffset? lastInvocation = last.TryGetValue(function.Key, out var at) ? at : null;
            var owner = _fleet.FindOwner(function.Tags)?.Owner;
            rows[i] = new FunctionRow
            {
                Function = function,
                Account = _accountNames.TryGetValue(function.Key.AccountId, out var name) ? $"{function.Key.AccountId} ({name})" : function.Key.AccountId,
                Stats = functionStats,
                LastInvocation = lastInvocation,
                ChangesInRange = changed.GetValueOrDefault(function.Key),
                Owner = owner,
                RuntimeStatus = RuntimeChip(_runtimes.Classify(function.Runtime, function.PackageType, today, _fleet.DeprecationNoticeDays)),
                MonthlyCost = LambdaCost.Estimate(function, functionStats, range.Length, _fleet.Pricing).TotalPerMonth,
                Flags = _rules.Evaluate(function, functionStats, lastInvocation, range, readAt, collectedSince)
                    .Select(f => new FlagChip(Token(f.Kind), f.Title, f.Rule, Severity(f.Severity)))
                    .ToList(),
                SearchText = SearchText(function),
            };
        }

        return new FunctionsSnapshot(range, readAt, rows)
        {
            Empty = rows.Length > 0 ? null : _accountsConfigured ? FunctionsEmptyReason.NotCollectedYet : FunctionsEmptyReason.NoAccounts,
            FlagLegend = _legend,
            CostMethod = _costMethod,
            RuntimeTable = $"Runtime support from AWS's Lambda runtimes page ({_runtimes.Source}), last checked {_runtimes.LastChecked:yyyy-MM-dd}.",
        };
    }

    /// <summary>A flag kind in the address: <c>RuntimeDeprecated</c> is <c>runtime-deprecated</c>.</summary>
    public static string Token(FlagKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static string Severity(FlagSeverity severity) => severity switch
    {
        FlagSeverity.Critical => FlagChip.Critical,
        FlagSeverity.Warning => FlagChip.Warning,
        _ => FlagChip.Info,
    };

    /// <summary>The runtime's chip: none for a supported runtime or a container image (the package column says so).</summary>
    private static FlagChip? RuntimeChip(RuntimeStatus status) => status.Support switch
    {
        RuntimeSupport.Deprecated => new FlagChip("deprecated", "deprecated", status.Explanation, FlagChip.Critical),
        RuntimeSupport.DeprecatingSoon => new FlagChip("soon", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"until {status.Deprecation:yyyy-MM-dd}"), status.Explanation, FlagChip.Warning),
        RuntimeSupport.Unknown => new FlagChip("unknown", "unknown", status.Explanation, FlagChip.Info),
        _ => null,
    };

    /// <summary>The inventory changes far less often than the figures: it is read again only when the store says it changed.</summary>
    private async Task<Inventory> InventoryAsync(long generation, CancellationToken cancellationToken)
    {
        var cached = Volatile.Read(ref _inventoryCache);
        if (cached is not null && cached.Generation == generation)
        {
            return cached;
        }

        var functions = await _inventory.GetFunctionsAsync(FleetFilter.All, cancellationToken);
        var read = new Inventory(functions, generation);
        Volatile.Write(ref _inventoryCache, read);
        return read;
    }

    private static string SearchText(LambdaFunction function) =>
        string.Join('\n', function.Tags.SelectMany(t => new[] { t.Key, t.Value }).Prepend(function.Key.Name)).ToLowerInvariant();

    public void Dispose()
    {
        _subscription.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private sealed record Inventory(IReadOnlyList<LambdaFunction> Functions, long Generation);

    private sealed class Entry(Task<FunctionsSnapshot> load, long figuresGeneration, long functionsGeneration, DateTimeOffset startedAt)
    {
        public Task<FunctionsSnapshot> Load { get; } = load;
        public long FiguresGeneration { get; } = figuresGeneration;
        public long FunctionsGeneration { get; } = functionsGeneration;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public DateTimeOffset LastUsed { get; set; }
    }
}

/// <summary>The Functions page's query: the shared snapshot for the page's range.</summary>
public sealed class FunctionsData(FunctionsSnapshots snapshots) : ILiveData<FunctionsSnapshot>
{
    public StoreChangeKind Changes => StoreChangeKind.Functions | StoreChangeKind.Metrics | StoreChangeKind.Invocations;

    public bool UsesTimeRange => true;

    public bool RefreshOnTimer => false;

    public Task<FunctionsSnapshot> LoadAsync(LiveQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var range = query.Range ?? throw new ArgumentException("the Functions page needs a time range", nameof(query));
        return snapshots.GetAsync(range, range.To == query.Now, cancellationToken);
    }
}
