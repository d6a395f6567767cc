using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Gatehouse.Access.Model;
using Gatehouse.Core;
using Gatehouse.Protocol;
using static Gatehouse.Access.Operations.Shapes;
using Ops = Gatehouse.Protocol.Generated.Iam.Operations;

namespace Gatehouse.Access.Operations;

/// <summary>IAM roles: create, read, list, update, delete, their trust policy and their tags.</summary>
internal sealed class RoleOperations : IAwsOperations
{
    private readonly AccessState _state;
    private readonly GatehouseOptions _options;
    private readonly TimeProvider _time;

    public RoleOperations(AccessState state, GatehouseOptions options, TimeProvider time)
    {
        _state = state;
        _options = options;
        _time = time;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.CreateRole, CreateRoleAsync)
        .Map(Ops.GetRole, GetRoleAsync)
        .Map(Ops.ListRoles, ListRolesAsync)
        .Map(Ops.UpdateRole, UpdateRoleAsync)
        .Map(Ops.UpdateRoleDescription, UpdateRoleDescriptionAsync)
        .Map(Ops.UpdateAssumeRolePolicy, UpdateAssumeRolePolicyAsync)
        .Map(Ops.DeleteRole, DeleteRoleAsync)
        .Map(Ops.TagRole, TagRoleAsync)
        .Map(Ops.UntagRole, UntagRoleAsync)
        .Map(Ops.ListRoleTags, ListRoleTagsAsync)
        .Map(Ops.PutRolePermissionsBoundary, PutRolePermissionsBoundaryAsync)
        .Map(Ops.DeleteRolePermissionsBoundary, DeleteRolePermissionsBoundaryAsync);

    private ValueTask<AwsResponse> CreateRoleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var name = input.Req("RoleName");
        var path = Path(input);
        var role = new Role
        {
            RoleName = name,
            RoleId = NewId("AROA"),
            Path = path,
            Arn = IamArn(_options.Account, "role", path, name),
            CreateDate = _time.GetUtcNow(),
            AssumeRolePolicyDocument = Document(input, "AssumeRolePolicyDocument"),
            Description = input.Str("Description"),
            MaxSessionDuration = input.Int("MaxSessionDuration") ?? 3600,
            PermissionsBoundary = input.Str("PermissionsBoundary"),
            Tags = MergeTags([], ReadTags(input)),
        };
        return RespondAsync(_state.UpdateAsync(s =>
        {
            if (s.Roles.ContainsKey(name))
                throw AccessErrors.RoleExists(name);
            return (s with { Roles = s.Roles.Add(name, role) }, new JsonObject { ["Role"] = RoleOutput(role, full: true) });
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> GetRoleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var role = Find(_state.Current, request.Input.Req("RoleName"));
        return ValueTask.FromResult<AwsResponse>(new JsonObject { ["Role"] = RoleOutput(role, full: true) });
    }

    private ValueTask<AwsResponse> ListRolesAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var output = new JsonObject();
        output["Roles"] = Page(request.Input, _state.Current.Roles.Values.Where(r => UnderPath(r.Path, request.Input)), r => RoleOutput(r, full: false), output);
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private ValueTask<AwsResponse> UpdateRoleAsync(AwsRequest request, CancellationToken cancellationToken) =>
        Change(request, role => role with
        {
            Description = request.Input.Str("Description") ?? role.Description,
            MaxSessionDuration = request.Input.Int("MaxSessionDuration") ?? role.MaxSessionDuration,
        }, _ => new JsonObject(), cancellationToken);

    private ValueTask<AwsResponse> UpdateRoleDescriptionAsync(AwsRequest request, CancellationToken cancellationToken) =>
        Change(request, role => role with { Description = request.Input.Req("Description") },
            role => new JsonObject { ["Role"] = RoleOutput(role, full: true) }, cancellationToken);

    private ValueTask<AwsResponse> UpdateAssumeRolePolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var document = Document(request.Input, "PolicyDocument");
        return Change(request, role => role with { AssumeRolePolicyDocument = document }, _ => new JsonObject(), cancellationToken);
    }

    private ValueTask<AwsResponse> TagRoleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var change = AddingTags(request.Input);
        return Change(request, role => role with { Tags = change(role.Tags) }, _ => new JsonObject(), cancellationToken);
    }

    private ValueTask<AwsResponse> UntagRoleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var change = RemovingTags(request.Input);
        return Change(request, role => role with { Tags = change(role.Tags) }, _ => new JsonObject(), cancellationToken);
    }

    private ValueTask<AwsResponse> ListRoleTagsAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TagListing(request.Input, Find(_state.Current, request.Input.Req("RoleName")).Tags));

    private ValueTask<AwsResponse> PutRolePermissionsBoundaryAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var boundary = request.Input.Req("PermissionsBoundary");
        return Change(request, role => role with { PermissionsBoundary = boundary }, _ => new JsonObject(), cancellationToken);
    }

    private ValueTask<AwsResponse> DeleteRolePermissionsBoundaryAsync(AwsRequest request, CancellationToken cancellationToken) =>
        Change(request, role => role with { PermissionsBoundary = null }, _ => new JsonObject(), cancellationToken);

    private ValueTask<AwsResponse> DeleteRoleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("RoleName");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var role = Find(s, name);
            // IAM refuses to delete a role that still has policies or sits in an instance profile
            // (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html).
            if (!role.AttachedPolicies.IsEmpty)
                throw AccessErrors.RoleHasAttachedPolicies();
            if (!role.InlinePolicies.IsEmpty)
                throw AccessErrors.RoleHasInlinePolicies();
            if (s.InstanceProfiles.Values.Any(p => p.Roles.Contains(role.RoleName, StringComparer.OrdinalIgnoreCase)))
                throw AccessErrors.RoleInInstanceProfile();
            return (s with { Roles = s.Roles.Remove(name) }, new JsonObject());
        }, cancellationToken));
    }

    /// <summary>Replaces the role named in the input with <paramref name="change"/>'s result.</summary>
    private ValueTask<AwsResponse> Change(AwsRequest request, Func<Role, Role> change, Func<Role, JsonObject> output, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("RoleName");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var role = change(Find(s, name));
            return (s with { Roles = s.Roles.SetItem(role.RoleName, role) }, output(role));
        }, cancellationToken));
    }

    public static Role Find(AccessSnapshot snapshot, string name) =>
        snapshot.Roles.GetValueOrDefault(name) ?? throw AccessErrors.RoleNotFound(name);
}
