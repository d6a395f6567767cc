using System.Text.Json.Nodes;
using Gatehouse.Identity.Model;
using Gatehouse.Protocol;
using Op = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Operations;

namespace Gatehouse.Identity.Operations;

/// <summary>Resource servers: their scopes are the custom OAuth scopes (<c>{identifier}/{scope}</c>) a client may be allowed.</summary>
internal sealed class ResourceServerOperations(IdentityState identity) : IAwsOperations
{
    private readonly IdentityState _state = identity;

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Op.CreateResourceServer, CreateResourceServerAsync)
        .Map(Op.DescribeResourceServer, DescribeResourceServerAsync)
        .Map(Op.ListResourceServers, ListResourceServersAsync)
        .Map(Op.UpdateResourceServer, UpdateResourceServerAsync)
        .Map(Op.DeleteResourceServer, DeleteResourceServerAsync);

    private static List<ResourceServerScope> ReadScopes(JsonObject input)
    {
        var scopes = (input.Arr("Scopes") ?? []).OfType<JsonObject>()
            .Select(s => new ResourceServerScope(s["ScopeName"]!.GetValue<string>(), s["ScopeDescription"]?.GetValue<string>() ?? "")).ToList();
        if (scopes.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count() != scopes.Count)
            throw IdentityErrors.DuplicateScopes();
        return scopes;
    }

    private static JsonObject ResourceServerJson(ResourceServer server) => new()
    {
        ["UserPoolId"] = server.PoolId,
        ["Identifier"] = server.Identifier,
        ["Name"] = server.Name,
        ["Scopes"] = HostedUiStore.ScopesJson(server.Scopes),
    };

    private static ResourceServer RequireResourceServer(PoolState state, string identifier) =>
        state.ResourceServers.TryGetValue(identifier, out var server) ? server : throw IdentityErrors.ResourceServerNotFound(identifier, state.Pool.Id);

    private async ValueTask<AwsResponse> CreateResourceServerAsync(AwsRequest request, CancellationToken ct)
    {
        var scopes = ReadScopes(request.Input);
        ResourceServer server;
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            var identifier = request.Input.Req("Identifier");
            if (state.ResourceServers.ContainsKey(identifier))
                throw IdentityErrors.ResourceServerExists(identifier, state.Pool.Id);
            server = new ResourceServer(state.Pool.Id, identifier, request.Input.Req("Name"), scopes, _state.Now);
            await _state.WriteAsync((c, t) => HostedUiStore.SaveResourceServerAsync(c, t, server), ct).ConfigureAwait(false);
            state.ResourceServers[identifier] = server;
        }
        return new JsonObject { ["ResourceServer"] = ResourceServerJson(server) };
    }

    private ValueTask<AwsResponse> DescribeResourceServerAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        return ValueTask.FromResult<AwsResponse>(new JsonObject { ["ResourceServer"] = ResourceServerJson(RequireResourceServer(state, request.Input.Req("Identifier"))) });
    }

    private ValueTask<AwsResponse> ListResourceServersAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var (page, next) = Paging.Paginate(state.ResourceServers.Values.OrderBy(s => s.Identifier, StringComparer.Ordinal), s => s.Identifier,
            request.Input.Str("NextToken"), request.Input.Int("MaxResults") ?? 50);
        var output = new JsonObject { ["ResourceServers"] = new JsonArray(page.Select(s => (JsonNode)ResourceServerJson(s)).ToArray()) };
        if (next is not null)
            output["NextToken"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private async ValueTask<AwsResponse> UpdateResourceServerAsync(AwsRequest request, CancellationToken ct)
    {
        var scopes = ReadScopes(request.Input);
        ResourceServer server;
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            var old = RequireResourceServer(state, request.Input.Req("Identifier"));
            // Like Cognito, an update replaces the scope list (absent means none).
            server = old with { Name = request.Input.Req("Name"), Scopes = scopes };
            await _state.WriteAsync((c, t) => HostedUiStore.SaveResourceServerAsync(c, t, server), ct).ConfigureAwait(false);
            state.ResourceServers[server.Identifier] = server;
        }
        return new JsonObject { ["ResourceServer"] = ResourceServerJson(server) };
    }

    private async ValueTask<AwsResponse> DeleteResourceServerAsync(AwsRequest request, CancellationToken ct)
    {
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            var server = RequireResourceServer(state, request.Input.Req("Identifier"));
            await _state.WriteAsync((c, t) => HostedUiStore.DeleteResourceServerAsync(c, t, state.Pool.Id, server.Identifier), ct).ConfigureAwait(false);
            state.ResourceServers.TryRemove(server.Identifier, out _);
        }
        return AwsResponse.Empty;
    }
}
