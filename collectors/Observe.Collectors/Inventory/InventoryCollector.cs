using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Lambda;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Inventory;

/// <summary>
/// Lists every function of a target and writes it to the store with its tags, event sources, aliases, versions and
/// concurrency; functions a complete listing no longer has are marked deleted. Each difference from the stored copy
/// is recorded as a deploy marker (<see cref="FunctionChanges"/>); a function seen for the first time records none.
/// </summary>
/// <remarks>
/// Calls per pass: ListFunctions (one per 50 functions) and one region-wide ListEventSourceMappings listing, then five
/// calls per function whose details are read (tags, versions, aliases, reserved and provisioned concurrency). At
/// Lambda's 15 calls/s that is about an hour for 10,000 functions, so details are read only for functions that are
/// new or whose <c>LastModified</c> or <c>RevisionId</c> changed since the stored copy, plus one rotating slice of the
/// rest (see <see cref="InventoryCollectorOptions.FullRefreshInterval"/>); the others keep their stored details.
/// </remarks>
internal sealed partial class InventoryCollector(
    IAwsClientFactory clients,
    IInventoryReader inventoryReader,
    IInventoryWriter inventoryWriter,
    IFunctionChangeWriter changeWriter,
    ICheckpointStore checkpoints,
    IOptions<InventoryCollectorOptions> options,
    TimeProvider time,
    ILogger<InventoryCollector> logger) : ICollector
{
    private readonly InventoryCollectorOptions _options = options.Value;

    public string Name => "inventory";

    public TimeSpan Interval => _options.Interval;

    public async Task CollectAsync(CollectionTarget target, PassReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var lambda = clients.Lambda(target.AccountId, target.Region);
        var seenAt = time.GetUtcNow();

        // The whole listing comes first: a listing that fails part-way throws here, before anything is written or
        // marked deleted.
        var listed = new List<LambdaFunctionConfiguration>();
        await foreach (var function in lambda.ListFunctionsAsync(cancellationToken).ConfigureAwait(false))
        {
            listed.Add(function);
        }

        var eventSources = await ListEventSourcesAsync(lambda, cancellationToken).ConfigureAwait(false);
        var stored = (await inventoryReader.GetFunctionsAsync(new FleetFilter(target.AccountId, target.Region), cancellationToken).ConfigureAwait(false))
            .ToDictionary(f => f.Key.Name, StringComparer.Ordinal);

        var checkpointKey = target.CheckpointKey(Name);
        var slices = RefreshSlices;
        var slice = ParseSlice(await checkpoints.GetCheckpointAsync(checkpointKey, cancellationToken).ConfigureAwait(false)) % slices;

        var present = new HashSet<string>(StringComparer.Ordinal);
        var batch = new List<LambdaFunction>(_options.WriteBatchSize);
        var detailed = 0;
        var vanished = 0;
        var changed = 0;
        var unreadable = new UnreadableDetails();
        foreach (var chunk in listed.Chunk(_options.WriteBatchSize))
        {
            var results = new LambdaFunction?[chunk.Length];
            await Parallel.ForEachAsync(
                Enumerable.Range(0, chunk.Length),
                new ParallelOptions { MaxDegreeOfParallelism = _options.DetailConcurrency, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    var function = chunk[i];
                    var previous = stored.GetValueOrDefault(function.FunctionName);
                    var functionSources = eventSources.GetValueOrDefault(function.FunctionName) ?? [];
                    if (previous is not null && Unchanged(previous, function) && Slice(function.FunctionName, slices) != slice)
                    {
                        results[i] = FromListing(target, function, seenAt, functionSources) with
                        {
                            Tags = previous.Tags,
                            Aliases = previous.Aliases,
                            PublishedVersions = previous.PublishedVersions,
                            ProvisionedConcurrency = previous.ProvisionedConcurrency,
                            ReservedConcurrency = previous.ReservedConcurrency,
                        };
                        return;
                    }

                    results[i] = await ReadDetailsAsync(lambda, FromListing(target, function, seenAt, functionSources), previous, unreadable, ct).ConfigureAwait(false);
                    Interlocked.Increment(ref detailed);
                }).ConfigureAwait(false);

            batch.Clear();
            var changes = new List<FunctionChange>();
            for (var i = 0; i < chunk.Length; i++)
            {
                if (results[i] is { } result)
                {
                    batch.Add(result);
                    present.Add(result.Key.Name);
                    if (stored.GetValueOrDefault(result.Key.Name) is { } previous)
                    {
                        changes.AddRange(FunctionChanges.Between(previous, result, seenAt));
                    }
                }
                else
                {
                    vanished++;
                }
            }

            // Markers first: if the upsert then fails, the next pass compares with the same stored copy and records
            // them again (once more for those dated by the pass, never twice for those dated by LastModified); the
            // other order would lose them on such a failure.
            await changeWriter.RecordFunctionChangesAsync(changes, cancellationToken).ConfigureAwait(false);
            changed += changes.Count;
            await inventoryWriter.UpsertFunctionsAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        if (unreadable.First is { } first)
        {
            // Degraded, not OK: the functions are listed, but their tags, versions or concurrency may be stale.
            var problem = DetailsProblem(unreadable.Count, first);
            report.Degraded(problem);
            LogDetailsUnreadable(logger, target, problem);
        }

        var deleted = await inventoryWriter.MarkDeletedExceptAsync(target.AccountId, target.Region, present, seenAt, cancellationToken).ConfigureAwait(false);
        await checkpoints.SetCheckpointAsync(checkpointKey, ((slice + 1) % slices).ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        LogPassCompleted(logger, target, listed.Count - vanished, detailed - vanished, deleted, changed, slice + 1, slices);
    }

    /// <summary>How many passes a full refresh is spread over.</summary>
    private int RefreshSlices => (int)Math.Clamp(Math.Ceiling(_options.FullRefreshInterval / _options.Interval), 1, 100_000);

    /// <summary>
    /// Same revision and modification time (to the millisecond the store keeps) as the stored copy. Lambda changes
    /// both on every code or configuration update; moto sends no RevisionId, and two missing ids compare equal.
    /// </summary>
    private static bool Unchanged(LambdaFunction stored, LambdaFunctionConfiguration listed) =>
        listed.LastModifiedAt is { } modified
        && modified.ToUnixTimeMilliseconds() == stored.LastModified.ToUnixTimeMilliseconds()
        && string.Equals(listed.RevisionId, stored.RevisionId, StringComparison.Ordinal);

    /// <summary>A function's refresh slice, from a hash of its name that is the same in every process (unlike string.GetHashCode).</summary>
    internal static int Slice(string functionName, int slices)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(functionName))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)slices);
    }

    private static int ParseSlice(string? checkpoint) =>
        int.TryParse(checkpoint, NumberStyles.None, CultureInfo.InvariantCulture, out var slice) ? slice : 0;

    private static LambdaFunction FromListing(CollectionTarget target, LambdaFunctionConfiguration function, DateTimeOffset seenAt, IReadOnlyList<EventSourceMapping> eventSources) => new()
    {
        Key = new FunctionKey(target.AccountId, target.Region, function.FunctionName),
        Arn = function.FunctionArn,
        Runtime = function.Runtime,
        Architecture = function.Architectures is [var first, ..] ? first : "x86_64",

        // Lambda's defaults for members it omits.
        MemoryMb = function.MemorySize ?? 128,
        TimeoutSeconds = function.Timeout ?? 3,
        CodeSizeBytes = function.CodeSize,
        PackageType = function.PackageType ?? "Zip",
        LastModified = function.LastModifiedAt ?? DateTimeOffset.UnixEpoch,
        RevisionId = function.RevisionId,
        Layers = function.Layers?.Select(l => l.Arn).ToList() ?? [],
        EventSources = eventSources,
        LastSeen = seenAt,
    };

    /// <summary>
    /// The function with its details read from Lambda, or null when it was deleted since the listing. A detail the
    /// role may not read (403) or the endpoint does not offer (a 404 that is not Lambda's "no such function") keeps
    /// the stored value, or none: one missing permission must not stop the whole inventory.
    /// </summary>
    private static async Task<LambdaFunction?> ReadDetailsAsync(ILambdaClient lambda, LambdaFunction function, LambdaFunction? previous, UnreadableDetails unreadable, CancellationToken cancellationToken)
    {
        var name = function.Key.Name;
        try
        {
            var tags = unreadable.OrAsync(lambda.ListTagsAsync(function.Arn, cancellationToken), previous?.Tags ?? function.Tags);
            var versions = unreadable.OrAsync(ListVersionsAsync(lambda, name, cancellationToken), previous?.PublishedVersions ?? function.PublishedVersions);
            var aliases = unreadable.OrAsync(ListAliasesAsync(lambda, name, cancellationToken), previous?.Aliases ?? function.Aliases);
            var reserved = unreadable.OrAsync(lambda.GetFunctionConcurrencyAsync(name, cancellationToken), previous?.ReservedConcurrency);
            var provisioned = unreadable.OrAsync(SumProvisionedAsync(lambda, name, cancellationToken), previous?.ProvisionedConcurrency ?? 0);
            await Task.WhenAll(tags, versions, aliases, reserved, provisioned).ConfigureAwait(false);

            return function with
            {
                Tags = await tags.ConfigureAwait(false),
                PublishedVersions = await versions.ConfigureAwait(false),
                Aliases = await aliases.ConfigureAwait(false),
                ReservedConcurrency = await reserved.ConfigureAwait(false),
                ProvisionedConcurrency = await provisioned.ConfigureAwait(false),
            };
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ResourceNotFoundException")
        {
            // Only Lambda's own "no such function": a bare 404 (a proxy, a wrong endpoint) must not look like a
            // deletion, or a misrouted pass would mark the whole region deleted.
            return null;
        }
    }

    /// <summary>
    /// The pass's warning for details it could not read: how many, the first failing operation and what AWS answered,
    /// and the IAM action to allow only when AWS said access is denied (a 404 from an endpoint without the operation,
    /// as moto answers ListProvisionedConcurrencyConfigs, is not a permission problem).
    /// </summary>
    internal static string DetailsProblem(int count, AwsServiceException first)
    {
        ArgumentNullException.ThrowIfNull(first);
        var answer = first.StatusCode is { } status ? $"HTTP {(int)status} {first.ErrorCode}" : first.ErrorCode;
        var kept = $"{count} function details could not be read and kept their stored values";
        return first.IsAccessDenied
            ? $"{kept}: {first.Operation} was denied ({answer}); allow lambda:{first.Operation} to the role"
            : $"{kept}: {first.Operation} failed ({answer})";
    }

    /// <summary>Details a pass could not read, counted for one warning per pass.</summary>
    private sealed class UnreadableDetails
    {
        private int _count;
        private AwsServiceException? _first;

        public int Count => _count;

        public AwsServiceException? First => _first;

        public async Task<T> OrAsync<T>(Task<T> read, T fallback)
        {
            try
            {
                return await read.ConfigureAwait(false);
            }
            catch (AwsServiceException e) when (e.StatusCode == HttpStatusCode.Forbidden
                || (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "ResourceNotFoundException"))
            {
                Interlocked.Increment(ref _count);
                Interlocked.CompareExchange(ref _first, e, null);
                return fallback;
            }
        }
    }

    /// <summary>Published versions, <c>$LATEST</c> left out, in numeric order.</summary>
    private static async Task<IReadOnlyList<string>> ListVersionsAsync(ILambdaClient lambda, string name, CancellationToken cancellationToken)
    {
        var versions = new List<(long Number, string Version)>();
        await foreach (var version in lambda.ListVersionsByFunctionAsync(name, cancellationToken).ConfigureAwait(false))
        {
            if (long.TryParse(version.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                versions.Add((number, version.Version!));
            }
        }

        return [.. versions.OrderBy(v => v.Number).Select(v => v.Version)];
    }

    private static async Task<IReadOnlyList<FunctionAlias>> ListAliasesAsync(ILambdaClient lambda, string name, CancellationToken cancellationToken)
    {
        var aliases = new List<FunctionAlias>();
        await foreach (var alias in lambda.ListAliasesAsync(name, cancellationToken).ConfigureAwait(false))
        {
            aliases.Add(ToAlias(alias));
        }

        return [.. aliases.OrderBy(a => a.Name, StringComparer.Ordinal)];
    }

    /// <summary>The configured figure (what AWS bills for), summed over the aliases and versions that have one.</summary>
    private static async Task<int> SumProvisionedAsync(ILambdaClient lambda, string name, CancellationToken cancellationToken)
    {
        var sum = 0;
        await foreach (var config in lambda.ListProvisionedConcurrencyConfigsAsync(name, cancellationToken).ConfigureAwait(false))
        {
            sum += config.RequestedProvisionedConcurrentExecutions ?? 0;
        }

        return sum;
    }

    private static FunctionAlias ToAlias(LambdaAlias alias)
    {
        var weighted = alias.RoutingConfig?.AdditionalVersionWeights?.FirstOrDefault();
        return new FunctionAlias(alias.Name, alias.FunctionVersion ?? "", weighted?.Key, weighted?.Value ?? 0);
    }

    /// <summary>The region's event source mappings in one listing, grouped by the (unqualified) function name.</summary>
    private static async Task<Dictionary<string, IReadOnlyList<EventSourceMapping>>> ListEventSourcesAsync(ILambdaClient lambda, CancellationToken cancellationToken)
    {
        var byFunction = new Dictionary<string, List<EventSourceMapping>>(StringComparer.Ordinal);
        await foreach (var mapping in lambda.ListEventSourceMappingsAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (FunctionName(mapping.FunctionArn) is not { } name)
            {
                continue;
            }

            if (!byFunction.TryGetValue(name, out var list))
            {
                byFunction[name] = list = [];
            }

            list.Add(new EventSourceMapping(mapping.Uuid, mapping.EventSourceArn ?? "", mapping.State ?? "", mapping.BatchSize));
        }

        return byFunction.ToDictionary(
            p => p.Key,
            p => (IReadOnlyList<EventSourceMapping>)[.. p.Value.OrderBy(m => m.Uuid, StringComparer.Ordinal)],
            StringComparer.Ordinal);
    }

    /// <summary>The name in <c>arn:aws:lambda:region:account:function:name[:qualifier]</c>; mappings may target an alias.</summary>
    internal static string? FunctionName(string? functionArn)
    {
        var parts = functionArn?.Split(':');
        return parts is { Length: >= 7 } && parts[5] == "function" && parts[6].Length > 0 ? parts[6] : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Inventory of {Target}: {Functions} functions, {Detailed} read in detail (new, changed or in refresh slice {Slice}/{Slices}), {Deleted} marked deleted, {Changes} changes recorded")]
    private static partial void LogPassCompleted(ILogger logger, CollectionTarget target, int functions, int detailed, int deleted, int changes, int slice, int slices);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inventory of {Target}: {Problem}")]
    private static partial void LogDetailsUnreadable(ILogger logger, CollectionTarget target, string problem);
}
