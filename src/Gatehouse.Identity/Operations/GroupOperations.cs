using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Gatehouse.Identity.Model;
using Gatehouse.Protocol;
using Op = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Operations;

namespace Gatehouse.Identity.Operations;

/// <summary>Groups and memberships; a user's groups appear in tokens as <c>cognito:groups</c>, by precedence.</summary>
internal sealed class GroupOperations(IdentityState identity) : IAwsOperations
{
    private readonly IdentityState _state = identity;

    private static ImmutableHashSet<string> NoGroups => [];

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Op.CreateGroup, CreateGroupAsync)
        .Map(Op.GetGroup, GetGroupAsync)
        .Map(Op.UpdateGroup, UpdateGroupAsync)
        .Map(Op.ListGroups, ListGroupsAsync)
        .Map(Op.DeleteGroup, DeleteGroupAsync)
        .Map(Op.AdminAddUserToGroup, AdminAddUserToGroupAsync)
        .Map(Op.AdminRemoveUserFromGroup, AdminRemoveUserFromGroupAsync)
        .Map(Op.AdminListGroupsForUser, AdminListGroupsForUserAsync)
        .Map(Op.ListUsersInGroup, ListUsersInGroupAsync);

    private static JsonObject GroupJson(Group group)
    {
        var json = new JsonObject { ["GroupName"] = group.Name, ["UserPoolId"] = group.PoolId };
        if (group.Description is not null)
            json["Description"] = group.Description;
        if (group.RoleArn is not null)
            json["RoleArn"] = group.RoleArn;
        if (group.Precedence is not null)
            json["Precedence"] = group.Precedence;
        json["LastModifiedDate"] = group.Modified;
        json["CreationDate"] = group.Created;
        return json;
    }

    private static Group RequireGroup(PoolState state, string name) =>
        state.Groups.TryGetValue(name, out var group) ? group : throw IdentityErrors.GroupNotFound();

    private async ValueTask<AwsResponse> CreateGroupAsync(AwsRequest request, CancellationToken ct)
    {
        var input = request.Input;
        var now = _state.Now;
        Group group;
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            var name = input.Req("GroupName");
            if (state.Groups.ContainsKey(name))
                throw IdentityErrors.GroupExists();
            group = new Group(state.Pool.Id, name, input.Str("Description"), input.Str("RoleArn"), input.Int("Precedence"), now, now);
            await _state.WriteAsync((c, t) => IdentityStore.SaveGroupAsync(c, t, group), ct).ConfigureAwait(false);
            state.Groups[name] = group;
        }
        return new JsonObject { ["Group"] = GroupJson(group) };
    }

    private ValueTask<AwsResponse> GetGroupAsync(AwsRequest request, CancellationToken ct) =>
        ValueTask.FromResult<AwsResponse>(new JsonObject { ["Group"] = GroupJson(RequireGroup(_state.Pool(request), request.Input.Req("GroupName"))) });

    private async ValueTask<AwsResponse> UpdateGroupAsync(AwsRequest request, CancellationToken ct)
    {
        var input = request.Input;
        Group group;
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            var old = RequireGroup(state, input.Req("GroupName"));
            group = old with
            {
                Description = input.Str("Description") ?? old.Description,
                RoleArn = input.Str("RoleArn") ?? old.RoleArn,
                Precedence = input.Int("Precedence") ?? old.Precedence,
                Modified = _state.Now,
            };
            await _state.WriteAsync((c, t) => IdentityStore.SaveGroupAsync(c, t, group), ct).ConfigureAwait(false);
            state.Groups[group.Name] = group;
        }
        return new JsonObject { ["Group"] = GroupJson(group) };
    }

    private ValueTask<AwsResponse> ListGroupsAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var (page, next) = Paging.Paginate(state.Groups.Values.OrderBy(g => g.Name, StringComparer.Ordinal), g => g.Name,
            request.Input.Str("NextToken"), request.Input.Int("Limit") ?? 60);
        var output = new JsonObject { ["Groups"] = new JsonArray(page.Select(g => (JsonNode)GroupJson(g)).ToArray()) };
        if (next is not null)
            output["NextToken"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private async ValueTask<AwsResponse> DeleteGroupAsync(AwsRequest request, CancellationToken ct)
    {
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            var group = RequireGroup(state, request.Input.Req("GroupName"));
            await _state.WriteAsync((c, t) => IdentityStore.DeleteGroupAsync(c, t, state.Pool.Id, group.Name), ct).ConfigureAwait(false);
            state.Groups.TryRemove(group.Name, out _);
            foreach (var (key, groups) in state.Memberships)
            {
                if (groups.Contains(group.Name))
                    state.Memberships[key] = groups.Remove(group.Name);
            }
        }
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> AdminAddUserToGroupAsync(AwsRequest request, CancellationToken ct)
    {
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            var (key, user) = IdentityState.RequireUser(state, request.Input.Req("Username"));
            var group = RequireGroup(state, request.Input.Req("GroupName"));
            await _state.WriteAsync((c, t) => IdentityStore.AddMembershipAsync(c, t, state.Pool.Id, group.Name, user.Username), ct).ConfigureAwait(false);
            state.Memberships.AddOrUpdate(key, _ => [group.Name], (_, set) => set.Add(group.Name));
        }
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> AdminRemoveUserFromGroupAsync(AwsRequest request, CancellationToken ct)
    {
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            var (key, user) = IdentityState.RequireUser(state, request.Input.Req("Username"));
            var group = RequireGroup(state, request.Input.Req("GroupName"));
            await _state.WriteAsync((c, t) => IdentityStore.RemoveMembershipAsync(c, t, state.Pool.Id, group.Name, user.Username), ct).ConfigureAwait(false);
            state.Memberships.AddOrUpdate(key, _ => NoGroups, (_, set) => set.Remove(group.Name));
        }
        return AwsResponse.Empty;
    }

    private ValueTask<AwsResponse> AdminListGroupsForUserAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var (key, _) = IdentityState.RequireUser(state, request.Input.Req("Username"));
        var (page, next) = Paging.Paginate(state.GroupsOf(key).OrderBy(g => g.Name, StringComparer.Ordinal), g => g.Name,
            request.Input.Str("NextToken"), request.Input.Int("Limit") ?? 60);
        var output = new JsonObject { ["Groups"] = new JsonArray(page.Select(g => (JsonNode)GroupJson(g)).ToArray()) };
        if (next is not null)
            output["NextToken"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private ValueTask<AwsResponse> ListUsersInGroupAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var group = RequireGroup(state, request.Input.Req("GroupName"));
        var members = state.Memberships.Where(m => m.Value.Contains(group.Name))
            .Select(m => (m.Key, User: state.Users.GetValueOrDefault(m.Key)))
            .Where(m => m.User is not null).Select(m => (m.Key, User: m.User!))
            .OrderBy(m => m.Key, StringComparer.Ordinal);
        var (page, next) = Paging.Paginate(members, m => m.Key, request.Input.Str("NextToken"), request.Input.Int("Limit") ?? 60);
        var output = new JsonObject { ["Users"] = new JsonArray(page.Select(m => (JsonNode)UserChanges.UserJson(m.User, "Attributes")).ToArray()) };
        if (next is not null)
            output["NextToken"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }
}
