using System.Text.Json.Nodes;
using Gatehouse.Core;

namespace Gatehouse.Stacks.Resources.IAM;

/// <summary>
/// AWS::IAM::Policy (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-policy.html):
/// an inline policy put on each of Roles (and Users); Ref is a generated physical id. Groups are not modelled by
/// Gatehouse's IAM, and neither are user policies yet: a policy naming Users fails with IAM's "not implemented" error.
/// </summary>
internal sealed class PolicyProvider(IAwsCaller caller) : IResourceProvider
{
    public string Type => "AWS::IAM::Policy";

    public async ValueTask<ProvisionedResource> CreateAsync(ResourceRequest request, CancellationToken cancellationToken)
    {
        var name = ProviderCalls.Required(request.Properties, "PolicyName", Type);
        await PutAsync(request, name, cancellationToken);
        return new(request.Stack.GeneratedName(request.LogicalId, 128), new JsonObject { ["Id"] = name });
    }

    public async ValueTask<ProvisionedResource> UpdateAsync(ResourceRequest request, CancellationToken cancellationToken)
    {
        var name = ProviderCalls.Required(request.Properties, "PolicyName", Type);
        await PutAsync(request, name, cancellationToken);
        var previous = request.PreviousProperties ?? new JsonObject();
        var oldName = PropertyValues.String(previous, "PolicyName") ?? name;
        foreach (var role in PropertyValues.Strings(previous["Roles"]).Except(oldName == name ? PropertyValues.Strings(request.Properties["Roles"]) : []))
            await caller.DeleteQuietlyAsync("iam", "DeleteRolePolicy", new JsonObject { ["RoleName"] = role, ["PolicyName"] = oldName }, request, cancellationToken);
        foreach (var user in PropertyValues.Strings(previous["Users"]).Except(oldName == name ? PropertyValues.Strings(request.Properties["Users"]) : []))
            await caller.DeleteQuietlyAsync("iam", "DeleteUserPolicy", new JsonObject { ["UserName"] = user, ["PolicyName"] = oldName }, request, cancellationToken);
        return new(request.PhysicalId!, new JsonObject { ["Id"] = name });
    }

    public async ValueTask DeleteAsync(ResourceRequest request, CancellationToken cancellationToken)
    {
        var name = PropertyValues.String(request.Properties, "PolicyName");
        if (name is null)
            return;
        foreach (var role in PropertyValues.Strings(request.Properties["Roles"]))
            await caller.DeleteQuietlyAsync("iam", "DeleteRolePolicy", new JsonObject { ["RoleName"] = role, ["PolicyName"] = name }, request, cancellationToken);
        foreach (var user in PropertyValues.Strings(request.Properties["Users"]))
            await caller.DeleteQuietlyAsync("iam", "DeleteUserPolicy", new JsonObject { ["UserName"] = user, ["PolicyName"] = name }, request, cancellationToken);
    }

    private async Task PutAsync(ResourceRequest request, string name, CancellationToken cancellationToken)
    {
        var document = ProviderCalls.PolicyDocument(request.Properties, "PolicyDocument");
        foreach (var role in PropertyValues.Strings(request.Properties["Roles"]))
            await caller.CallAsync("iam", "PutRolePolicy", new JsonObject { ["RoleName"] = role, ["PolicyName"] = name, ["PolicyDocument"] = document }, request, cancellationToken);
        foreach (var user in PropertyValues.Strings(request.Properties["Users"]))
            await caller.CallAsync("iam", "PutUserPolicy", new JsonObject { ["UserName"] = user, ["PolicyName"] = name, ["PolicyDocument"] = document }, request, cancellationToken);
    }
}
