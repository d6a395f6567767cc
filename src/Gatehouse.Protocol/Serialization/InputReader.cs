using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol.Model;

namespace Gatehouse.Protocol.Serialization;

/// <summary>
/// Turns wire values into the input structure by model member names, checking JSON types as it goes.
/// A value of the wrong type is a serialization error (the request cannot be read); constraint
/// violations are left to <see cref="InputValidator"/>.
/// </summary>
internal static class InputReader
{
    /// <summary>Reads a JSON value of <paramref name="shape"/>; throws <see cref="AwsException"/> on a type mismatch.</summary>
    public static JsonNode? ReadJson(JsonElement element, Shape shape, string path, string errorCode)
    {
        if (element.ValueKind == JsonValueKind.Null)
            return null;
        if (shape.IsDocument)
            return JsonNode.Parse(element.GetRawText());
        switch (shape.Type)
        {
            case "structure":
                Expect(element, JsonValueKind.Object, shape, path, errorCode);
                var structure = new JsonObject();
                foreach (var property in element.EnumerateObject())
                {
                    // Unknown members are ignored, as AWS does for forward compatibility.
                    if (!shape.BodyMembersByWireName.TryGetValue(property.Name, out var member))
                        continue;
                    var value = ReadJson(property.Value, member.Shape, Join(path, member.Name), errorCode);
                    if (value is not null)
                        structure[member.Name] = value;
                }
                return structure;
            case "list":
                Expect(element, JsonValueKind.Array, shape, path, errorCode);
                var list = new JsonArray();
                var index = 0;
                foreach (var item in element.EnumerateArray())
                    list.Add(ReadJson(item, shape.ListMember!.Shape, $"{path}.{++index}.member", errorCode));
                return list;
            case "map":
                Expect(element, JsonValueKind.Object, shape, path, errorCode);
                var map = new JsonObject();
                foreach (var property in element.EnumerateObject())
                    map[property.Name] = ReadJson(property.Value, shape.MapValue!.Shape, $"{path}.{property.Name}", errorCode);
                return map;
            case "string":
                Expect(element, JsonValueKind.String, shape, path, errorCode);
                return JsonValue.Create(element.GetString());
            case "blob":
                Expect(element, JsonValueKind.String, shape, path, errorCode);
                return JsonValue.Create(element.GetString());
            case "boolean":
                if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    throw Mismatch(element, shape, path, errorCode);
                return JsonValue.Create(element.GetBoolean());
            case "integer":
            case "long":
                Expect(element, JsonValueKind.Number, shape, path, errorCode);
                if (!element.TryGetInt64(out var whole))
                    throw Mismatch(element, shape, path, errorCode);
                return JsonValue.Create(whole);
            case "double":
            case "float":
                Expect(element, JsonValueKind.Number, shape, path, errorCode);
                return JsonValue.Create(element.GetDouble());
            case "timestamp":
                if (element.ValueKind == JsonValueKind.Number)
                    return JsonValue.Create(DateTimeOffset.FromUnixTimeMilliseconds((long)(element.GetDouble() * 1000)));
                if (element.ValueKind == JsonValueKind.String && TryParseTimestamp(element.GetString()!, out var time))
                    return JsonValue.Create(time);
                throw Mismatch(element, shape, path, errorCode);
            default:
                return JsonNode.Parse(element.GetRawText());
        }
    }

    /// <summary>Reads a URI label, query-string or header value (always text on the wire).</summary>
    public static JsonNode? ReadText(string text, Shape shape, string path, string errorCode)
    {
        switch (shape.Type)
        {
            case "string":
                return JsonValue.Create(text);
            case "integer":
            case "long":
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                    return JsonValue.Create(whole);
                break;
            case "double":
            case "float":
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    return JsonValue.Create(number);
                break;
            case "boolean":
                if (bool.TryParse(text, out var flag))
                    return JsonValue.Create(flag);
                break;
            case "timestamp":
                if (TryParseTimestamp(text, out var time))
                    return JsonValue.Create(time);
                break;
            case "blob":
                return JsonValue.Create(text);
            default:
                return JsonValue.Create(text);
        }
        throw new AwsException(errorCode, $"Value '{text}' at '{CamelPath(path)}' could not be read as {shape.Type}.");
    }

    public static bool TryParseTimestamp(string text, out DateTimeOffset time)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            time = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    internal static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    /// <summary>AWS names members in messages in camelCase: <c>authParameters</c>, <c>code.zipFile</c>.</summary>
    internal static string CamelPath(string path) =>
        string.Join('.', path.Split('.').Select(p => p.Length > 0 && char.IsUpper(p[0]) ? char.ToLowerInvariant(p[0]) + p[1..] : p));

    private static void Expect(JsonElement element, JsonValueKind kind, Shape shape, string path, string errorCode)
    {
        if (element.ValueKind != kind)
            throw Mismatch(element, shape, path, errorCode);
    }

    private static AwsException Mismatch(JsonElement element, Shape shape, string path, string errorCode)
    {
        var found = element.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "a value",
        };
        var expected = shape.Type switch
        {
            "structure" or "map" => "an object",
            "list" => "an array",
            "string" or "blob" => "a string",
            "integer" or "long" => "an integer",
            "double" or "float" => "a number",
            "boolean" => "a boolean",
            "timestamp" => "a timestamp",
            _ => shape.Type,
        };
        var where = path.Length == 0 ? "the request body" : $"'{CamelPath(path)}'";
        return new AwsException(errorCode, $"Expected {expected} at {where} but found {found}.");
    }
}
