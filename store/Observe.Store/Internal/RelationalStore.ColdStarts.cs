using Observe.Store.Model;

namespace Observe.Store.Internal;

internal abstract partial class RelationalStore
{
    public async Task WriteInitEventsAsync(IReadOnlyCollection<InitEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        await using var scope = await BeginWriteAsync(WriteLock.None, cancellationToken);
        var ids = await ResolveFunctionIdsAsync(scope, events.Select(e => e.Function), cancellationToken);
        var inserted = 0;
        await using (var command = scope.Command("""
            INSERT INTO init_event (fid, ts, init_type, duration_ms, status)
            VALUES (@fid, @ts, @type, @duration, @status)
            ON CONFLICT (fid, ts, init_type, duration_ms) DO NOTHING
            """))
        {
            var fid = command.AddInt32("@fid", 0);
            var ts = command.AddInt64("@ts", 0);
            var type = command.AddText("@type", "");
            var duration = command.AddDouble("@duration", 0);
            var status = command.AddText("@status", "");
            foreach (var e in events)
            {
                fid.Value = ids[e.Function];
                ts.Value = StoreTime.ToMs(e.Timestamp);
                type.Value = InitTypeToken(e.Type);
                duration.Value = e.DurationMs;
                status.Value = e.Status;
                inserted += await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        if (inserted > 0)
        {
            scope.Changed |= StoreChangeKind.Invocations;
        }

        await scope.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ColdStartFunction>> GetColdStartsAsync(FleetFilter filter, TimeRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        var functions = new Dictionary<FunctionKey, ColdStartAccumulator>();
        ColdStartAccumulator Of(FunctionKey key) => functions.TryGetValue(key, out var a) ? a : functions[key] = new ColdStartAccumulator();

        // Invocations counted by the database; only the reports that carry an init or restore duration come back whole.
        await using (var command = connection.Command(null, ""))
        {
            var where = FilterSql(command, filter, "f.account_id", "f.region");
            command.CommandText = $"""
                SELECT f.account_id, f.region, f.name, COUNT(*)
                FROM invocation_report r JOIN fn f ON f.id = r.fid
                WHERE r.ts >= @from AND r.ts < @to{where}
                GROUP BY f.account_id, f.region, f.name
                """;
            AddRange(command, range);
            foreach (var (key, count) in await command.ReadAllAsync(r => (Key(r), r.GetInt64(3)), cancellationToken))
            {
                Of(key).Invocations = count;
            }
        }

        await using (var command = connection.Command(null, ""))
        {
            var where = FilterSql(command, filter, "f.account_id", "f.region");
            command.CommandText = $"""
                SELECT f.account_id, f.region, f.name, r.init_duration_ms, r.restore_duration_ms
                FROM invocation_report r JOIN fn f ON f.id = r.fid
                WHERE r.ts >= @from AND r.ts < @to AND (r.init_duration_ms IS NOT NULL OR r.restore_duration_ms IS NOT NULL){where}
                """;
            AddRange(command, range);
            foreach (var (key, init, restore) in await command.ReadAllAsync(r => (Key(r), r.GetNullableDouble(3), r.GetNullableDouble(4)), cancellationToken))
            {
                var a = Of(key);
                if (init is { } i)
                {
                    a.Init.Add(i);
                }

                if (restore is { } s)
                {
                    a.Restore.Add(s);
                }
            }
        }

        await using (var command = connection.Command(null, ""))
        {
            var where = FilterSql(command, filter, "f.account_id", "f.region");
            command.CommandText = $"""
                SELECT f.account_id, f.region, f.name, e.init_type, e.duration_ms, e.status
                FROM init_event e JOIN fn f ON f.id = e.fid
                WHERE e.ts >= @from AND e.ts < @to{where}
                """;
            AddRange(command, range);
            foreach (var (key, type, duration, status) in await command.ReadAllAsync(r => (Key(r), r.GetString(3), r.GetDouble(4), r.GetString(5)), cancellationToken))
            {
                // A type this version does not know (a newer store's) is left out rather than counted as another.
                if (ParseInitType(type) is not { } known)
                {
                    continue;
                }

                var a = Of(key);
                if (!a.Events.TryGetValue(known, out var list))
                {
                    a.Events[known] = list = [];
                }

                list.Add(duration);
                if (status != "success")
                {
                    a.FailedInits++;
                }
            }
        }

        return functions.Select(p => new ColdStartFunction
        {
            Function = p.Key,
            Invocations = p.Value.Invocations,
            InitDurationsMs = p.Value.Init,
            RestoreDurationsMs = p.Value.Restore,
            InitEventsMs = p.Value.Events.ToDictionary(e => e.Key, e => (IReadOnlyList<double>)e.Value),
            FailedInits = p.Value.FailedInits,
        }).ToList();

        static FunctionKey Key(System.Data.Common.DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2));

        static void AddRange(System.Data.Common.DbCommand command, TimeRange range)
        {
            command.AddInt64("@from", StoreTime.ToMs(range.From));
            command.AddInt64("@to", StoreTime.ToMs(range.To));
        }
    }

    internal static string InitTypeToken(InitializationType type) => type switch
    {
        InitializationType.ProvisionedConcurrency => "provisioned-concurrency",
        InitializationType.SnapStart => "snap-start",
        _ => "on-demand",
    };

    internal static InitializationType? ParseInitType(string token) => token switch
    {
        "on-demand" => InitializationType.OnDemand,
        "provisioned-concurrency" => InitializationType.ProvisionedConcurrency,
        "snap-start" => InitializationType.SnapStart,
        _ => null,
    };

    private sealed class ColdStartAccumulator
    {
        public long Invocations { get; set; }
        public List<double> Init { get; } = [];
        public List<double> Restore { get; } = [];
        public Dictionary<InitializationType, List<double>> Events { get; } = [];
        public long FailedInits { get; set; }
    }
}
