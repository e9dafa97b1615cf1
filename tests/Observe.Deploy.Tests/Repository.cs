using System.Reflection;
using YamlDotNet.RepresentationModel;

namespace Observe.Deploy.Tests;

/// <summary>Files of the repository the tests run from (the source tree, not the build output).</summary>
internal static class Repository
{
    public static string Root { get; } = Path.GetFullPath(
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!);

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>Every YAML document in the file, parsed (a syntax error fails the test with YamlDotNet's position).</summary>
    public static IReadOnlyList<YamlNode> ReadYaml(string relative)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(Read(relative));
        stream.Load(reader);
        return stream.Documents.Select(d => d.RootNode).ToList();
    }
}

/// <summary>Small accessors over YamlDotNet's representation model.</summary>
internal static class Yaml
{
    public static YamlMappingNode Map(this YamlNode node, string key) =>
        node.Get(key) as YamlMappingNode ?? throw new InvalidOperationException($"'{key}' is not a mapping at {node.Start}");

    public static YamlSequenceNode Seq(this YamlNode node, string key) =>
        node.Get(key) as YamlSequenceNode ?? throw new InvalidOperationException($"'{key}' is not a sequence at {node.Start}");

    public static string Str(this YamlNode node, string key) =>
        (node.Get(key) as YamlScalarNode)?.Value ?? throw new InvalidOperationException($"'{key}' is not a scalar at {node.Start}");

    public static YamlNode? Get(this YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static IEnumerable<YamlNode> Items(this YamlNode? node) =>
        node is YamlSequenceNode seq ? seq.Children : [];

    public static string? Scalar(this YamlNode? node) => (node as YamlScalarNode)?.Value;
}
