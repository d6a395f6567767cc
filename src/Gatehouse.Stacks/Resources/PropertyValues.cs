using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Stacks.Resources;

/// <summary>
/// Reads template property values as CloudFormation does: a number or boolean may be written as a
/// string ("128", "true"), because parameters and most intrinsics produce strings.
/// </summary>
internal static class PropertyValues
{
    public static string? String(JsonObject properties, string name) =>
        properties[name] switch
        {
            null => null,
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            JsonNode node => node.ToJsonString().Trim('"'),
        };

    public static long? Integer(JsonObject properties, string name) =>
        properties[name] switch
        {
            null => null,
            // Read through the number's JSON text: a value made in code (an int) and one parsed from a
            // template (a JsonElement) both answer, where GetValue<long> refuses the first.
            JsonValue value when value.GetValueKind() == JsonValueKind.Number
                && long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => number,
            JsonValue value when value.GetValueKind() == JsonValueKind.String && long.TryParse(value.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            var other => throw new FormatException($"Property {name} must be an integer; it is {other.ToJsonString()}."),
        };

    public static bool? Boolean(JsonObject properties, string name) =>
        properties[name] switch
        {
            null => null,
            JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
            JsonValue value when value.GetValueKind() == JsonValueKind.String && bool.TryParse(value.GetValue<string>(), out var parsed) => parsed,
            var other => throw new FormatException($"Property {name} must be a boolean; it is {other.ToJsonString()}."),
        };

    /// <summary>A list of strings (role names, policy ARNs); absent is empty. Numbers in it are read as their text.</summary>
    public static List<string> Strings(JsonNode? node) =>
        (node as JsonArray ?? []).Select(item => item switch
        {
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            JsonNode other => other.ToJsonString(),
            null => "",
        }).ToList();
}
