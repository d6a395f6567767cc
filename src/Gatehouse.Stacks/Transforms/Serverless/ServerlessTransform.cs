using System.Text.Json.Nodes;
using Gatehouse.Stacks.Templates;

namespace Gatehouse.Stacks.Transforms.Serverless;

/// <summary>
/// The <c>AWS::Serverless-2016-10-31</c> transform
/// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification.html):
/// <c>AWS::Serverless::Function</c> and <c>AWS::Serverless::HttpApi</c> become the CloudFormation
/// resources SAM makes for them, under the logical ids SAM gives them, so <c>sam deploy</c> and
/// <c>aws cloudformation deploy</c> of a SAM template produce the stack they produce on AWS.
/// <c>Globals</c> (Function, HttpApi) are merged first: maps merged key by key, lists concatenated
/// (global entries first), other values replaced by the resource's own. Everything that is not a
/// serverless resource passes through unchanged; intrinsic functions are left for the engine.
/// Serverless types and event sources Gatehouse has no service for are refused by name.
/// </summary>
internal sealed class ServerlessTransform : ITemplateTransform
{
    public const string TransformName = "AWS::Serverless-2016-10-31";

    public string Name => TransformName;

    public JsonObject Apply(JsonObject template, TransformContext context)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(context);
        var output = (JsonObject)template.DeepClone();
        RemoveTransform(output);
        var globals = output["Globals"] as JsonObject;
        output.Remove("Globals");
        var resources = output["Resources"] as JsonObject ?? throw new TemplateException("Template format error: the template has no Resources section.");
        CheckGlobals(globals);

        var apis = new HttpApiBuilder(globals?["HttpApi"] as JsonObject);
        foreach (var (logicalId, node) in resources)
        {
            if (node is JsonObject resource && resource["Type"]?.GetValue<string>() == "AWS::Serverless::HttpApi")
                apis.Declare(logicalId, resource);
        }

        var translated = new JsonObject();
        foreach (var (logicalId, node) in resources)
        {
            if (node is not JsonObject resource || resource["Type"] is not JsonValue typeNode || typeNode.GetValue<string>() is not { } type)
            {
                translated[logicalId] = node?.DeepClone();
                continue;
            }
            switch (type)
            {
                case "AWS::Serverless::Function":
                    foreach (var (id, made) in new FunctionTranslator(logicalId, resource, globals?["Function"] as JsonObject, apis, context).Translate())
                        Add(translated, id, made);
                    break;
                case "AWS::Serverless::HttpApi":
                    break;
                case "AWS::Serverless::Api" or "AWS::Serverless::SimpleTable" or "AWS::Serverless::StateMachine" or "AWS::Serverless::Application"
                    or "AWS::Serverless::LayerVersion" or "AWS::Serverless::GraphQLApi" or "AWS::Serverless::Connector":
                    throw new TemplateException($"Resource {logicalId}: {type} is not supported by Gatehouse (it serves HTTP APIs, functions and user pools: use AWS::Serverless::HttpApi and AWS::Serverless::Function).");
                default:
                    if (type.StartsWith("AWS::Serverless::", StringComparison.Ordinal))
                        throw new TemplateException($"Resource {logicalId}: '{type}' is not a SAM resource type.");
                    translated[logicalId] = resource.DeepClone();
                    break;
            }
        }
        foreach (var (id, made) in apis.Build())
            Add(translated, id, made);
        output["Resources"] = translated;
        return output;
    }

    private static void Add(JsonObject resources, string logicalId, JsonObject resource)
    {
        if (resources.ContainsKey(logicalId))
            throw new TemplateException($"Resource {logicalId}: the logical id SAM generates for it is already used in the template.");
        resources[logicalId] = resource;
    }

    private static void RemoveTransform(JsonObject template)
    {
        switch (template["Transform"])
        {
            case JsonValue:
                template.Remove("Transform");
                break;
            case JsonArray list:
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    if (list[i] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String && v.GetValue<string>() == TransformName)
                        list.RemoveAt(i);
                }
                if (list.Count == 0)
                    template.Remove("Transform");
                break;
        }
    }

    private static void CheckGlobals(JsonObject? globals)
    {
        if (globals is null)
            return;
        foreach (var (section, _) in globals)
        {
            if (section is not ("Function" or "HttpApi"))
                throw new TemplateException($"'{section}' is not a supported Globals section here (Function and HttpApi are).");
        }
    }

    /// <summary>A resource's properties with the Globals section's merged in, as SAM merges them.</summary>
    internal static JsonObject Merge(JsonObject? global, JsonObject? local)
    {
        var merged = (JsonObject?)global?.DeepClone() ?? [];
        foreach (var (key, value) in local ?? [])
            merged[key] = MergeValue(merged[key], value);
        return merged;
    }

    private static JsonNode? MergeValue(JsonNode? global, JsonNode? local)
    {
        if (global is JsonObject g && local is JsonObject l && !IsIntrinsic(g) && !IsIntrinsic(l))
            return Merge(g, l);
        if (global is JsonArray ga && local is JsonArray la)
            return new JsonArray([.. ga.Select(n => n?.DeepClone()), .. la.Select(n => n?.DeepClone())]);
        return local?.DeepClone();
    }

    internal static bool IsIntrinsic(JsonObject value) =>
        value.Count == 1 && value.First().Key is var key && (key == "Ref" || key == "Condition" || key.StartsWith("Fn::", StringComparison.Ordinal));
}
