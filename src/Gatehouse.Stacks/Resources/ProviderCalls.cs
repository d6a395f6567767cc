using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core;

namespace Gatehouse.Stacks.Resources;

/// <summary>What the providers share: calling a service, ignoring "already gone", and the CFN-to-API shape changes they need.</summary>
internal static class ProviderCalls
{
    public static ValueTask<JsonObject> CallAsync(this IAwsCaller caller, string model, string operation, JsonObject input, ResourceRequest request, CancellationToken cancellationToken) =>
        caller.CallAsync(model, operation, input, request.Stack.Aws, cancellationToken);

    /// <summary>Runs a delete; a resource that is already gone counts as deleted (the engine's delete is idempotent).</summary>
    public static async ValueTask DeleteQuietlyAsync(this IAwsCaller caller, string model, string operation, JsonObject input, ResourceRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await caller.CallAsync(model, operation, input, request.Stack.Aws, cancellationToken);
        }
        catch (AwsException e) when (IsNotFound(e))
        {
        }
    }

    public static bool IsNotFound(AwsException e) =>
        e.Code.Contains("NotFound", StringComparison.Ordinal) || e.Code.StartsWith("NoSuch", StringComparison.Ordinal);

    /// <summary>Copies the properties whose CFN and API names agree.</summary>
    public static JsonObject With(this JsonObject input, JsonObject properties, params string[] names)
    {
        foreach (var name in names)
            if (properties[name] is { } value)
                input[name] = value.DeepClone();
        return input;
    }

    /// <summary>A policy document: CFN takes an object (or a JSON string); the APIs take a JSON string.</summary>
    public static string? PolicyDocument(JsonObject properties, string name) =>
        properties[name] switch
        {
            null => null,
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            JsonNode node => node.ToJsonString(),
        };

    public static JsonObject Attributes(params (string Name, JsonNode? Value)[] attributes)
    {
        var result = new JsonObject();
        foreach (var (attributeName, value) in attributes)
            result[attributeName] = value;
        return result;
    }

    public static string Required(JsonObject properties, string name, string type) =>
        PropertyValues.String(properties, name) ?? throw new AwsException("ValidationError", $"Property {name} is required for {type}.", 400);
}
