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

/// <summary>HTTP APIs: create (incl. quick create), read, list, update, delete, and their CORS configuration.</summary>
internal sealed class ApiOperations : IAwsOperations
{
    private readonly ApiChanges _apis;
    private readonly GatehouseOptions _options;

    public ApiOperations(ApiChanges apis, GatehouseOptions options)
    {
        _apis = apis;
        _options = options;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.CreateApi, CreateApiAsync)
        .Map(Ops.GetApi, GetApiAsync)
        .Map(Ops.GetApis, GetApisAsync)
        .Map(Ops.UpdateApi, UpdateApiAsync)
        .Map(Ops.DeleteApi, DeleteApiAsync)
        .Map(Ops.DeleteCorsConfiguration, DeleteCorsConfigurationAsync);

    private ValueTask<AwsResponse> CreateApiAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var protocol = input.Req("ProtocolType");
        if (protocol != "HTTP")
            throw GatewayErrors.ProtocolTypeUnsupported();
        var target = input.Str("Target");
        var routeKeyText = input.Str("RouteKey");
        if (target is null && (routeKeyText is not null || input.Str("CredentialsArn") is not null))
            throw GatewayErrors.QuickCreateNeedsTarget();
        var routeSelection = input.Str("RouteSelectionExpression");
        if (routeSelection is not null && routeSelection != "$request.method $request.path")
            throw GatewayErrors.RouteSelectionUnsupported();
        var cors = input.Obj("CorsConfiguration") is { } corsInput ? Shapes.ReadCors(corsInput) : null;
        ValidateCors(cors);

        var now = _apis.Now;
        var api = new Api
        {
            ApiId = AwsIds.NewApiGatewayId(10),
            Account = request.Context.Account,
            Region = request.Context.Region,
            Name = input.Req("Name"),
            Description = input.Str("Description"),
            Version = input.Str("Version"),
            CorsConfiguration = cors,
            DisableExecuteApiEndpoint = input.Bool("DisableExecuteApiEndpoint") ?? false,
            DisableSchemaValidation = input.Bool("DisableSchemaValidation") ?? false,
            IpAddressType = input.Str("IpAddressType") ?? "ipv4",
            ApiKeySelectionExpression = input.Str("ApiKeySelectionExpression") ?? "$request.header.x-api-key",
            CreatedDate = now,
            Tags = Shapes.ReadMap(input, "Tags"),
        };
        var state = new ApiState { Api = api };
        if (target is not null)
            state = QuickCreate(state, target, routeKeyText ?? RouteKey.Default, input.Str("CredentialsArn"), now);
        return Respond(_apis.State.UpdateAsync(api.ApiId, _ => (state, ApiOutput(api)), cancellationToken));
    }

    private ValueTask<AwsResponse> GetApiAsync(AwsRequest request, CancellationToken cancellationToken) =>
        Respond(ApiOutput(_apis.Find(request, request.Input.Req("ApiId")).Api));

    private ValueTask<AwsResponse> GetApisAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var apis = _apis.State.Apis.Values
            .Where(s => s.Api.Account == request.Context.Account && s.Api.Region == request.Context.Region)
            .Select(s => s.Api)
            .OrderBy(a => a.CreatedDate).ThenBy(a => a.ApiId, StringComparer.Ordinal);
        return Respond(Page(request, apis, ApiOutput));
    }

    private ValueTask<AwsResponse> UpdateApiAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        if (input.Str("Target") is not null || input.Str("RouteKey") is not null)
            throw GatewayErrors.QuickUpdateUnsupported();
        return Respond(_apis.ChangeAsync(request, state =>
        {
            var current = state.Api;
            var cors = input.Obj("CorsConfiguration") is { } corsInput ? Shapes.ReadCors(corsInput) : current.CorsConfiguration;
            ValidateCors(cors);
            var api = current with
            {
                Name = input.Str("Name") ?? current.Name,
                Description = input.Str("Description") ?? current.Description,
                Version = input.Str("Version") ?? current.Version,
                CorsConfiguration = cors,
                DisableExecuteApiEndpoint = input.Bool("DisableExecuteApiEndpoint") ?? current.DisableExecuteApiEndpoint,
                DisableSchemaValidation = input.Bool("DisableSchemaValidation") ?? current.DisableSchemaValidation,
                IpAddressType = input.Str("IpAddressType") ?? current.IpAddressType,
                ApiKeySelectionExpression = input.Str("ApiKeySelectionExpression") ?? current.ApiKeySelectionExpression,
            };
            return (state with { Api = api }, ApiOutput(api));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> DeleteApiAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var apiId = request.Input.Req("ApiId");
        return Respond(_apis.State.UpdateAsync(apiId, current =>
        {
            _apis.Find(request, current, apiId);
            return ((ApiState?)null, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> DeleteCorsConfigurationAsync(AwsRequest request, CancellationToken cancellationToken) =>
        Respond(_apis.ChangeAsync(request, state => (state with { Api = state.Api with { CorsConfiguration = null } }, new JsonObject()), cancellationToken));

    private JsonObject ApiOutput(Api api) => Shapes.ApiOutput(api, GatewayEndpoints.ApiEndpoint(_options, api.ApiId));

    /// <summary>
    /// Quick create: an integration for the target (a Lambda ARN or an HTTP URL), one route and
    /// an auto-deployed <c>$default</c> stage, all marked as managed by API Gateway.
    /// </summary>
    private ApiState QuickCreate(ApiState state, string target, string routeKeyText, string? credentialsArn, DateTimeOffset now)
    {
        if (RouteKey.TryParse(routeKeyText) is null)
            throw GatewayErrors.InvalidRouteKey(routeKeyText);
        var isHttp = target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (!isHttp && LambdaTarget.TryParse(target) is null)
            throw GatewayErrors.InvalidQuickCreateTarget(target);
        var integration = new Integration
        {
            IntegrationId = AwsIds.NewApiGatewayId(7),
            IntegrationType = isHttp ? "HTTP_PROXY" : "AWS_PROXY",
            IntegrationUri = target,
            IntegrationMethod = isHttp ? "ANY" : "POST",
            PayloadFormatVersion = isHttp ? "1.0" : "2.0",
            CredentialsArn = credentialsArn,
            ApiGatewayManaged = true,
        };
        var route = new Route
        {
            RouteId = AwsIds.NewApiGatewayId(7),
            RouteKey = routeKeyText,
            Target = "integrations/" + integration.IntegrationId,
            ApiGatewayManaged = true,
        };
        var stage = new Stage
        {
            StageName = RouteKey.Default,
            AutoDeploy = true,
            ApiGatewayManaged = true,
            CreatedDate = now,
            LastUpdatedDate = now,
        };
        state = state with
        {
            Integrations = state.Integrations.Add(integration.IntegrationId, integration),
            Routes = state.Routes.Add(route.RouteId, route),
            Stages = state.Stages.Add(stage.StageName, stage),
        };
        return _apis.AutoDeploy(state);
    }

    private static void ValidateCors(CorsConfiguration? cors)
    {
        if (cors is null)
            return;
        if (cors.AllowCredentials == true && cors.AllowOrigins.Contains("*"))
            throw GatewayErrors.CorsCredentialsWithAnyOrigin();
    }
}
