using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Identity.Model;
using Gatehouse.Protocol;
using Op = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Operations;

namespace Gatehouse.Identity.Operations;

internal sealed class ClientOperations(IdentityState identity) : IAwsOperations
{
    private readonly IdentityState _state = identity;

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Op.CreateUserPoolClient, CreateUserPoolClientAsync)
        .Map(Op.DescribeUserPoolClient, DescribeUserPoolClientAsync)
        .Map(Op.UpdateUserPoolClient, UpdateUserPoolClientAsync)
        .Map(Op.ListUserPoolClients, ListUserPoolClientsAsync)
        .Map(Op.DeleteUserPoolClient, DeleteUserPoolClientAsync);

    private static readonly HashSet<string> LegacyFlows = ["ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"];

    /// <summary>Client settings with Cognito's defaults; like Cognito, an update resets what it does not give.</summary>
    private static JsonObject BuildClientSettings(JsonObject input)
    {
        var flows = input.Strings("ExplicitAuthFlows").ToList();
        if (flows.Any(LegacyFlows.Contains) && flows.Any(f => !LegacyFlows.Contains(f)))
            throw IdentityErrors.MixedAuthFlows();

        var units = input.Obj("TokenValidityUnits");
        CheckValidity(input.Long("AccessTokenValidity"), units?["AccessToken"]?.GetValue<string>() ?? "hours", TimeSpan.FromMinutes(5), TimeSpan.FromDays(1), "Access token");
        CheckValidity(input.Long("IdTokenValidity"), units?["IdToken"]?.GetValue<string>() ?? "hours", TimeSpan.FromMinutes(5), TimeSpan.FromDays(1), "Id token");
        CheckValidity(input.Long("RefreshTokenValidity") is 0 ? null : input.Long("RefreshTokenValidity"), units?["RefreshToken"]?.GetValue<string>() ?? "days", TimeSpan.FromMinutes(60), TimeSpan.FromDays(3650), "Refresh token");
        if (input.Long("AuthSessionValidity") is < 3 or > 15)
            throw IdentityErrors.AuthSessionValidityRange();

        var settings = new JsonObject();
        string[] copied =
        [
            "AccessTokenValidity", "IdTokenValidity", "TokenValidityUnits", "ReadAttributes", "WriteAttributes", "ExplicitAuthFlows",
            "SupportedIdentityProviders", "CallbackURLs", "LogoutURLs", "DefaultRedirectURI", "AllowedOAuthFlows", "AllowedOAuthScopes",
            "AnalyticsConfiguration", "PreventUserExistenceErrors", "RefreshTokenRotation",
        ];
        foreach (var name in copied)
        {
            if (input[name] is { } value)
                settings[name] = value.DeepClone();
        }
        settings["RefreshTokenValidity"] = input.Long("RefreshTokenValidity") is > 0 and var refresh ? refresh : 30;
        settings["AllowedOAuthFlowsUserPoolClient"] = input.Bool("AllowedOAuthFlowsUserPoolClient") ?? false;
        settings["EnableTokenRevocation"] = input.Bool("EnableTokenRevocation") ?? true;
        settings["EnablePropagateAdditionalUserContextData"] = input.Bool("EnablePropagateAdditionalUserContextData") ?? false;
        settings["AuthSessionValidity"] = input.Long("AuthSessionValidity") ?? 3;
        return settings;
    }

    private static void CheckValidity(long? value, string unit, TimeSpan min, TimeSpan max, string what)
    {
        if (value is null)
            return;
        var span = unit switch
        {
            "seconds" => TimeSpan.FromSeconds(value.Value),
            "minutes" => TimeSpan.FromMinutes(value.Value),
            "hours" => TimeSpan.FromHours(value.Value),
            _ => TimeSpan.FromDays(value.Value),
        };
        if (span < min || span > max)
            throw IdentityErrors.TokenValidityRange(what, Describe(min), Describe(max));
    }

    private static string Describe(TimeSpan span) => span.TotalDays >= 1 ? $"{span.TotalDays:0} day(s)" : span.TotalHours >= 1 ? $"{span.TotalHours:0} hour(s)" : $"{span.TotalMinutes:0} minutes";

    private static void CheckAttributesExist(PoolState state, JsonObject input)
    {
        foreach (var name in input.Strings("ReadAttributes").Concat(input.Strings("WriteAttributes")))
        {
            if (!state.Pool.Schema.ContainsKey(name))
                throw IdentityErrors.InvalidReadAttribute(name);
        }
    }

    private async ValueTask<AwsResponse> CreateUserPoolClientAsync(AwsRequest request, CancellationToken ct)
    {
        var input = request.Input;
        var settings = BuildClientSettings(input);
        string? secret = null;
        if (input.Bool("GenerateSecret") == true)
            secret = input.Str("ClientSecret") ?? AwsIds.NewClientSecret();
        var now = _state.Now;
        AppClient client;
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            CheckAttributesExist(state, input);
            string id;
            do
                id = AwsIds.NewClientId();
            while (_state.PoolsByClient.ContainsKey(id));
            client = new AppClient(id, state.Pool.Id, input.Req("ClientName"), secret, settings, now, now);
            await _state.WriteAsync((c, t) => IdentityStore.SaveClientAsync(c, t, client), ct).ConfigureAwait(false);
            state.Clients[id] = client;
            _state.PoolsByClient[id] = state;
        }
        return new JsonObject { ["UserPoolClient"] = ClientJson(client) };
    }

    private static JsonObject ClientJson(AppClient client)
    {
        var json = (JsonObject)client.Settings.DeepClone();
        json["UserPoolId"] = client.PoolId;
        json["ClientName"] = client.Name;
        json["ClientId"] = client.Id;
        if (client.Secret is not null)
            json["ClientSecret"] = client.Secret;
        json["CreationDate"] = client.Created;
        json["LastModifiedDate"] = client.Modified;
        return json;
    }

    private ValueTask<AwsResponse> DescribeUserPoolClientAsync(AwsRequest request, CancellationToken ct)
    {
        var client = IdentityState.Client(_state.Pool(request), request.Input.Req("ClientId"));
        return ValueTask.FromResult<AwsResponse>(new JsonObject { ["UserPoolClient"] = ClientJson(client) });
    }

    private async ValueTask<AwsResponse> UpdateUserPoolClientAsync(AwsRequest request, CancellationToken ct)
    {
        var settings = BuildClientSettings(request.Input);
        AppClient client;
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            var old = IdentityState.Client(state, request.Input.Req("ClientId"));
            CheckAttributesExist(state, request.Input);
            client = new AppClient(old.Id, old.PoolId, request.Input.Str("ClientName") ?? old.Name, old.Secret, settings, old.Created, _state.Now);
            await _state.WriteAsync((c, t) => IdentityStore.SaveClientAsync(c, t, client), ct).ConfigureAwait(false);
            state.Clients[client.Id] = client;
        }
        return new JsonObject { ["UserPoolClient"] = ClientJson(client) };
    }

    private ValueTask<AwsResponse> ListUserPoolClientsAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var (page, next) = Paging.Paginate(state.Clients.Values.OrderBy(c => c.Id, StringComparer.Ordinal), c => c.Id,
            request.Input.Str("NextToken"), request.Input.Int("MaxResults") ?? 60);
        var output = new JsonObject
        {
            ["UserPoolClients"] = new JsonArray(page.Select(c => (JsonNode)new JsonObject
            {
                ["ClientId"] = c.Id,
                ["UserPoolId"] = c.PoolId,
                ["ClientName"] = c.Name,
            }).ToArray()),
        };
        if (next is not null)
            output["NextToken"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private async ValueTask<AwsResponse> DeleteUserPoolClientAsync(AwsRequest request, CancellationToken ct)
    {
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            var client = IdentityState.Client(state, request.Input.Req("ClientId"));
            await _state.WriteAsync((c, t) => IdentityStore.DeleteClientAsync(c, t, client.Id), ct).ConfigureAwait(false);
            state.Clients.TryRemove(client.Id, out _);
            _state.PoolsByClient.TryRemove(client.Id, out _);
        }
        return AwsResponse.Empty;
    }
}
