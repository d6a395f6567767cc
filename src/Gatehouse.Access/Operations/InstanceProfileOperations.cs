using System.Text.Json.Nodes;
using Gatehouse.Access.Model;
using Gatehouse.Core;
using Gatehouse.Protocol;
using static Gatehouse.Access.Operations.Shapes;
using Ops = Gatehouse.Protocol.Generated.Iam.Operations;

namespace Gatehouse.Access.Operations;

/// <summary>Instance profiles and the one role each may hold.</summary>
internal sealed class InstanceProfileOperations : IAwsOperations
{
    private readonly AccessState _state;
    private readonly GatehouseOptions _options;
    private readonly TimeProvider _time;

    public InstanceProfileOperations(AccessState state, GatehouseOptions options, TimeProvider time)
    {
        _state = state;
        _options = options;
        _time = time;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.CreateInstanceProfile, CreateInstanceProfileAsync)
        .Map(Ops.GetInstanceProfile, GetInstanceProfileAsync)
        .Map(Ops.ListInstanceProfiles, ListInstanceProfilesAsync)
        .Map(Ops.DeleteInstanceProfile, DeleteInstanceProfileAsync)
        .Map(Ops.AddRoleToInstanceProfile, AddRoleToInstanceProfileAsync)
        .Map(Ops.RemoveRoleFromInstanceProfile, RemoveRoleFromInstanceProfileAsync)
        .Map(Ops.ListInstanceProfilesForRole, ListInstanceProfilesForRoleAsync)
        .Map(Ops.TagInstanceProfile, TagInstanceProfileAsync)
        .Map(Ops.UntagInstanceProfile, UntagInstanceProfileAsync)
        .Map(Ops.ListInstanceProfileTags, ListInstanceProfileTagsAsync);

    private ValueTask<AwsResponse> CreateInstanceProfileAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("InstanceProfileName");
        var path = Path(request.Input);
        var profile = new InstanceProfile
        {
            InstanceProfileName = name,
            InstanceProfileId = NewId("AIPA"),
            Path = path,
            Arn = IamArn(_options.Account, "instance-profile", path, name),
            CreateDate = _time.GetUtcNow(),
            Tags = MergeTags([], ReadTags(request.Input)),
        };
        return RespondAsync(_state.UpdateAsync(s =>
        {
            if (s.InstanceProfiles.ContainsKey(name))
                throw AccessErrors.InstanceProfileExists(name);
            return (s with { InstanceProfiles = s.InstanceProfiles.Add(name, profile) }, new JsonObject { ["InstanceProfile"] = InstanceProfileOutput(profile, s) });
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> GetInstanceProfileAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var snapshot = _state.Current;
        var profile = Find(snapshot, request.Input.Req("InstanceProfileName"));
        return ValueTask.FromResult<AwsResponse>(new JsonObject { ["InstanceProfile"] = InstanceProfileOutput(profile, snapshot) });
    }

    private ValueTask<AwsResponse> ListInstanceProfilesAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var snapshot = _state.Current;
        var output = new JsonObject();
        output["InstanceProfiles"] = Page(request.Input, snapshot.InstanceProfiles.Values.Where(p => UnderPath(p.Path, request.Input)),
            p => InstanceProfileOutput(p, snapshot), output);
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private ValueTask<AwsResponse> ListInstanceProfilesForRoleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var snapshot = _state.Current;
        var role = RoleOperations.Find(snapshot, request.Input.Req("RoleName"));
        var output = new JsonObject();
        output["InstanceProfiles"] = Page(request.Input,
            snapshot.InstanceProfiles.Values.Where(p => p.Roles.Contains(role.RoleName, StringComparer.OrdinalIgnoreCase)),
            p => InstanceProfileOutput(p, snapshot), output);
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private ValueTask<AwsResponse> DeleteInstanceProfileAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("InstanceProfileName");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var profile = Find(s, name);
            if (!profile.Roles.IsEmpty)
                throw AccessErrors.ProfileHasRoles();
            return (s with { InstanceProfiles = s.InstanceProfiles.Remove(name) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> AddRoleToInstanceProfileAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("InstanceProfileName");
        var roleName = request.Input.Req("RoleName");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var profile = Find(s, name);
            var role = RoleOperations.Find(s, roleName);
            // An instance profile holds one role (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html).
            if (!profile.Roles.IsEmpty)
                throw AccessErrors.RoleAlreadyInProfile(profile.InstanceProfileName);
            profile = profile with { Roles = [role.RoleName] };
            return (s with { InstanceProfiles = s.InstanceProfiles.SetItem(name, profile) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> RemoveRoleFromInstanceProfileAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("InstanceProfileName");
        var roleName = request.Input.Req("RoleName");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var profile = Find(s, name);
            var role = RoleOperations.Find(s, roleName);
            if (!profile.Roles.Contains(role.RoleName, StringComparer.OrdinalIgnoreCase))
                throw AccessErrors.RoleNotFound(roleName);
            profile = profile with { Roles = profile.Roles.RemoveAll(r => string.Equals(r, role.RoleName, StringComparison.OrdinalIgnoreCase)) };
            return (s with { InstanceProfiles = s.InstanceProfiles.SetItem(name, profile) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> TagInstanceProfileAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ChangeTags(request, AddingTags(request.Input), cancellationToken);

    private ValueTask<AwsResponse> UntagInstanceProfileAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ChangeTags(request, RemovingTags(request.Input), cancellationToken);

    private ValueTask<AwsResponse> ListInstanceProfileTagsAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TagListing(request.Input, Find(_state.Current, request.Input.Req("InstanceProfileName")).Tags));

    private ValueTask<AwsResponse> ChangeTags(AwsRequest request, Func<System.Collections.Immutable.ImmutableArray<Tag>, System.Collections.Immutable.ImmutableArray<Tag>> change, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("InstanceProfileName");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var profile = Find(s, name);
            profile = profile with { Tags = change(profile.Tags) };
            return (s with { InstanceProfiles = s.InstanceProfiles.SetItem(name, profile) }, new JsonObject());
        }, cancellationToken));
    }

    private static InstanceProfile Find(AccessSnapshot snapshot, string name) =>
        snapshot.InstanceProfiles.GetValueOrDefault(name) ?? throw AccessErrors.InstanceProfileNotFound(name);
}
