using System.Text.Json.Nodes;
using Gatehouse.Core;

namespace Gatehouse.Stacks.Resources.SSM;

/// <summary>
/// AWS::SSM::Parameter (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ssm-parameter.html):
/// Ref is the parameter name (generated when absent); GetAtt Type and Value. Update is PutParameter with Overwrite.
/// </summary>
internal sealed class ParameterProvider(IAwsCaller caller) : IResourceProvider
{
    public string Type => "AWS::SSM::Parameter";

    // A generated name starts "CFN-" as CloudFormation's do: the stack-name form would break SSM's
    // rule that names can't begin with "aws" or "ssm" for a stack named e.g. "ssm-config".
    public ValueTask<ProvisionedResource> CreateAsync(ResourceRequest request, CancellationToken cancellationToken) =>
        PutAsync(request, PropertyValues.String(request.Properties, "Name") ?? "CFN-" + request.Stack.GeneratedName(request.LogicalId, 2044), overwrite: false, cancellationToken);

    public ValueTask<ProvisionedResource> UpdateAsync(ResourceRequest request, CancellationToken cancellationToken) =>
        PutAsync(request, request.PhysicalId!, overwrite: true, cancellationToken);

    public async ValueTask DeleteAsync(ResourceRequest request, CancellationToken cancellationToken) =>
        await caller.DeleteQuietlyAsync("ssm", "DeleteParameter", new JsonObject { ["Name"] = request.PhysicalId! }, request, cancellationToken);

    private async ValueTask<ProvisionedResource> PutAsync(ResourceRequest request, string name, bool overwrite, CancellationToken cancellationToken)
    {
        var p = request.Properties;
        var type = ProviderCalls.Required(p, "Type", Type);
        var value = ProviderCalls.Required(p, "Value", Type);
        var input = new JsonObject
        {
            ["Name"] = name,
            ["Type"] = type,
            ["Value"] = value,
            ["Overwrite"] = overwrite,
        }.With(p, "Description", "AllowedPattern", "Tier", "DataType");
        // Tags: CFN takes a map; PutParameter refuses Tags together with Overwrite, so only on create.
        if (!overwrite && p["Tags"] is JsonObject tags)
        {
            var list = new JsonArray();
            foreach (var (key, tagValue) in tags)
                list.Add(new JsonObject { ["Key"] = key, ["Value"] = tagValue?.DeepClone() });
            input["Tags"] = list;
        }
        await caller.CallAsync("ssm", "PutParameter", input, request, cancellationToken);
        return new ProvisionedResource(name, ProviderCalls.Attributes(("Type", type), ("Value", value)));
    }
}
