using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Gatehouse.Gateway.Runtime;
using Gatehouse.Protocol;
using static Gatehouse.Gateway.Operations.ApiChanges;
using Ops = Gatehouse.Protocol.Generated.ApiGatewayV2.Operations;

namespace Gatehouse.Gateway.Operations;

/// <summary>An API's authorizers (JWT and Lambda), and emptying a stage's authorizer cache.</summary>
internal sealed class AuthorizerOperations : IAwsOperations
{
    private readonly ApiChanges _apis;

    public AuthorizerOperations(ApiChanges apis)
    {
        _apis = apis;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.CreateAuthorizer, CreateAuthorizerAsync)
        .Map(Ops.GetAuthorizer, GetAuthorizerAsync)
        .Map(Ops.GetAuthorizers, GetAuthorizersAsync)
        .Map(Ops.UpdateAuthorizer, UpdateAuthorizerAsync)
        .Map(Ops.DeleteAuthorizer, DeleteAuthorizerAsync)
        .Map(Ops.ResetAuthorizersCache, ResetAuthorizersCacheAsync);

    private ValueTask<AwsResponse> CreateAuthorizerAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        return Respond(_apis.ChangeAsync(request, state =>
        {
            var authorizer = ReadAuthorizer(input, new Authorizer
            {
                AuthorizerId = AwsIds.NewApiGatewayId(6),
                Name = input.Req("Name"),
                AuthorizerType = input.Req("AuthorizerType"),
            });
            var after = _apis.AutoDeploy(state with { Authorizers = state.Authorizers.Add(authorizer.AuthorizerId, authorizer) });
            return (after, Shapes.AuthorizerOutput(authorizer));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> GetAuthorizerAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var state = _apis.Find(request, request.Input.Req("ApiId"));
        var id = request.Input.Req("AuthorizerId");
        return Respond(Shapes.AuthorizerOutput(state.Authorizers.GetValueOrDefault(id) ?? throw GatewayErrors.AuthorizerNotFound(id)));
    }

    private ValueTask<AwsResponse> GetAuthorizersAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var state = _apis.Find(request, request.Input.Req("ApiId"));
        return Respond(Page(request, state.Authorizers.Values, Shapes.AuthorizerOutput));
    }

    private ValueTask<AwsResponse> UpdateAuthorizerAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        return Respond(_apis.ChangeAsync(request, state =>
        {
            var id = input.Req("AuthorizerId");
            var current = state.Authorizers.GetValueOrDefault(id) ?? throw GatewayErrors.AuthorizerNotFound(id);
            var type = input.Str("AuthorizerType") ?? current.AuthorizerType;
            if (type != current.AuthorizerType && state.Routes.Values.FirstOrDefault(r => r.AuthorizerId == id) is { } user)
                throw GatewayErrors.AuthorizerInUse(id, user.RouteId);
            var authorizer = ReadAuthorizer(input, current with { Name = input.Str("Name") ?? current.Name, AuthorizerType = type });
            var after = _apis.AutoDeploy(state with { Authorizers = state.Authorizers.SetItem(id, authorizer) });
            return (after, Shapes.AuthorizerOutput(authorizer));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> DeleteAuthorizerAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var id = request.Input.Req("AuthorizerId");
        return Respond(_apis.ChangeAsync(request, state =>
        {
            if (!state.Authorizers.ContainsKey(id))
                throw GatewayErrors.AuthorizerNotFound(id);
            if (state.Routes.Values.FirstOrDefault(r => r.AuthorizerId == id) is { } user)
                throw GatewayErrors.AuthorizerInUse(id, user.RouteId);
            return (_apis.AutoDeploy(state with { Authorizers = state.Authorizers.Remove(id) }), new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> ResetAuthorizersCacheAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var apiId = request.Input.Req("ApiId");
        var state = _apis.Find(request, apiId);
        var name = request.Input.Req("StageName");
        if (!state.Stages.ContainsKey(name))
            throw GatewayErrors.StageNotFound(name);
        _apis.ResetAuthorizerCache(apiId, name);
        return Respond(new JsonObject());
    }

    internal static Authorizer ReadAuthorizer(JsonObject input, Authorizer authorizer)
    {
        var identitySource = input.Arr("IdentitySource") is not null ? [.. input.Strings("IdentitySource")] : authorizer.IdentitySource;
        var jwt = input.Obj("JwtConfiguration");
        var result = authorizer with
        {
            IdentitySource = identitySource,
            JwtIssuer = jwt?.Str("Issuer") ?? authorizer.JwtIssuer,
            JwtAudience = jwt?.Arr("Audience") is not null ? [.. jwt.Strings("Audience")] : authorizer.JwtAudience,
            AuthorizerUri = input.Str("AuthorizerUri") ?? authorizer.AuthorizerUri,
            AuthorizerPayloadFormatVersion = input.Str("AuthorizerPayloadFormatVersion") ?? authorizer.AuthorizerPayloadFormatVersion,
            AuthorizerResultTtlInSeconds = input.Int("AuthorizerResultTtlInSeconds") ?? authorizer.AuthorizerResultTtlInSeconds,
            EnableSimpleResponses = input.Bool("EnableSimpleResponses") ?? authorizer.EnableSimpleResponses,
            AuthorizerCredentialsArn = input.Str("AuthorizerCredentialsArn") ?? authorizer.AuthorizerCredentialsArn,
            IdentityValidationExpression = input.Str("IdentityValidationExpression") ?? authorizer.IdentityValidationExpression,
        };
        foreach (var source in result.IdentitySource)
        {
            if (IdentitySource.TryParse(source) is null)
                throw GatewayErrors.InvalidIdentitySource(source);
        }
        switch (result.AuthorizerType)
        {
            case "JWT":
                if (result.IdentitySource.Length != 1)
                    throw GatewayErrors.JwtIdentitySourceCount();
                if (string.IsNullOrEmpty(result.JwtIssuer) || !Uri.TryCreate(result.JwtIssuer, UriKind.Absolute, out _))
                    throw GatewayErrors.JwtIssuerRequired();
                if (result.JwtAudience.IsEmpty)
                    throw GatewayErrors.JwtAudienceRequired();
                return result with { AuthorizerUri = null, AuthorizerPayloadFormatVersion = null, AuthorizerResultTtlInSeconds = null, EnableSimpleResponses = null };
            case "REQUEST":
                if (result.AuthorizerUri is null || LambdaTarget.TryParse(result.AuthorizerUri) is null)
                    throw GatewayErrors.AuthorizerUriRequired();
                if (result.AuthorizerPayloadFormatVersion is not ("1.0" or "2.0"))
                    throw GatewayErrors.AuthorizerPayloadFormatRequired();
                if (result.EnableSimpleResponses == true && result.AuthorizerPayloadFormatVersion != "2.0")
                    throw GatewayErrors.SimpleResponsesNeedV2();
                var ttl = result.AuthorizerResultTtlInSeconds ?? 0;
                if (ttl > 0 && result.IdentitySource.IsEmpty)
                    throw GatewayErrors.CachingNeedsIdentitySource();
                return result with { JwtIssuer = null, JwtAudience = [], AuthorizerResultTtlInSeconds = ttl, EnableSimpleResponses = result.EnableSimpleResponses ?? false };
            default:
                throw GatewayErrors.AuthorizerTypeUnsupported(result.AuthorizerType);
        }
    }
}
