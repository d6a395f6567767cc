using System.Text.Json.Nodes;
using Gatehouse.Core;

namespace Gatehouse.Stacks.Resources.IAM;

/// <summary>
/// AWS::IAM::Role (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html):
/// Ref is the role name; GetAtt Arn and RoleId. Inline Policies become PutRolePolicy, ManagedPolicyArns AttachRolePolicy.
/// </summary>
internal sealed class RoleProvider(IAwsCaller caller) : IResourceProvider
{
    public string Type => "AWS::IAM::Role";

    public async ValueTask<ProvisionedResource> CreateAsync(ResourceRequest request, CancellationToken cancellationToken)
    {
        var p = request.Properties;
        var name = PropertyValues.String(p, "RoleName") ?? request.Stack.GeneratedName(request.LogicalId, 64);
        var input = new JsonObject
        {
            ["RoleName"] = name,
            ["AssumeRolePolicyDocument"] = ProviderCalls.PolicyDocument(p, "AssumeRolePolicyDocument"),
        }.With(p, "Path", "Description", "PermissionsBoundary", "Tags");
        if (PropertyValues.Integer(p, "MaxSessionDuration") is { } duration)
            input["MaxSessionDuration"] = duration;
        var role = (await caller.CallAsync("iam", "CreateRole", input, request, cancellationToken))["Role"]!.AsObject();
        try
        {
            await ApplyPoliciesAsync(request, name, new JsonObject(), cancellationToken);
        }
        catch
        {
            await DeleteAsync(request with { PhysicalId = name }, cancellationToken);
            throw;
        }
        return Provisioned(role);
    }

    public async ValueTask<ProvisionedResource> UpdateAsync(ResourceRequest request, CancellationToken cancellationToken)
    {
        var p = request.Properties;
        var name = request.PhysicalId!;
        await caller.CallAsync("iam", "UpdateAssumeRolePolicy", new JsonObject { ["RoleName"] = name, ["PolicyDocument"] = ProviderCalls.PolicyDocument(p, "AssumeRolePolicyDocument") }, request, cancellationToken);
        var update = new JsonObject { ["RoleName"] = name, ["Description"] = PropertyValues.String(p, "Description") ?? "" };
        if (PropertyValues.Integer(p, "MaxSessionDuration") is { } duration)
            update["MaxSessionDuration"] = duration;
        await caller.CallAsync("iam", "UpdateRole", update, request, cancellationToken);
        await ApplyPoliciesAsync(request, name, request.PreviousProperties ?? new JsonObject(), cancellationToken);
        var role = (await caller.CallAsync("iam", "GetRole", new JsonObject { ["RoleName"] = name }, request, cancellationToken))["Role"]!.AsObject();
        return Provisioned(role);
    }

    public async ValueTask DeleteAsync(ResourceRequest request, CancellationToken cancellationToken)
    {
        var name = request.PhysicalId!;
        // IAM refuses to delete a role that still has policies (DeleteConflict): take them off first.
        try
        {
            var inline = await caller.CallAsync("iam", "ListRolePolicies", new JsonObject { ["RoleName"] = name }, request, cancellationToken);
            foreach (var policy in inline["PolicyNames"]?.AsArray() ?? [])
                await caller.DeleteQuietlyAsync("iam", "DeleteRolePolicy", new JsonObject { ["RoleName"] = name, ["PolicyName"] = policy!.GetValue<string>() }, request, cancellationToken);
            var attached = await caller.CallAsync("iam", "ListAttachedRolePolicies", new JsonObject { ["RoleName"] = name }, request, cancellationToken);
            foreach (var policy in attached["AttachedPolicies"]?.AsArray() ?? [])
                await caller.DeleteQuietlyAsync("iam", "DetachRolePolicy", new JsonObject { ["RoleName"] = name, ["PolicyArn"] = policy!["PolicyArn"]!.GetValue<string>() }, request, cancellationToken);
        }
        catch (AwsException e) when (ProviderCalls.IsNotFound(e))
        {
            return;
        }
        await caller.DeleteQuietlyAsync("iam", "DeleteRole", new JsonObject { ["RoleName"] = name }, request, cancellationToken);
    }

    private async Task ApplyPoliciesAsync(ResourceRequest request, string name, JsonObject previous, CancellationToken cancellationToken)
    {
        var p = request.Properties;
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var policy in (p["Policies"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var policyName = ProviderCalls.Required(policy, "PolicyName", Type);
            wanted.Add(policyName);
            await caller.CallAsync("iam", "PutRolePolicy", new JsonObject
            {
                ["RoleName"] = name,
                ["PolicyName"] = policyName,
                ["PolicyDocument"] = ProviderCalls.PolicyDocument(policy, "PolicyDocument"),
            }, request, cancellationToken);
        }
        foreach (var policy in (previous["Policies"] as JsonArray ?? []).OfType<JsonObject>())
            if (PropertyValues.String(policy, "PolicyName") is { } old && !wanted.Contains(old))
                await caller.DeleteQuietlyAsync("iam", "DeleteRolePolicy", new JsonObject { ["RoleName"] = name, ["PolicyName"] = old }, request, cancellationToken);

        var arns = PropertyValues.Strings(p["ManagedPolicyArns"]);
        foreach (var arn in arns)
            await caller.CallAsync("iam", "AttachRolePolicy", new JsonObject { ["RoleName"] = name, ["PolicyArn"] = arn }, request, cancellationToken);
        foreach (var old in PropertyValues.Strings(previous["ManagedPolicyArns"]).Except(arns))
            await caller.DeleteQuietlyAsync("iam", "DetachRolePolicy", new JsonObject { ["RoleName"] = name, ["PolicyArn"] = old }, request, cancellationToken);
    }

    private static ProvisionedResource Provisioned(JsonObject role) =>
        new(role["RoleName"]!.GetValue<string>(), ProviderCalls.Attributes(("Arn", role["Arn"]!.GetValue<string>()), ("RoleId", role["RoleId"]!.GetValue<string>())));
}
