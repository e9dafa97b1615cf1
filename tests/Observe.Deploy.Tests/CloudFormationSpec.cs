using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Observe.Deploy.Tests;

/// <summary>
/// The CloudFormation resource specification from the npm package <c>@aws-cdk/cfnspec</c>, which scripts/peers.sh
/// installs under .peers/npm, and a checker of templates against it: every resource type exists, every property exists
/// for its type (nested property types too), required properties are present, and every Ref, GetAtt, Sub, If and
/// DependsOn names a parameter, pseudo parameter, resource, attribute or condition the template defines.
/// </summary>
internal sealed partial class CloudFormationSpec
{
    public const string SpecPath = ".peers/npm/node_modules/@aws-cdk/cfnspec/spec/specification.json";

    private static readonly HashSet<string> PseudoParameters =
        ["AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"];

    private static readonly HashSet<string> TemplateSections =
        ["AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings", "Conditions", "Transform", "Resources", "Outputs"];

    private static readonly HashSet<string> ResourceAttributes =
        ["Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "Metadata", "CreationPolicy", "UpdatePolicy"];

    private readonly JsonElement _resourceTypes;
    private readonly JsonElement _propertyTypes;

    private CloudFormationSpec(JsonDocument document)
    {
        _resourceTypes = document.RootElement.GetProperty("ResourceTypes");
        _propertyTypes = document.RootElement.GetProperty("PropertyTypes");
        Version = document.RootElement.GetProperty("ResourceSpecificationVersion").GetString()!;
    }

    public string Version { get; }

    private static readonly Lazy<CloudFormationSpec> Shared = new(() =>
    {
        var path = Repository.PathOf(SpecPath);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: run `bash scripts/peers.sh install`, which installs @aws-cdk/cfnspec from npm under .peers/npm");
        }

        return new CloudFormationSpec(JsonDocument.Parse(File.ReadAllBytes(path)));
    });

    public static CloudFormationSpec Load() => Shared.Value;

    /// <summary>Every problem found in the template, each naming where; empty when it conforms.</summary>
    public IReadOnlyList<string> Check(YamlNode template)
    {
        var problems = new List<string>();
        if (template is not YamlMappingNode root)
        {
            return ["the template is not a mapping"];
        }

        foreach (var key in root.Children.Keys.Select(k => k.Scalar()!))
        {
            if (!TemplateSections.Contains(key))
            {
                problems.Add($"unknown template section '{key}'");
            }
        }

        var parameters = Names(root.Get("Parameters"));
        var conditions = Names(root.Get("Conditions"));
        var resources = root.Get("Resources") as YamlMappingNode;
        if (resources is null || resources.Children.Count == 0)
        {
            return [.. problems, "the template has no Resources"];
        }

        var types = resources.Children.ToDictionary(r => r.Key.Scalar()!, r => r.Value.Get("Type").Scalar() ?? "");
        foreach (var (name, parameter) in (root.Get("Parameters") as YamlMappingNode)?.Children.Select(c => (c.Key.Scalar()!, c.Value)) ?? [])
        {
            var type = parameter.Get("Type").Scalar();
            if (type is null || !IsParameterType(type))
            {
                problems.Add($"parameter {name}: '{type}' is not a CloudFormation parameter type");
            }
        }

        foreach (var (nameNode, resource) in resources.Children)
        {
            var name = nameNode.Scalar()!;
            foreach (var attribute in ((YamlMappingNode)resource).Children.Keys.Select(k => k.Scalar()!))
            {
                if (!ResourceAttributes.Contains(attribute))
                {
                    problems.Add($"{name}: unknown resource attribute '{attribute}'");
                }
            }

            foreach (var dependency in resource.Get("DependsOn") is YamlScalarNode one ? [one] : resource.Get("DependsOn").Items())
            {
                if (!types.ContainsKey(dependency.Scalar()!))
                {
                    problems.Add($"{name}: DependsOn names '{dependency.Scalar()}', which is not a resource of the template");
                }
            }

            if (resource.Get("Condition").Scalar() is { } condition && !conditions.Contains(condition))
            {
                problems.Add($"{name}: Condition '{condition}' is not defined");
            }

            var resourceType = types[name];
            if (!_resourceTypes.TryGetProperty(resourceType, out var spec))
            {
                problems.Add($"{name}: resource type '{resourceType}' is not in the specification");
                continue;
            }

            CheckProperties($"{name} ({resourceType})", resourceType, spec, resource.Get("Properties"), problems);
        }

        var references = new References(parameters, conditions, types, this);
        references.Walk(root.Get("Conditions"), "Conditions", problems);
        references.Walk(resources, "Resources", problems);
        references.Walk(root.Get("Outputs"), "Outputs", problems);
        return problems;
    }

    private static HashSet<string> Names(YamlNode? section) =>
        section is YamlMappingNode map ? map.Children.Keys.Select(k => k.Scalar()!).ToHashSet(StringComparer.Ordinal) : [];

    private static bool IsParameterType(string type) =>
        type is "String" or "Number" or "List<Number>" or "CommaDelimitedList"
        || ParameterTypePattern().IsMatch(type);

    [GeneratedRegex(@"^(List<)?AWS::(EC2|Route53|SSM)::[A-Za-z0-9:<>]+>?$")]
    private static partial Regex ParameterTypePattern();

    /// <summary>A single-key mapping calling an intrinsic function: its value is only known at deployment.</summary>
    private static bool IsIntrinsic(YamlNode node) =>
        node is YamlMappingNode { Children.Count: 1 } map
        && map.Children.Keys.Single().Scalar() is { } key
        && (key is "Ref" || key.StartsWith("Fn::", StringComparison.Ordinal));

    /// <summary>Checks a mapping of properties against a resource or property type's "Properties" specification.</summary>
    private void CheckProperties(string where, string resourceType, JsonElement spec, YamlNode? value, List<string> problems)
    {
        if (value is null)
        {
            value = new YamlMappingNode();
        }

        if (IsIntrinsic(value))
        {
            return;
        }

        if (value is not YamlMappingNode map)
        {
            problems.Add($"{where}: expected a mapping of properties at {value.Start}");
            return;
        }

        var properties = spec.TryGetProperty("Properties", out var p) ? p : default;
        var given = map.Children.ToDictionary(c => c.Key.Scalar()!, c => c.Value, StringComparer.Ordinal);
        foreach (var (name, child) in given)
        {
            if (properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty(name, out var property))
            {
                problems.Add($"{where}: property '{name}' does not exist for this type");
                continue;
            }

            CheckValue($"{where}.{name}", resourceType, property, child, problems);
        }

        if (properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
            {
                if (property.Value.TryGetProperty("Required", out var required) && required.GetBoolean() && !given.ContainsKey(property.Name))
                {
                    problems.Add($"{where}: required property '{property.Name}' is missing");
                }
            }
        }
    }

    private void CheckValue(string where, string resourceType, JsonElement property, YamlNode value, List<string> problems)
    {
        if (IsIntrinsic(value))
        {
            return;
        }

        var type = property.TryGetProperty("Type", out var t) ? t.GetString() : null;
        if (type is "List")
        {
            if (value is not YamlSequenceNode list)
            {
                problems.Add($"{where}: expected a list at {value.Start}");
                return;
            }

            if (property.TryGetProperty("ItemType", out var itemType))
            {
                foreach (var item in list.Children)
                {
                    CheckNested(where, resourceType, itemType.GetString()!, item, problems);
                }
            }

            return;
        }

        if (type is "Map")
        {
            if (value is YamlMappingNode map && property.TryGetProperty("ItemType", out var itemType))
            {
                foreach (var (_, item) in map.Children)
                {
                    CheckNested(where, resourceType, itemType.GetString()!, item, problems);
                }
            }

            return;
        }

        if (type is not null)
        {
            CheckNested(where, resourceType, type, value, problems);
            return;
        }

        if (property.TryGetProperty("PrimitiveType", out var primitive) && primitive.GetString() is not "Json" && value is not YamlScalarNode)
        {
            problems.Add($"{where}: expected a {primitive.GetString()} at {value.Start}");
        }
    }

    private void CheckNested(string where, string resourceType, string typeName, YamlNode value, List<string> problems)
    {
        if (IsIntrinsic(value))
        {
            return;
        }

        // Property types are named "<resource type>.<name>", except the shared ones such as Tag.
        if (_propertyTypes.TryGetProperty($"{resourceType}.{typeName}", out var spec) || _propertyTypes.TryGetProperty(typeName, out spec))
        {
            CheckProperties(where, resourceType, spec, value, problems);
        }
        else
        {
            problems.Add($"{where}: property type '{typeName}' of {resourceType} is not in the specification");
        }
    }

    /// <summary>The names intrinsic functions may refer to, and the walk that checks every reference.</summary>
    private sealed partial class References(HashSet<string> parameters, HashSet<string> conditions, Dictionary<string, string> resources, CloudFormationSpec spec)
    {
        public void Walk(YamlNode? node, string where, List<string> problems)
        {
            switch (node)
            {
                case YamlSequenceNode list:
                    foreach (var item in list.Children)
                    {
                        Walk(item, where, problems);
                    }

                    break;
                case YamlMappingNode map:
                    foreach (var (keyNode, value) in map.Children)
                    {
                        var key = keyNode.Scalar()!;
                        var at = $"{where}.{key}";
                        switch (key)
                        {
                            case "Ref":
                                CheckRef(value.Scalar(), at, problems);
                                break;
                            case "Fn::GetAtt":
                                var parts = value is YamlSequenceNode s ? s.Children.Select(c => c.Scalar() ?? "").ToList() : (value.Scalar() ?? "").Split('.', 2).ToList();
                                CheckGetAtt(parts.ElementAtOrDefault(0) ?? "", parts.ElementAtOrDefault(1) ?? "", at, problems);
                                break;
                            case "Fn::Sub":
                                CheckSub(value, at, problems);
                                break;
                            case "Fn::If":
                                CheckCondition(value.Items().FirstOrDefault().Scalar(), at, problems);
                                break;
                            case "Condition" when map.Children.Count == 1:
                                CheckCondition(value.Scalar(), at, problems);
                                break;
                        }

                        Walk(value, at, problems);
                    }

                    break;
            }
        }

        private void CheckRef(string? name, string at, List<string> problems)
        {
            if (name is null || !(parameters.Contains(name) || resources.ContainsKey(name) || PseudoParameters.Contains(name)))
            {
                problems.Add($"{at}: Ref '{name}' names no parameter, resource or pseudo parameter");
            }
        }

        private void CheckCondition(string? name, string at, List<string> problems)
        {
            if (name is null || !conditions.Contains(name))
            {
                problems.Add($"{at}: condition '{name}' is not defined");
            }
        }

        private void CheckGetAtt(string resource, string attribute, string at, List<string> problems)
        {
            if (!resources.TryGetValue(resource, out var type))
            {
                problems.Add($"{at}: GetAtt names '{resource}', which is not a resource of the template");
                return;
            }

            // SAM resources are a transform: their attributes are those of the resource SAM generates.
            var attributesOf = type == "AWS::Serverless::Function" ? "AWS::Lambda::Function" : type;
            if (!spec._resourceTypes.TryGetProperty(attributesOf, out var resourceSpec)
                || !resourceSpec.TryGetProperty("Attributes", out var attributes)
                || !attributes.TryGetProperty(attribute, out _))
            {
                problems.Add($"{at}: {type} has no attribute '{attribute}'");
            }
        }

        private void CheckSub(YamlNode value, string at, List<string> problems)
        {
            var (text, variables) = value switch
            {
                YamlScalarNode s => (s.Value ?? "", new HashSet<string>()),
                YamlSequenceNode { Children.Count: 2 } l => (l.Children[0].Scalar() ?? "", Names(l.Children[1])),
                _ => ("", []),
            };
            foreach (Match match in SubVariable().Matches(text))
            {
                var name = match.Groups["name"].Value;
                if (variables.Contains(name))
                {
                    continue;
                }

                var dot = name.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && !name.StartsWith("AWS::", StringComparison.Ordinal))
                {
                    CheckGetAtt(name[..dot], name[(dot + 1)..], at, problems);
                }
                else
                {
                    CheckRef(name, at, problems);
                }
            }
        }

        // ${Name}, ${Resource.Attribute}, ${AWS::Region}; ${!Literal} is text.
        [GeneratedRegex(@"\$\{(?<name>[A-Za-z0-9:._]+)\}")]
        private static partial Regex SubVariable();
    }
}
