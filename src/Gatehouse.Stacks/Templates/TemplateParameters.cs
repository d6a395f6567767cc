using System.Globalization;
using System.Text.Json.Nodes;

namespace Gatehouse.Stacks.Templates;

/// <summary>
/// A template's parameters given values: the supplied value, else the previous one (when asked
/// for), else the default; checked against the type and <c>AllowedValues</c>
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html).
/// </summary>
internal static class TemplateParameters
{
    /// <summary>The resolved values (string, or array for list types) and the values as given (strings, for DescribeStacks).</summary>
    public static async Task<(Dictionary<string, JsonNode?> Values, Dictionary<string, string> Given)> ResolveAsync(
        JsonObject template, IReadOnlyDictionary<string, string> supplied, Func<string, Task<string>> ssmParameter)
    {
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        var declared = template["Parameters"] as JsonObject ?? [];
        foreach (var name in supplied.Keys.Where(k => !declared.ContainsKey(k)))
            throw new TemplateException($"Parameters: [{name}] do not exist in the template");
        var missing = new List<string>();
        foreach (var (name, node) in declared)
        {
            var definition = node as JsonObject ?? [];
            var type = Intrinsics.Text(definition["Type"] ?? "String", "Type");
            string? value = supplied.TryGetValue(name, out var s) ? s : definition["Default"] is { } d ? DefaultText(d) : null;
            if (value is null)
            {
                missing.Add(name);
                continue;
            }
            if (definition["AllowedValues"] is JsonArray allowed && !allowed.Any(a => Intrinsics.Text(a, "AllowedValues") == value))
                throw new TemplateException($"Parameter '{name}' must be one of AllowedValues");
            given[name] = value;
            values[name] = type switch
            {
                "String" => value,
                "Number" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? value : throw new TemplateException($"Parameter '{name}' must be a number."),
                "CommaDelimitedList" => List(value),
                "List<Number>" => List(value).All(i => double.TryParse(i!.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out _)) ? List(value) : throw new TemplateException($"Parameter '{name}' must be a list of numbers."),
                "AWS::SSM::Parameter::Value<String>" => await ssmParameter(value).ConfigureAwait(false),
                "AWS::SSM::Parameter::Value<List<String>>" or "AWS::SSM::Parameter::Value<CommaDelimitedList>" => List(await ssmParameter(value).ConfigureAwait(false)),
                _ when type.StartsWith("List<", StringComparison.Ordinal) => List(value),
                _ when type.StartsWith("AWS::", StringComparison.Ordinal) => value,
                _ => throw new TemplateException($"Template format error: Unrecognized parameter type: {type}"),
            };
            if (type == "String" && definition["AllowedPattern"] is JsonValue pattern &&
                !System.Text.RegularExpressions.Regex.IsMatch(value, "^(?:" + pattern.GetValue<string>() + ")$"))
                throw new TemplateException($"Parameter '{name}' must match pattern {pattern.GetValue<string>()}");
        }
        if (missing.Count > 0)
            throw new TemplateException($"Parameters: [{string.Join(", ", missing)}] must have values");
        return (values, given);
    }

    private static string DefaultText(JsonNode node) =>
        node is JsonArray list ? string.Join(",", list.Select(i => Intrinsics.Text(i, "Default"))) : Intrinsics.Text(node, "Default");

    private static JsonArray List(string value) =>
        new([.. value.Split(',').Select(v => (JsonNode)JsonValue.Create(v.Trim()))]);
}
