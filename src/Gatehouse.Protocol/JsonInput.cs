using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core;

namespace Gatehouse.Protocol;

/// <summary>Typed reads of an already validated input structure, for handlers.</summary>
public static class JsonInput
{
    public static string? Str(this JsonObject input, string name) =>
        input.TryGetPropertyValue(name, out var value) && value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>A required string: validation guarantees it when the model marks it required.</summary>
    public static string Req(this JsonObject input, string name) =>
        input.Str(name) ?? throw new AwsException("InvalidParameterException", $"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0]) + name[1..]}' failed to satisfy constraint: Member must not be null", 400);

    public static long? Long(this JsonObject input, string name) =>
        input.TryGetPropertyValue(name, out var value) && value is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<long>() : null;

    public static int? Int(this JsonObject input, string name) => input.Long(name) is { } l ? (int)l : null;

    public static double? Double(this JsonObject input, string name) =>
        input.TryGetPropertyValue(name, out var value) && value is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;

    public static bool? Bool(this JsonObject input, string name) =>
        input.TryGetPropertyValue(name, out var value) && value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

    public static JsonObject? Obj(this JsonObject input, string name) =>
        input.TryGetPropertyValue(name, out var value) ? value as JsonObject : null;

    public static JsonArray? Arr(this JsonObject input, string name) =>
        input.TryGetPropertyValue(name, out var value) ? value as JsonArray : null;

    public static IEnumerable<string> Strings(this JsonObject input, string name) =>
        input.Arr(name)?.Select(n => n?.GetValue<string>()).OfType<string>() ?? [];

    /// <summary>A string-to-string map member (tags, attributes, environment variables).</summary>
    public static Dictionary<string, string> StringMap(this JsonObject input, string name) =>
        input.Obj(name)?.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal)
        ?? new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>A decoded blob member (base64 on the JSON wire).</summary>
    public static byte[]? Blob(this JsonObject input, string name, string errorCode = "InvalidParameterValueException")
    {
        var text = input.Str(name);
        if (text is null)
            return null;
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new AwsException(errorCode, $"Could not decode base64 value of '{name}'.", 400);
        }
    }
}
