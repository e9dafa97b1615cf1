using System.Reflection;
using System.Text;

namespace Observe.Instrumentation.Tests;

/// <summary>
/// Tracks the package's public surface (Microsoft.CodeAnalysis.PublicApiAnalyzers is not in the registry here): the
/// surface is listed by reflection and compared with the committed PublicAPI.txt, so every change is a visible diff.
/// </summary>
public class PublicApiTests
{
    private const string UpdateVariable = "OBSERVE_UPDATE_PUBLIC_API";

    [Fact]
    public void PublicSurface_MatchesCommittedPublicApiTxt()
    {
        var path = Path.Combine(RepositoryRoot(), "instrumentation", "Observe.Instrumentation", "PublicAPI.txt");
        var actual = Describe(typeof(ObserveLambda).Assembly);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, actual);
        }

        var expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : string.Empty;
        if (expected == actual)
        {
            return;
        }

        var expectedLines = expected.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var actualLines = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var diff = new StringBuilder();
        diff.AppendLine("The public API differs from PublicAPI.txt:");
        foreach (var removed in expectedLines.Except(actualLines))
        {
            diff.Append("- ").AppendLine(removed);
        }

        foreach (var added in actualLines.Except(expectedLines))
        {
            diff.Append("+ ").AppendLine(added);
        }

        diff.AppendLine($"If the change is intended, run the tests once with {UpdateVariable}=1 to rewrite {path}, and commit it.");
        Assert.Fail(diff.ToString());
    }

    private static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            lines.Add($"{Kind(type)} {Name(type)}{Bases(type)}");
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(flags))
            {
                var text = member switch
                {
                    ConstructorInfo c => $"{Name(type)}.ctor({Parameters(c)})",
                    MethodInfo m when !m.IsSpecialName || m.Name.StartsWith("op_", StringComparison.Ordinal) => $"{Name(type)}.{m.Name}{GenericArguments(m)}({Parameters(m)}) -> {Name(m.ReturnType)}{(m.IsStatic ? " static" : string.Empty)}",
                    PropertyInfo p => $"{Name(type)}.{p.Name} : {Name(p.PropertyType)} {{{(p.GetMethod?.IsPublic == true ? " get;" : string.Empty)}{(p.SetMethod?.IsPublic == true ? (p.SetMethod.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit") ? " init;" : " set;") : string.Empty)} }}",
                    FieldInfo f when type.IsEnum && f.IsStatic => $"{Name(type)}.{f.Name} = {f.GetRawConstantValue()}",
                    FieldInfo f when !type.IsEnum => $"{Name(type)}.{f.Name} : {Name(f.FieldType)}{(f.IsLiteral ? " = " + f.GetRawConstantValue() : string.Empty)}",
                    _ => null,
                };
                if (text is not null)
                {
                    lines.Add("  " + text);
                }
            }
        }

        // Sort members under their type so the file reads by type.
        var grouped = new List<string>();
        foreach (var type in assembly.GetExportedTypes().OrderBy(Name, StringComparer.Ordinal))
        {
            var header = $"{Kind(type)} {Name(type)}{Bases(type)}";
            var index = lines.IndexOf(header);
            grouped.Add(header);
            grouped.AddRange(lines.Skip(index + 1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        }

        return string.Join('\n', grouped) + "\n";
    }

    private static string Kind(Type type) => type switch
    {
        { IsEnum: true } => "enum",
        { IsInterface: true } => "interface",
        { IsValueType: true } => "struct",
        _ when typeof(Delegate).IsAssignableFrom(type) => "delegate",
        { IsAbstract: true, IsSealed: true } => "static class",
        { IsSealed: true } => "sealed class",
        { IsAbstract: true } => "abstract class",
        _ => "class",
    };

    private static string Bases(Type type)
    {
        var bases = new List<string>();
        if (type.BaseType is { } b && b != typeof(object) && b != typeof(Enum) && b != typeof(ValueType) && b != typeof(MulticastDelegate))
        {
            bases.Add(Name(b));
        }

        bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic).Select(Name).Order(StringComparer.Ordinal));
        return bases.Count == 0 ? string.Empty : " : " + string.Join(", ", bases);
    }

    private static string GenericArguments(MethodInfo method) =>
        method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty;

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : string.Empty)}"));

    private static string Name(Type type)
    {
        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (type.IsByRef)
        {
            return "ref " + Name(type.GetElementType()!);
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        var name = type.FullName ?? type.Name;
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition().FullName!;
            name = definition[..definition.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
        }

        return name.Replace('+', '.');
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Observe.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Observe.sln not found above " + AppContext.BaseDirectory);
    }
}
