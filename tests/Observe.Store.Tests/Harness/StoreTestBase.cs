using Observe.Store.Internal;
using Observe.Store.Model;

namespace Observe.Store.Tests.Harness;

/// <summary>
/// Per-test plumbing for the contract tests: a migrated, empty store on the engine under test, extra stores and
/// fresh locations on demand, all disposed after the test (stores before their locations).
/// </summary>
public abstract class StoreTestBase : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private readonly List<RelationalStore> _stores = [];
    private readonly List<StoreLocation> _locations = [];
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(3));
    private StoreLocation? _location;
    private RelationalStore? _store;

    protected CancellationToken Ct => _timeout.Token;

    /// <summary>This test's location, holding the migrated <see cref="Store"/>.</summary>
    protected StoreLocation Location => _location ?? throw new InvalidOperationException("The test has not been initialised.");

    internal RelationalStore Store => _store ?? throw new InvalidOperationException("The test has not been initialised.");

    public async Task InitializeAsync()
    {
        _location = await UseLocationAsync();
        _store = Open(_location);
        await _store.MigrateAsync(Ct);
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        foreach (var location in _locations)
        {
            await location.DisposeAsync();
        }

        _timeout.Dispose();
    }

    /// <summary>An empty location the store of this test can be migrated on.</summary>
    protected abstract Task<StoreLocation> UseLocationAsync();

    /// <summary>A location no store has touched yet.</summary>
    protected abstract Task<StoreLocation> CreateFreshLocationAsync();

    protected async Task<StoreLocation> FreshLocationAsync() => Owned(await CreateFreshLocationAsync());

    /// <summary>Disposes <paramref name="location"/> after the test.</summary>
    protected StoreLocation Owned(StoreLocation location)
    {
        _locations.Add(location);
        return location;
    }

    /// <summary>Another store on <paramref name="location"/> (not migrated), as another process would open it.</summary>
    internal RelationalStore Open(StoreLocation location, Action<StoreOptions>? configure = null)
    {
        var store = location.OpenStore(configure);
        _stores.Add(store);
        return store;
    }

    protected static FunctionKey Fn(string name, string account = "111111111111", string region = "eu-west-1") => new(account, region, name);

    protected static DateTimeOffset At(int minute) => T0.AddMinutes(minute);

    protected static TimeRange Minutes(int from, int to) => new(At(from), At(to));

    protected static MetricPoint Point(
        FunctionKey function,
        int minute,
        double? invocations = null,
        double? errors = null,
        double? throttles = null,
        double? duration = null,
        double? p99 = null,
        double? concurrency = null,
        double? coldStarts = null) => new()
        {
            Function = function,
            Minute = At(minute),
            Invocations = invocations,
            Errors = errors,
            Throttles = throttles,
            DurationAvgMs = duration,
            DurationP99Ms = p99,
            ConcurrentExecutions = concurrency,
            ColdStarts = coldStarts,
        };

    protected static LambdaFunction Function(FunctionKey key, DateTimeOffset? seen = null) => new()
    {
        Key = key,
        Arn = $"arn:aws:lambda:{key.Region}:{key.AccountId}:function:{key.Name}",
        Runtime = "dotnet8",
        Architecture = "arm64",
        MemoryMb = 512,
        TimeoutSeconds = 30,
        CodeSizeBytes = 123_456,
        LastModified = T0.AddDays(-3),
        Tags = new Dictionary<string, string> { ["team"] = "payments", ["env"] = "prod" },
        Layers = ["arn:aws:lambda:eu-west-1:111111111111:layer:otel:3"],
        EventSources = [new EventSourceMapping("uuid-1", "arn:aws:sqs:eu-west-1:111111111111:orders", "Enabled", 10)],
        ProvisionedConcurrency = 2,
        ReservedConcurrency = 50,
        LastSeen = seen ?? T0,
    };
}
