using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Protocol.Model;

namespace Gatehouse.Protocol.Serialization;

/// <summary>
/// Checks an input structure against the model's constraints and reports every violation in AWS's
/// wording: <c>2 validation errors detected: Value null at 'clientId' failed to satisfy constraint:
/// Member must not be null; ...</c>.
/// </summary>
internal static class InputValidator
{
    public static string? Validate(JsonObject input, Shape shape)
    {
        var errors = new List<string>();
        ValidateStructure(input, shape, "", errors);
        if (errors.Count == 0)
            return null;
        var text = new StringBuilder();
        text.Append(errors.Count).Append(errors.Count == 1 ? " validation error detected: " : " validation errors detected: ");
        text.AppendJoin("; ", errors);
        return text.ToString();
    }

    private static void ValidateStructure(JsonObject value, Shape shape, string path, List<string> errors)
    {
        foreach (var member in shape.Members)
        {
            var memberPath = InputReader.Join(path, member.Name);
            value.TryGetPropertyValue(member.Name, out var child);
            if (child is null)
            {
                if (shape.Required.Contains(member.Name))
                    errors.Add($"Value null at '{InputReader.CamelPath(memberPath)}' failed to satisfy constraint: Member must not be null");
                continue;
            }
            ValidateValue(child, member.Shape, memberPath, errors);
        }
    }

    private static void ValidateValue(JsonNode value, Shape shape, string path, List<string> errors)
    {
        if (shape.IsDocument)
            return;
        switch (shape.Type)
        {
            case "structure" when value is JsonObject structure:
                ValidateStructure(structure, shape, path, errors);
                break;
            case "list" when value is JsonArray list:
                CheckSize(list.Count, shape, path, "length", Describe(value, shape), errors);
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is { } item)
                        ValidateValue(item, shape.ListMember!.Shape, $"{path}.{i + 1}.member", errors);
                }
                break;
            case "map" when value is JsonObject map:
                CheckSize(map.Count, shape, path, "length", Describe(value, shape), errors);
                foreach (var (key, item) in map)
                {
                    ValidateValue(JsonValue.Create(key), shape.MapKey!.Shape, path, errors);
                    if (item is not null)
                        ValidateValue(item, shape.MapValue!.Shape, $"{path}.{key}", errors);
                }
                break;
            case "string" when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>();
                var shown = Describe(value, shape);
                CheckSize(new StringInfo(text).LengthInTextElements, shape, path, "length", shown, errors);
                if (shape.Enum is { Count: > 0 } values && !values.Contains(text))
                    errors.Add($"Value{shown} at '{InputReader.CamelPath(path)}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", values)}]");
                if (shape.PatternRegex is { } pattern && !Matches(pattern, text))
                    errors.Add($"Value{shown} at '{InputReader.CamelPath(path)}' failed to satisfy constraint: Member must satisfy regular expression pattern: {shape.Pattern}");
                break;
            case "blob" when value.GetValueKind() == JsonValueKind.String:
                var encoded = value.GetValue<string>();
                CheckSize(encoded.Length / 4 * 3, shape, path, "length", Describe(value, shape), errors);
                break;
            case "integer" or "long" or "double" or "float" when value.GetValueKind() == JsonValueKind.Number:
                // Long members are parsed as Int64 values, which JsonValue will not convert to double.
                var number = value.AsValue().TryGetValue<long>(out var whole) ? whole : value.GetValue<double>();
                if (shape.Min is { } min && number < min)
                    errors.Add($"Value{Describe(value, shape)} at '{InputReader.CamelPath(path)}' failed to satisfy constraint: Member must have value greater than or equal to {min}");
                if (shape.Max is { } max && number > max)
                    errors.Add($"Value{Describe(value, shape)} at '{InputReader.CamelPath(path)}' failed to satisfy constraint: Member must have value less than or equal to {max}");
                break;
        }
    }

    private static bool Matches(Regex pattern, string text)
    {
        try
        {
            return pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            // Only the backtracking fallback can time out; refusing valid input because the
            // machine is busy would be worse than letting the handler's own checks decide.
            return true;
        }
    }

    private static void CheckSize(int size, Shape shape, string path, string what, string shown, List<string> errors)
    {
        if (shape.Min is { } min && size < min)
            errors.Add($"Value{shown} at '{InputReader.CamelPath(path)}' failed to satisfy constraint: Member must have {what} greater than or equal to {min}");
        if (shape.Max is { } max && size > max)
            errors.Add($"Value{shown} at '{InputReader.CamelPath(path)}' failed to satisfy constraint: Member must have {what} less than or equal to {max}");
    }

    /// <summary>How AWS shows a value in a message; sensitive values are never echoed.</summary>
    private static string Describe(JsonNode value, Shape shape)
    {
        if (shape.Sensitive)
            return "";
        return value.GetValueKind() switch
        {
            JsonValueKind.String => $" '{Truncate(value.GetValue<string>())}'",
            // AWS quotes numbers too: "Value '901' at 'timeout' failed to satisfy constraint".
            JsonValueKind.Number => $" '{value.ToJsonString()}'",
            _ => $" '{Truncate(value.ToJsonString())}'",
        };
    }

    private static string Truncate(string text) => text.Length > 256 ? text[..256] + "..." : text;
}
