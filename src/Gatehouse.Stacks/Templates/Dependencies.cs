using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gatehouse.Stacks.Templates;

/// <summary>
/// Which resources a resource waits for: those it names with <c>Ref</c>, <c>Fn::GetAtt</c>,
/// <c>Fn::Sub</c> or <c>DependsOn</c>
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html).
/// </summary>
internal static partial class Dependencies
{
    public static Dictionary<string, HashSet<string>> Of(JsonObject resources)
    {
        var names = resources.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (name, node) in resources)
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            if (node is JsonObject resource)
            {
                Collect(resource["Properties"], names, found);
                Collect(resource["Metadata"], names, found);
                switch (resource["DependsOn"])
                {
                    case JsonValue one:
                        found.Add(Check(one.GetValue<string>(), names, name));
                        break;
                    case JsonArray many:
                        foreach (var item in many)
                            found.Add(Check(item!.GetValue<string>(), names, name));
                        break;
                }
            }
            found.Remove(name);
            graph[name] = found;
        }
        return graph;
    }

    /// <summary>The resources in waves: every resource of a wave depends only on earlier waves.</summary>
    public static List<List<string>> Waves(Dictionary<string, HashSet<string>> graph)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var waves = new List<List<string>>();
        while (done.Count < graph.Count)
        {
            var wave = graph.Where(p => !done.Contains(p.Key) && p.Value.All(done.Contains)).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
            if (wave.Count == 0)
            {
                var cycle = graph.Keys.Where(k => !done.Contains(k)).Order(StringComparer.Ordinal);
                throw new TemplateException($"Circular dependency between resources: [{string.Join(", ", cycle)}]");
            }
            waves.Add(wave);
            done.UnionWith(wave);
        }
        return waves;
    }

    private static string Check(string dependency, HashSet<string> names, string resource) =>
        names.Contains(dependency) ? dependency : throw new TemplateException($"Template format error: Unresolved resource dependencies [{dependency}] in the Resources block of the template");

    private static void Collect(JsonNode? node, HashSet<string> names, HashSet<string> found)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count == 1 && obj.First().Key == "Ref" && obj.First().Value is JsonValue r:
                var target = r.GetValue<string>();
                if (names.Contains(target))
                    found.Add(target);
                break;
            case JsonObject obj when obj.Count == 1 && obj.First().Key == "Fn::GetAtt":
                var argument = obj.First().Value;
                var resource = argument switch
                {
                    JsonArray a when a.Count > 0 && a[0] is JsonValue v => v.GetValue<string>(),
                    JsonValue v => v.GetValue<string>().Split('.')[0],
                    _ => null,
                };
                if (resource is not null && names.Contains(resource))
                    found.Add(resource);
                if (argument is JsonArray args)
                    foreach (var item in args.Skip(1))
                        Collect(item, names, found);
                break;
            case JsonObject obj when obj.Count == 1 && obj.First().Key == "Fn::Sub":
                var sub = obj.First().Value;
                var template = sub switch
                {
                    JsonArray a when a.Count > 0 && a[0] is JsonValue v => v.GetValue<string>(),
                    JsonValue v => v.GetValue<string>(),
                    _ => "",
                };
                var local = (sub as JsonArray)?.Count > 1 && sub![1] is JsonObject vars ? vars.Select(p => p.Key).ToHashSet() : [];
                foreach (Match match in SubPattern().Matches(template))
                {
                    var expression = match.Groups[1].Value.Trim();
                    if (expression.StartsWith('!') || local.Contains(expression))
                        continue;
                    var head = expression.Split('.')[0];
                    if (names.Contains(head))
                        found.Add(head);
                }
                if (sub is JsonArray subArgs)
                    foreach (var item in subArgs.Skip(1))
                        Collect(item, names, found);
                break;
            case JsonObject obj:
                foreach (var (_, value) in obj)
                    Collect(value, names, found);
                break;
            case JsonArray array:
                foreach (var item in array)
                    Collect(item, names, found);
                break;
        }
    }

    [GeneratedRegex(@"\$\{([^}]*)\}")]
    private static partial Regex SubPattern();
}
