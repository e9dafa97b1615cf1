using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Observe.Deploy.Tests;

/// <summary>YAML to JSON with every scalar a string (the IAM policy language has only strings).</summary>
internal static class YamlJson
{
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlScalarNode s => JsonValue.Create(s.Value),
        YamlSequenceNode l => new JsonArray(l.Children.Select(ToJson).ToArray()),
        YamlMappingNode m => new JsonObject(m.Children.Select(c => KeyValuePair.Create(c.Key.Scalar()!, ToJson(c.Value)))),
        _ => throw new InvalidOperationException($"unexpected YAML node at {node.Start}"),
    };
}
