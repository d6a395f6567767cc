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

/// <summary>An API's routes.</summary>
internal sealed class RouteOperations : IAwsOperations
{
    private readonly ApiChanges _apis;

    public RouteOperations(ApiChanges apis)
    {
        _apis = apis;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.CreateRoute, CreateRouteAsync)
        .Map(Ops.GetRoute, GetRouteAsync)
        .Map(Ops.GetRoutes, GetRoutesAsync)
        .Map(Ops.UpdateRoute, UpdateRouteAsync)
        .Map(Ops.DeleteRoute, DeleteRouteAsync);

    private ValueTask<AwsResponse> CreateRouteAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        return Respond(_apis.ChangeAsync(request, state =>
        {
            var route = ReadRoute(state, input, new Route { RouteId = AwsIds.NewApiGatewayId(7), RouteKey = input.Req("RouteKey") });
            var after = _apis.AutoDeploy(state with { Routes = state.Routes.Add(route.RouteId, route) });
            return (after, Shapes.RouteOutput(route));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> GetRouteAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var state = _apis.Find(request, request.Input.Req("ApiId"));
        var routeId = request.Input.Req("RouteId");
        return Respond(Shapes.RouteOutput(state.Routes.GetValueOrDefault(routeId) ?? throw GatewayErrors.RouteNotFound(routeId)));
    }

    private ValueTask<AwsResponse> GetRoutesAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var state = _apis.Find(request, request.Input.Req("ApiId"));
        return Respond(Page(request, state.Routes.Values.OrderBy(r => r.RouteKey, StringComparer.Ordinal), Shapes.RouteOutput));
    }

    private ValueTask<AwsResponse> UpdateRouteAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        return Respond(_apis.ChangeAsync(request, state =>
        {
            var routeId = input.Req("RouteId");
            var current = state.Routes.GetValueOrDefault(routeId) ?? throw GatewayErrors.RouteNotFound(routeId);
            var route = ReadRoute(state, input, current with { RouteKey = input.Str("RouteKey") ?? current.RouteKey });
            var after = _apis.AutoDeploy(state with { Routes = state.Routes.SetItem(route.RouteId, route) });
            return (after, Shapes.RouteOutput(route));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> DeleteRouteAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var routeId = request.Input.Req("RouteId");
        return Respond(_apis.ChangeAsync(request, state =>
        {
            if (!state.Routes.ContainsKey(routeId))
                throw GatewayErrors.RouteNotFound(routeId);
            return (_apis.AutoDeploy(state with { Routes = state.Routes.Remove(routeId) }), new JsonObject());
        }, cancellationToken));
    }

    private static readonly string[] AuthorizationTypes = ["NONE", "JWT", "AWS_IAM", "CUSTOM"];

    /// <summary>Lays input over <paramref name="route"/> and checks the result as AWS does.</summary>
    internal static Route ReadRoute(ApiState state, JsonObject input, Route route)
    {
        if (RouteKey.TryParse(route.RouteKey) is null)
            throw GatewayErrors.InvalidRouteKey(route.RouteKey);
        if (state.Routes.Values.Any(r => r.RouteKey == route.RouteKey && r.RouteId != route.RouteId))
            throw GatewayErrors.RouteKeyConflict(route.RouteKey);

        var authorizationType = input.Str("AuthorizationType") ?? route.AuthorizationType;
        if (!AuthorizationTypes.Contains(authorizationType, StringComparer.Ordinal))
            throw GatewayErrors.InvalidAuthorizationType(authorizationType);
        var authorizerId = input.Str("AuthorizerId") ?? route.AuthorizerId;
        if (authorizationType is "NONE" or "AWS_IAM")
            authorizerId = null;
        if (authorizationType is "JWT" or "CUSTOM")
        {
            if (authorizerId is null)
                throw GatewayErrors.AuthorizerIdRequired(authorizationType);
            var authorizer = state.Authorizers.GetValueOrDefault(authorizerId) ?? throw GatewayErrors.AuthorizerNotFound(authorizerId);
            var expected = authorizationType == "JWT" ? "JWT" : "REQUEST";
            if (authorizer.AuthorizerType != expected)
                throw GatewayErrors.AuthorizerTypeMismatch(authorizationType, expected, authorizerId, authorizer.AuthorizerType);
        }
        var scopes = input.Arr("AuthorizationScopes") is not null ? [.. input.Strings("AuthorizationScopes")] : route.AuthorizationScopes;
        if (!scopes.IsEmpty && authorizationType != "JWT")
            throw GatewayErrors.ScopesNeedJwt();

        var target = input.Str("Target") ?? route.Target;
        if (target is not null)
        {
            // An empty target detaches the integration (the console's "detach").
            if (target.Length == 0)
                target = null;
            else if (!target.StartsWith("integrations/", StringComparison.Ordinal) || !state.Integrations.ContainsKey(target["integrations/".Length..]))
                throw GatewayErrors.InvalidTarget(target);
        }
        var parameters = route.RequestParameters;
        if (input.Obj("RequestParameters") is { } requestParameters)
        {
            parameters = requestParameters
                .Select(p => KeyValuePair.Create(p.Key, (p.Value as JsonObject)?.Bool("Required") ?? false))
                .ToImmutableSortedDictionary(StringComparer.Ordinal);
        }
        return route with
        {
            AuthorizationType = authorizationType,
            AuthorizerId = authorizerId,
            AuthorizationScopes = scopes,
            Target = target,
            ApiKeyRequired = input.Bool("ApiKeyRequired") ?? route.ApiKeyRequired,
            OperationName = input.Str("OperationName") ?? route.OperationName,
            RequestParameters = parameters,
        };
    }
}
