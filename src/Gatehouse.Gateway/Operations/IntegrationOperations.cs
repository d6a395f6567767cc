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

/// <summary>An API's integrations (Lambda proxy and HTTP proxy).</summary>
internal sealed class IntegrationOperations : IAwsOperations
{
    private readonly ApiChanges _apis;

    public IntegrationOperations(ApiChanges apis)
    {
        _apis = apis;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.CreateIntegration, CreateIntegrationAsync)
        .Map(Ops.GetIntegration, GetIntegrationAsync)
        .Map(Ops.GetIntegrations, GetIntegrationsAsync)
        .Map(Ops.UpdateIntegration, UpdateIntegrationAsync)
        .Map(Ops.DeleteIntegration, DeleteIntegrationAsync);

    private ValueTask<AwsResponse> CreateIntegrationAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        return Respond(_apis.ChangeAsync(request, state =>
        {
            var type = input.Req("IntegrationType");
            var integration = ReadIntegration(input, new Integration
            {
                IntegrationId = AwsIds.NewApiGatewayId(7),
                IntegrationType = type,
                PayloadFormatVersion = input.Str("PayloadFormatVersion") ?? (type == "AWS_PROXY" ? "" : "1.0"),
            });
            var after = _apis.AutoDeploy(state with { Integrations = state.Integrations.Add(integration.IntegrationId, integration) });
            return (after, Shapes.IntegrationOutput(integration));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> GetIntegrationAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var state = _apis.Find(request, request.Input.Req("ApiId"));
        var id = request.Input.Req("IntegrationId");
        return Respond(Shapes.IntegrationOutput(state.Integrations.GetValueOrDefault(id) ?? throw GatewayErrors.IntegrationNotFound(id)));
    }

    private ValueTask<AwsResponse> GetIntegrationsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var state = _apis.Find(request, request.Input.Req("ApiId"));
        return Respond(Page(request, state.Integrations.Values, Shapes.IntegrationOutput));
    }

    private ValueTask<AwsResponse> UpdateIntegrationAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        return Respond(_apis.ChangeAsync(request, state =>
        {
            var integrationId = input.Req("IntegrationId");
            var current = state.Integrations.GetValueOrDefault(integrationId) ?? throw GatewayErrors.IntegrationNotFound(integrationId);
            var integration = ReadIntegration(input, current with
            {
                IntegrationType = input.Str("IntegrationType") ?? current.IntegrationType,
                PayloadFormatVersion = input.Str("PayloadFormatVersion") ?? current.PayloadFormatVersion,
            });
            var after = _apis.AutoDeploy(state with { Integrations = state.Integrations.SetItem(integration.IntegrationId, integration) });
            return (after, Shapes.IntegrationOutput(integration));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> DeleteIntegrationAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var id = request.Input.Req("IntegrationId");
        return Respond(_apis.ChangeAsync(request, state =>
        {
            if (!state.Integrations.ContainsKey(id))
                throw GatewayErrors.IntegrationNotFound(id);
            if (state.Routes.Values.FirstOrDefault(r => r.Target == "integrations/" + id) is { } user)
                throw GatewayErrors.IntegrationInUse(id, user.RouteId);
            return (_apis.AutoDeploy(state with { Integrations = state.Integrations.Remove(id) }), new JsonObject());
        }, cancellationToken));
    }

    internal static Integration ReadIntegration(JsonObject input, Integration integration)
    {
        var uri = input.Str("IntegrationUri") ?? integration.IntegrationUri;
        var method = input.Str("IntegrationMethod") ?? integration.IntegrationMethod;
        switch (integration.IntegrationType)
        {
            case "AWS_PROXY":
                if (uri is null || (LambdaTarget.TryParse(uri) is null && !uri.Contains("${stageVariables.", StringComparison.Ordinal)))
                    throw GatewayErrors.InvalidLambdaIntegrationUri(uri);
                if (integration.PayloadFormatVersion is not ("1.0" or "2.0"))
                    throw GatewayErrors.LambdaPayloadFormatRequired();
                method ??= "POST";
                break;
            case "HTTP_PROXY":
                if (uri is null || !(uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
                    throw GatewayErrors.InvalidHttpIntegrationUri(uri);
                if (integration.PayloadFormatVersion != "1.0")
                    throw GatewayErrors.HttpPayloadFormatUnsupported();
                method ??= "ANY";
                break;
            default:
                throw GatewayErrors.IntegrationTypeUnsupported(integration.IntegrationType);
        }
        var requestParameters = input.Obj("RequestParameters") is not null ? Shapes.ReadMap(input, "RequestParameters") : integration.RequestParameters;
        foreach (var key in requestParameters.Keys)
        {
            if (RequestParameterMapping.TryParseTarget(key) is null)
                throw GatewayErrors.InvalidMappingExpression(key);
        }
        var responseParameters = integration.ResponseParameters;
        if (input.Obj("ResponseParameters") is { } responseInput)
        {
            responseParameters = responseInput
                .Where(p => p.Value is JsonObject)
                .ToImmutableSortedDictionary(p => p.Key, p => Shapes.ReadMap(responseInput, p.Key), StringComparer.Ordinal);
        }
        return integration with
        {
            IntegrationUri = uri,
            IntegrationMethod = method,
            TimeoutInMillis = input.Int("TimeoutInMillis") ?? integration.TimeoutInMillis,
            ConnectionType = input.Str("ConnectionType") ?? integration.ConnectionType,
            ConnectionId = input.Str("ConnectionId") ?? integration.ConnectionId,
            CredentialsArn = input.Str("CredentialsArn") ?? integration.CredentialsArn,
            Description = input.Str("Description") ?? integration.Description,
            IntegrationSubtype = input.Str("IntegrationSubtype") ?? integration.IntegrationSubtype,
            TlsServerNameToVerify = input.Obj("TlsConfig")?.Str("ServerNameToVerify") ?? integration.TlsServerNameToVerify,
            RequestParameters = requestParameters,
            ResponseParameters = responseParameters,
        };
    }
}
