using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Observe.Store.Internal;
using Observe.Store.Internal.Postgres;

namespace Observe.Store.Tests;

/// <summary>Configuration, registration and the start-up failures an operator sees.</summary>
public sealed class StoreOptionsTests
{
    private readonly StoreOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var options = new StoreOptions();

        Assert.True(_validator.Validate(null, options).Succeeded);
        Assert.Equal(StoreKind.Sqlite, options.ParsedKind);
        Assert.Equal(Path.Combine(Path.GetFullPath(".data"), "observe.db"), options.SqlitePath);
    }

    [Fact]
    public void Validate_UnknownKind_NamesSettingAndChoices()
    {
        var result = _validator.Validate(null, new StoreOptions { Kind = "Mongo" });

        Assert.Equal(["Observe:Store:Kind 'Mongo' is not a store kind; use Sqlite or PostgreSql"], result.Failures);
    }

    [Theory]
    [InlineData("postgresql")]
    [InlineData(" PostgreSql ")]
    public void Validate_KindInOtherCase_Accepted(string kind) =>
        Assert.Equal(StoreKind.PostgreSql, new StoreOptions { Kind = kind }.ParsedKind);

    [Fact]
    public void Validate_KindAsNumber_Rejected() =>
        Assert.False(_validator.Validate(null, new StoreOptions { Kind = "1" }).Succeeded);

    [Fact]
    public void Validate_PostgreSqlWithoutConnectionString_NamesSetting()
    {
        var result = _validator.Validate(null, new StoreOptions { Kind = "PostgreSql" });

        Assert.Equal(["Observe:Store:ConnectionString is required when Kind is PostgreSql"], result.Failures);
    }

    [Fact]
    public void Validate_MalformedConnectionString_NamesSetting()
    {
        var result = _validator.Validate(null, new StoreOptions { Kind = "PostgreSql", ConnectionString = "Hots=x;;=" });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Observe:Store:ConnectionString is not a valid PostgreSQL connection string: ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadRetentionsAndBatchSize_NamesEachSetting()
    {
        var result = _validator.Validate(null, new StoreOptions
        {
            RawRetention = TimeSpan.FromDays(10),
            HourlyRetention = TimeSpan.FromDays(5),
            ReportRetention = TimeSpan.Zero,
            TraceRetention = TimeSpan.FromHours(-1),
            BatchSize = 0,
        });

        Assert.Equal(
            [
                "Observe:Store:ReportRetention must be positive (was '00:00:00')",
                "Observe:Store:TraceRetention must be positive (was '-01:00:00')",
                "Observe:Store:HourlyRetention (5.00:00:00) must be at least Observe:Store:RawRetention (10.00:00:00): minutes are rolled up into hours",
                "Observe:Store:BatchSize must be positive (was 0)",
            ],
            result.Failures);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Validate_AlertHistoryRetentionNotPositive_NamesSetting(int days)
    {
        var result = _validator.Validate(null, new StoreOptions { AlertHistoryRetention = TimeSpan.FromDays(days) });

        Assert.Equal([$"Observe:Store:AlertHistoryRetention must be positive (was '{TimeSpan.FromDays(days)}')"], result.Failures);
    }

    [Fact]
    public void AddObserveStore_PostgreSqlSection_BindsAndRegistersOneStoreForEveryRole()
    {
        using var provider = Services(new()
        {
            ["Observe:Store:Kind"] = "postgresql",
            ["Observe:Store:ConnectionString"] = "Host=db.internal;Port=5433;Username=observe;Database=observe",
            ["Observe:Store:RawRetention"] = "3.00:00:00",
            ["Observe:Store:BatchSize"] = "100",
            ["Observe:Store:AlertHistoryRetention"] = "30.00:00:00",
        });

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<StoreOptions>>().Value;
        Assert.Equal(
            (TimeSpan.FromDays(3), 100, TimeSpan.FromDays(90), TimeSpan.FromDays(30)),
            (options.RawRetention, options.BatchSize, options.HourlyRetention, options.AlertHistoryRetention));
        var store = provider.GetRequiredService<IObserveStore>();
        Assert.IsType<PostgresObserveStore>(store);
        Assert.All(Roles.Append(typeof(IStoreChanges)), role => Assert.Same(store, provider.GetRequiredService(role)));
    }

    [Fact]
    public async Task AddObserveStore_AnInstance_IsEveryRoleReplacesTheConfiguredOneAndIsNotDisposedWithTheContainer()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Observe:Store:Kind"] = "postgresql",
            ["Observe:Store:ConnectionString"] = "Host=db.internal;Username=observe;Database=observe",
        }).Build();
        var directory = Directory.CreateTempSubdirectory("observe-instance-").FullName;
        var instance = StoreServiceCollectionExtensions.CreateStore(
            new StoreOptions { Kind = "Sqlite", DataDirectory = directory }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await using (var provider = new ServiceCollection().AddLogging().AddObserveStore(configuration).AddObserveStore(instance).BuildServiceProvider())
        {
            Assert.All(Roles.Append(typeof(IObserveStore)), role => Assert.Same(instance, provider.GetRequiredService(role)));
        }

        // Still usable: the caller that built it owns it.
        await instance.MigrateAsync(CancellationToken.None);
        Assert.True(await instance.GetSchemaVersionAsync(CancellationToken.None) > 0);
        await instance.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void IObserveStore_IsTheSumOfTheRolesWithEachMethodInOne()
    {
        // A new role must be added here (and so to what the registration test checks), and a method declared in two
        // roles would make every call through IObserveStore ambiguous.
        Assert.Equal(Roles.Select(r => r.Name).Order(), typeof(IObserveStore).GetInterfaces().Select(r => r.Name).Order());
        Assert.Empty(typeof(IObserveStore).GetMethods());
        var methods = Roles.SelectMany(r => r.GetMethods()).Select(m => m.Name).ToList();
        Assert.Equal(methods.Distinct().Order(), methods.Order());
    }

    [Fact]
    public void AddObserveStore_UnknownKind_FailsAtStartWithTheMessage()
    {
        using var provider = Services(new() { ["Observe:Store:Kind"] = "Mongo" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Observe:Store:Kind 'Mongo' is not a store kind; use Sqlite or PostgreSql", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_DataDirectoryNotWritable_ThrowsNamingTheSetting()
    {
        // A path under a regular file cannot be created even by root, so this holds whoever runs the tests.
        var file = Path.GetTempFileName();
        try
        {
            var directory = Path.Combine(file, "data");
            await using var store = StoreServiceCollectionExtensions.CreateStore(
                new StoreOptions { DataDirectory = directory }, NullLoggerFactory.Instance);

            var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.MigrateAsync(CancellationToken.None));

            Assert.StartsWith($"Observe:Store:DataDirectory '{directory}' is not writable: ", error.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(directory));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task MigrateAsync_PostgreSqlPortClosed_ThrowsCouldNotConnect()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var store = StoreServiceCollectionExtensions.CreateStore(
            new StoreOptions { Kind = "PostgreSql", ConnectionString = $"Host=127.0.0.1;Port={port};Username=observe;Database=observe;Timeout=5" },
            NullLoggerFactory.Instance);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.MigrateAsync(CancellationToken.None));

        Assert.StartsWith($"could not connect to PostgreSQL at 127.0.0.1:{port}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("refused", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static readonly Type[] Roles =
    [
        typeof(IStoreSchema), typeof(IStoreRetention), typeof(ICheckpointStore), typeof(IFleetWriter),
        typeof(IInventoryReader), typeof(IInventoryWriter), typeof(IMetricsReader), typeof(IMetricsWriter),
        typeof(IInvocationReader), typeof(IInvocationWriter), typeof(IColdStartReader), typeof(IErrorReader), typeof(IErrorGroupReader),
        typeof(IErrorStatusWriter), typeof(ITraceReader),
        typeof(ITraceWriter), typeof(IAlarmReader), typeof(IAlarmWriter), typeof(ICollectorStatusReader),
        typeof(ICollectorStatusWriter), typeof(IAlertRuleReader), typeof(IAlertRuleWriter), typeof(IAlertStateStore),
        typeof(IFunctionStatsReader), typeof(IFunctionWatchStore), typeof(IFunctionChangeReader), typeof(IFunctionChangeWriter),
        typeof(IAlertLifecycleStore), typeof(INotificationOutbox), typeof(ILeaseStore), typeof(IFunctionBaselineReader),
        typeof(IAuditLogReader), typeof(IAuditLogWriter), typeof(IDataProtectionKeyStore),
        typeof(IApiKeyReader), typeof(IApiKeyCredentialReader), typeof(IApiKeyWriter),
    ];

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddObserveStore(configuration);
        return services.BuildServiceProvider();
    }
}
