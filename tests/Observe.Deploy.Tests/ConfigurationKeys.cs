using System.Reflection;

namespace Observe.Deploy.Tests;

/// <summary>
/// The configuration keys the app reads, from the options classes themselves: every type of the Observe assemblies with
/// a <c>SectionName</c> constant binds that section, and its properties (lists by index, dictionaries by key, nested
/// option classes) name the keys below it. A deployment file's <c>Observe__…</c> variable must name one of them.
/// </summary>
internal static class ConfigurationKeys
{
    private static readonly Assembly[] Assemblies =
    [
        typeof(Observe.Dashboard.DashboardApp).Assembly,
        typeof(Observe.Collectors.Worker.WorkerApp).Assembly,
        typeof(Observe.Collectors.Aws.AwsService).Assembly,
        typeof(Observe.Store.StoreOptions).Assembly,
        typeof(Observe.Alerting.AlertingServiceCollectionExtensions).Assembly,
    ];

    /// <summary>Every options type and the section it binds.</summary>
    public static IReadOnlyList<(string Section, Type Type)> Sections { get; } = Assemblies
        .SelectMany(a => a.GetTypes())
        .Select(t => (Field: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static), Type: t))
        .Where(x => x.Field is { IsLiteral: true } && x.Field.FieldType == typeof(string))
        .Select(x => ((string)x.Field!.GetRawConstantValue()!, x.Type))
        .ToList();

    /// <summary>Null when an options class reads the environment variable's key; otherwise why none does.</summary>
    public static string? Problem(string environmentName)
    {
        var key = environmentName.Replace("__", ":", StringComparison.Ordinal);
        var candidates = Sections
            .Where(s => key.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(s => s.Section.Length)
            .ToList();
        if (candidates.Count == 0)
        {
            return $"{environmentName}: no options class binds a section above {key}";
        }

        var reasons = new List<string>();
        foreach (var (section, type) in candidates)
        {
            var rest = key[(section.Length + 1)..].Split(':');
            if (Resolve(type, rest) is not { } reason)
            {
                return null;
            }

            reasons.Add($"{type.Name} ({section}): {reason}");
        }

        return $"{environmentName}: {string.Join("; ", reasons)}";
    }

    private static string? Resolve(Type type, ReadOnlySpan<string> path)
    {
        while (true)
        {
            if (path.Length == 0)
            {
                return IsValue(type) ? null : $"{type.Name} is not a single value";
            }

            if (IsValue(type))
            {
                return $"{type.Name} has no key '{path[0]}'";
            }

            if (ElementOf(type) is { } element)
            {
                if (!int.TryParse(path[0], out _))
                {
                    return $"'{path[0]}' is not an index of a list";
                }

                type = element;
            }
            else if (ValueOfDictionary(type) is { } value)
            {
                type = value;
            }
            else
            {
                var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                if (property is null)
                {
                    return $"{type.Name} has no property '{path[0]}'";
                }

                if (!property.CanWrite && IsValue(property.PropertyType))
                {
                    return $"{type.Name}.{property.Name} cannot be set from configuration";
                }

                type = property.PropertyType;
            }

            path = path[1..];
        }
    }

    private static bool IsValue(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan)
               || t == typeof(DateTimeOffset) || t == typeof(DateTime) || t == typeof(DateOnly) || t == typeof(Uri) || t == typeof(Guid);
    }

    private static Type? ElementOf(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(List<>) || d == typeof(IList<>) || d == typeof(IReadOnlyList<>) || d == typeof(IEnumerable<>) || d == typeof(ICollection<>))
            ? type.GetGenericArguments()[0]
            : null;

    private static Type? ValueOfDictionary(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(Dictionary<,>) || d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>))
            ? type.GetGenericArguments()[1]
            : null;
}
