using System.Text.Json.Nodes;
using Gatehouse.Access.Model;
using Gatehouse.Protocol;
using static Gatehouse.Access.Operations.Shapes;
using Ops = Gatehouse.Protocol.Generated.Iam.Operations;

namespace Gatehouse.Access.Operations;

/// <summary>A role's policies: inline ones (put, get, list, delete) and attached managed ones (attach, detach, list).</summary>
internal sealed class RolePolicyOperations : IAwsOperations
{
    private readonly AccessState _state;

    public RolePolicyOperations(AccessState state) => _state = state;

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.PutRolePolicy, PutRolePolicyAsync)
        .Map(Ops.GetRolePolicy, GetRolePolicyAsync)
        .Map(Ops.ListRolePolicies, ListRolePoliciesAsync)
        .Map(Ops.DeleteRolePolicy, DeleteRolePolicyAsync)
        .Map(Ops.AttachRolePolicy, AttachRolePolicyAsync)
        .Map(Ops.DetachRolePolicy, DetachRolePolicyAsync)
        .Map(Ops.ListAttachedRolePolicies, ListAttachedRolePoliciesAsync);

    private ValueTask<AwsResponse> PutRolePolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var roleName = request.Input.Req("RoleName");
        var policyName = request.Input.Req("PolicyName");
        var document = Document(request.Input, "PolicyDocument");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var role = RoleOperations.Find(s, roleName);
            role = role with { InlinePolicies = role.InlinePolicies.SetItem(policyName, document) };
            return (s with { Roles = s.Roles.SetItem(roleName, role) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> GetRolePolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var role = RoleOperations.Find(_state.Current, request.Input.Req("RoleName"));
        var policyName = request.Input.Req("PolicyName");
        if (!role.InlinePolicies.TryGetValue(policyName, out var document))
            throw AccessErrors.RolePolicyNotFound(role.RoleName, policyName);
        return ValueTask.FromResult<AwsResponse>(new JsonObject
        {
            ["RoleName"] = role.RoleName,
            ["PolicyName"] = policyName,
            ["PolicyDocument"] = Encoded(document),
        });
    }

    private ValueTask<AwsResponse> ListRolePoliciesAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var role = RoleOperations.Find(_state.Current, request.Input.Req("RoleName"));
        var output = new JsonObject();
        output["PolicyNames"] = Page(request.Input, role.InlinePolicies.Keys, n => JsonValue.Create(n), output);
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private ValueTask<AwsResponse> DeleteRolePolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var roleName = request.Input.Req("RoleName");
        var policyName = request.Input.Req("PolicyName");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var role = RoleOperations.Find(s, roleName);
            if (!role.InlinePolicies.ContainsKey(policyName))
                throw AccessErrors.RolePolicyNotFound(roleName, policyName);
            role = role with { InlinePolicies = role.InlinePolicies.Remove(policyName) };
            return (s with { Roles = s.Roles.SetItem(roleName, role) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> AttachRolePolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var roleName = request.Input.Req("RoleName");
        var arn = request.Input.Req("PolicyArn");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var role = RoleOperations.Find(s, roleName);
            if (PolicyOperations.Lookup(s, arn) is null)
                throw AccessErrors.PolicyNotAttachable(arn);
            if (role.AttachedPolicies.Contains(arn))
                return (s, new JsonObject());
            role = role with { AttachedPolicies = role.AttachedPolicies.Add(arn) };
            return (s with { Roles = s.Roles.SetItem(roleName, role) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> DetachRolePolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var roleName = request.Input.Req("RoleName");
        var arn = request.Input.Req("PolicyArn");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var role = RoleOperations.Find(s, roleName);
            if (!role.AttachedPolicies.Contains(arn))
                throw AccessErrors.PolicyNotAttached(arn);
            role = role with { AttachedPolicies = role.AttachedPolicies.Remove(arn) };
            return (s with { Roles = s.Roles.SetItem(roleName, role) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> ListAttachedRolePoliciesAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var snapshot = _state.Current;
        var role = RoleOperations.Find(snapshot, request.Input.Req("RoleName"));
        var attached = role.AttachedPolicies
            .Select(arn => PolicyOperations.Lookup(snapshot, arn))
            .OfType<ManagedPolicy>()
            .Where(p => UnderPath(p.Path, request.Input));
        var output = new JsonObject();
        output["AttachedPolicies"] = Page(request.Input, attached, p => new JsonObject { ["PolicyName"] = p.PolicyName, ["PolicyArn"] = p.Arn }, output);
        return ValueTask.FromResult<AwsResponse>(output);
    }
}
