using System.Text.Json.Nodes;
using Gatehouse.Protocol;
using Gatehouse.Stacks.Templates;
using Ops = Gatehouse.Protocol.Generated.CloudFormation.Operations;

namespace Gatehouse.Stacks.Operations;

/// <summary>Templates: a stack's template and a template's summary
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplateSummary.html).</summary>
internal sealed class TemplateOperations(StackInputs inputs) : IAwsOperations
{
    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.GetTemplate, GetTemplateAsync)
        .Map(Ops.GetTemplateSummary, GetTemplateSummaryAsync);

    private ValueTask<AwsResponse> GetTemplateAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var stack = inputs.Find(request.Context, request.Input.Req("StackName"));
        lock (inputs.State.Lock)
            return ValueTask.FromResult<AwsResponse>(new JsonObject { ["TemplateBody"] = stack.TemplateBody, ["StagesAvailable"] = new JsonArray("Original", "Processed") });
    }

    private ValueTask<AwsResponse> GetTemplateSummaryAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        string body;
        if (input.Str("StackName") is { } name)
        {
            var stack = inputs.Find(request.Context, name);
            lock (inputs.State.Lock)
                body = stack.TemplateBody;
        }
        else
            body = input.Str("TemplateBody") ?? throw StacksErrors.Validation("Either Template URL or Template Body must be specified.");
        JsonObject template;
        try
        {
            template = TemplateReader.Parse(body);
        }
        catch (TemplateException e)
        {
            throw StacksErrors.Validation(e.Message);
        }
        var parameters = new JsonArray();
        foreach (var (key, node) in template["Parameters"] as JsonObject ?? [])
        {
            var p = new JsonObject { ["ParameterKey"] = key, ["ParameterType"] = node?["Type"]?.ToString() ?? "String", ["NoEcho"] = node?["NoEcho"]?.ToString() is "true" or "True" };
            if (node?["Default"] is { } d)
                p["DefaultValue"] = d is JsonArray a ? string.Join(",", a.Select(i => i?.ToString())) : d.ToString();
            if (node?["Description"] is { } desc)
                p["Description"] = desc.ToString();
            parameters.Add(p);
        }
        var types = (template["Resources"] as JsonObject ?? []).Select(r => r.Value?["Type"]?.ToString()).OfType<string>().Distinct().ToList();
        var output = new JsonObject
        {
            ["Parameters"] = parameters,
            ["ResourceTypes"] = new JsonArray([.. types.Select(t => (JsonNode)JsonValue.Create(t))]),
            ["Version"] = template["AWSTemplateFormatVersion"]?.ToString() ?? "2010-09-09",
        };
        if (template["Description"] is { } description)
            output["Description"] = description.ToString();
        if (types.Any(t => t.StartsWith("AWS::IAM::", StringComparison.Ordinal)))
        {
            output["Capabilities"] = new JsonArray("CAPABILITY_IAM");
            output["CapabilitiesReason"] = "The following resource(s) require capabilities: [" + string.Join(", ", types.Where(t => t.StartsWith("AWS::IAM::", StringComparison.Ordinal))) + "]";
        }
        return ValueTask.FromResult<AwsResponse>(output);
    }
}
