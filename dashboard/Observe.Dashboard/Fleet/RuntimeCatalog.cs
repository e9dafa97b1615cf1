using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Observe.Dashboard.Fleet;

/// <summary>Where a function's runtime stands against AWS's published deprecation dates.</summary>
public enum RuntimeSupport
{
    Supported,

    /// <summary>Deprecated within the notice period (<c>Observe:Fleet:DeprecationNoticeDays</c>).</summary>
    DeprecatingSoon,

    /// <summary>Past its deprecation date: no more security patches, and AWS blocks creating, then updating, such functions.</summary>
    Deprecated,

    /// <summary>Not in the table (or not reported): shown as unknown, never as fine.</summary>
    Unknown,

    /// <summary>A container image brings its own runtime; Lambda does not manage or deprecate it.</summary>
    ContainerImage,
}

/// <summary>The outcome of <see cref="RuntimeCatalog.Classify"/>, with the sentence the pages show.</summary>
public sealed record RuntimeStatus(RuntimeSupport Support, DateOnly? Deprecation, string Explanation);

/// <summary>One row of <c>lambda-runtimes.json</c>. A null date is one that could not be confirmed, not "never".</summary>
public sealed record RuntimeEntry(string Identifier, string Name, DateOnly? Deprecation, DateOnly? BlockCreate, DateOnly? BlockUpdate);

/// <summary>
/// AWS Lambda's managed runtimes and their deprecation dates, kept as data in one file (<c>Fleet/lambda-runtimes.json</c>,
/// embedded) so updating a date is a one-line change with its own review, and the page can say when it was last checked.
/// </summary>
public sealed class RuntimeCatalog
{
    private const string ResourceName = "Observe.Dashboard.Fleet.lambda-runtimes.json";

    private static readonly Lazy<RuntimeCatalog> Embedded = new(LoadEmbedded);

    private readonly Dictionary<string, RuntimeEntry> _byIdentifier;

    private RuntimeCatalog(Uri source, DateOnly lastChecked, IReadOnlyList<RuntimeEntry> runtimes)
    {
        Source = source;
        LastChecked = lastChecked;
        Runtimes = runtimes;
        _byIdentifier = new Dictionary<string, RuntimeEntry>(StringComparer.Ordinal);
        foreach (var runtime in runtimes)
        {
            if (!_byIdentifier.TryAdd(runtime.Identifier, runtime))
            {
                throw new InvalidDataException($"The runtime table lists {runtime.Identifier} twice.");
            }
        }
    }

    /// <summary>The table shipped with the dashboard.</summary>
    public static RuntimeCatalog Default => Embedded.Value;

    /// <summary>The page the dates were taken from.</summary>
    public Uri Source { get; }

    /// <summary>When the table was last compared with <see cref="Source"/>.</summary>
    public DateOnly LastChecked { get; }

    /// <summary>Every runtime of the table, in the file's order (newest first within a language).</summary>
    public IReadOnlyList<RuntimeEntry> Runtimes { get; }

    /// <summary>The row of a runtime identifier (exact, as Lambda reports it), or null when the table lacks it.</summary>
    public RuntimeEntry? Find(string? identifier) =>
        identifier is not null && _byIdentifier.TryGetValue(identifier, out var entry) ? entry : null;

    /// <summary>
    /// Classifies a function's runtime on <paramref name="today"/>. A runtime missing from the table is
    /// <see cref="RuntimeSupport.Unknown"/>; one deprecated within <paramref name="noticeDays"/> days is
    /// <see cref="RuntimeSupport.DeprecatingSoon"/>; an image function is <see cref="RuntimeSupport.ContainerImage"/>.
    /// </summary>
    public RuntimeStatus Classify(string? runtime, string packageType, DateOnly today, int noticeDays)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(noticeDays);
        if (string.Equals(packageType, "Image", StringComparison.OrdinalIgnoreCase))
        {
            return new(RuntimeSupport.ContainerImage, null, "A container image brings its own runtime: Lambda does not patch or deprecate it, the image's owner does.");
        }

        if (string.IsNullOrEmpty(runtime))
        {
            return new(RuntimeSupport.Unknown, null, "Lambda reported no runtime for this function.");
        }

        if (Find(runtime) is not { } entry)
        {
            return new(RuntimeSupport.Unknown, null, Invariant($"{runtime} is not in Observe's runtime table (last checked {LastChecked:yyyy-MM-dd}), so its support is unknown."));
        }

        if (entry.Deprecation is not { } deprecation)
        {
            return new(RuntimeSupport.Supported, null, Invariant($"{entry.Name} ({runtime}): no deprecation date published (table last checked {LastChecked:yyyy-MM-dd})."));
        }

        if (deprecation <= today)
        {
            return new(RuntimeSupport.Deprecated, deprecation, Invariant($"{entry.Name} ({runtime}) has been deprecated since {deprecation:yyyy-MM-dd}: no more security patches.{Blocks(entry, today)}"));
        }

        var days = deprecation.DayNumber - today.DayNumber;
        return days <= noticeDays
            ? new(RuntimeSupport.DeprecatingSoon, deprecation, Invariant($"{entry.Name} ({runtime}) is deprecated on {deprecation:yyyy-MM-dd}, in {days} days.{Blocks(entry, today)}"))
            : new(RuntimeSupport.Supported, deprecation, Invariant($"{entry.Name} ({runtime}) is supported until {deprecation:yyyy-MM-dd}."));
    }

    /// <summary>Reads a table in the <c>lambda-runtimes.json</c> form; a missing field or bad date names the problem.</summary>
    public static RuntimeCatalog Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        RuntimeFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, RuntimeFileContext.Default.RuntimeFile);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The runtime table is not valid: {ex.Message}", ex);
        }

        if (file is null || file.Source is null || file.LastChecked is null || file.Runtimes is null)
        {
            throw new InvalidDataException("The runtime table needs source, lastChecked and runtimes.");
        }

        var runtimes = file.Runtimes.Select(r => string.IsNullOrWhiteSpace(r.Identifier) || string.IsNullOrWhiteSpace(r.Name)
            ? throw new InvalidDataException("Every runtime of the table needs an identifier and a name.")
            : new RuntimeEntry(r.Identifier, r.Name, r.Deprecation, r.BlockCreate, r.BlockUpdate)).ToList();
        return new RuntimeCatalog(file.Source, file.LastChecked.Value, runtimes);
    }

    private static RuntimeCatalog LoadEmbedded()
    {
        using var stream = typeof(RuntimeCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The build lost the embedded resource {ResourceName}.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>The next step AWS takes against functions on the runtime, when its date is known.</summary>
    private static string Blocks(RuntimeEntry entry, DateOnly today) => (entry.BlockCreate, entry.BlockUpdate) switch
    {
        ({ } create, { } update) when create > today => Invariant($" AWS blocks creating functions on it from {create:yyyy-MM-dd} and updating them from {update:yyyy-MM-dd}."),
        ({ } create, _) when create > today => Invariant($" AWS blocks creating functions on it from {create:yyyy-MM-dd}."),
        (_, { } update) when update > today => Invariant($" AWS blocks updating functions on it from {update:yyyy-MM-dd}."),
        (_, { } update) => Invariant($" AWS has blocked updating functions on it since {update:yyyy-MM-dd}."),
        ({ } create, null) => Invariant($" AWS has blocked creating functions on it since {create:yyyy-MM-dd}."),
        _ => "",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    internal sealed record RuntimeFile(Uri? Source, DateOnly? LastChecked, string? About, IReadOnlyList<RuntimeRow>? Runtimes);

    internal sealed record RuntimeRow(string Identifier, string Name, DateOnly? Deprecation, DateOnly? BlockCreate, DateOnly? BlockUpdate);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(RuntimeCatalog.RuntimeFile))]
internal sealed partial class RuntimeFileContext : JsonSerializerContext;
