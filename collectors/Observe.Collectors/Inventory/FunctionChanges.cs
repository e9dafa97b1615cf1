using System.Globalization;
using Observe.Store.Model;

namespace Observe.Collectors.Inventory;

/// <summary>
/// The deploy markers between the stored copy of a function and the one a pass read: a published version, an alias
/// created, moved, re-weighted or removed, a configuration change and a code change, at most one of each kind.
/// </summary>
/// <remarks>
/// Configuration and code changes are dated by the function's <c>LastModified</c> when it moved (Lambda sets it on
/// every code or configuration update); otherwise, and for versions and aliases (which leave it alone), by the pass
/// that saw them, so they are late by up to a pass interval, or a full refresh for details read in refresh slices.
/// Dated by <c>LastModified</c>, a change recorded twice (a pass replayed after its upsert failed) is stored once.
/// </remarks>
internal static class FunctionChanges
{
    public const string Version = "version";
    public const string Alias = "alias";
    public const string Configuration = "configuration";
    public const string Code = "code";

    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    /// <summary>What changed from <paramref name="previous"/> to <paramref name="current"/> (the same function).</summary>
    public static IReadOnlyList<FunctionChange> Between(LambdaFunction previous, LambdaFunction current, DateTimeOffset passTime)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        var key = current.Key;
        var modifiedMoved = current.LastModified.ToUnixTimeMilliseconds() > previous.LastModified.ToUnixTimeMilliseconds();
        var modifiedAt = modifiedMoved ? current.LastModified : passTime;
        var changes = new List<FunctionChange>();

        var published = current.PublishedVersions.Except(previous.PublishedVersions, StringComparer.Ordinal).ToList();
        if (published.Count > 0)
        {
            var label = published.Count == 1 ? "version " : "versions ";
            changes.Add(new(key, passTime, Version, "Published " + label + string.Join(", ", published)));
        }

        if (AliasChanges(previous.Aliases, current.Aliases) is { Count: > 0 } aliases)
        {
            changes.Add(new(key, passTime, Alias, string.Join("; ", aliases)));
        }

        var settings = SettingChanges(previous, current);
        var codeChanged = current.CodeSizeBytes != previous.CodeSizeBytes;
        if (settings.Count > 0)
        {
            changes.Add(new(key, modifiedAt, Configuration, string.Join("; ", settings)));
        }
        else if (modifiedMoved && !codeChanged)
        {
            // Lambda says the function was updated, but nothing Observe keeps differs: still a deploy worth marking.
            changes.Add(new(key, modifiedAt, Configuration, "Updated (LastModified moved): code of the same size or a setting Observe does not keep, such as the handler, environment or role"));
        }

        if (codeChanged)
        {
            changes.Add(new(key, modifiedAt, Code, string.Create(Culture, $"Code size {previous.CodeSizeBytes:#,0} -> {current.CodeSizeBytes:#,0} bytes")));
        }

        return changes;
    }

    private static List<string> SettingChanges(LambdaFunction previous, LambdaFunction current)
    {
        var changes = new List<string>();
        if (!string.Equals(previous.Runtime, current.Runtime, StringComparison.Ordinal))
        {
            changes.Add($"Runtime {previous.Runtime ?? "none"} -> {current.Runtime ?? "none"}");
        }

        if (previous.MemoryMb != current.MemoryMb)
        {
            changes.Add(string.Create(Culture, $"Memory {previous.MemoryMb} -> {current.MemoryMb} MB"));
        }

        if (previous.TimeoutSeconds != current.TimeoutSeconds)
        {
            changes.Add(string.Create(Culture, $"Timeout {previous.TimeoutSeconds} -> {current.TimeoutSeconds} s"));
        }

        if (!string.Equals(previous.Architecture, current.Architecture, StringComparison.Ordinal))
        {
            changes.Add($"Architecture {previous.Architecture} -> {current.Architecture}");
        }

        if (!string.Equals(previous.PackageType, current.PackageType, StringComparison.Ordinal))
        {
            changes.Add($"Package type {previous.PackageType} -> {current.PackageType}");
        }

        if (!previous.Layers.SequenceEqual(current.Layers, StringComparer.Ordinal))
        {
            var added = current.Layers.Except(previous.Layers, StringComparer.Ordinal).ToList();
            var removed = previous.Layers.Except(current.Layers, StringComparer.Ordinal).ToList();
            var parts = new List<string>();
            if (added.Count > 0)
            {
                parts.Add("added " + string.Join(", ", added));
            }

            if (removed.Count > 0)
            {
                parts.Add("removed " + string.Join(", ", removed));
            }

            changes.Add("Layers " + (parts.Count > 0 ? string.Join(", ", parts) : "reordered"));
        }

        return changes;
    }

    private static List<string> AliasChanges(IReadOnlyList<FunctionAlias> previous, IReadOnlyList<FunctionAlias> current)
    {
        var before = previous.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var changes = new List<string>();
        foreach (var alias in current)
        {
            if (!before.Remove(alias.Name, out var old))
            {
                changes.Add($"Alias {alias.Name} created: {Routing(alias)}");
            }
            else if (old != alias)
            {
                var what = old.Version != alias.Version ? "moved" : "re-weighted";
                changes.Add($"Alias {alias.Name} {what}: {Routing(old)} -> {Routing(alias)}");
            }
        }

        changes.AddRange(before.Keys.Order(StringComparer.Ordinal).Select(name => $"Alias {name} removed"));
        return changes;
    }

    /// <summary><c>version 7</c>, or <c>version 7, 10% to version 8</c> for a weighted alias.</summary>
    private static string Routing(FunctionAlias alias) =>
        alias.AdditionalVersion is { } additional && alias.AdditionalWeight > 0
            ? string.Create(Culture, $"version {alias.Version}, {alias.AdditionalWeight * 100:0.##}% to version {additional}")
            : $"version {alias.Version}";
}
