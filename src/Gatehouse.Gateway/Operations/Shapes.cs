using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Gatehouse.Gateway.Model;
using Gatehouse.Protocol;

namespace Gatehouse.Gateway.Operations;

/// <summary>Resources to output structures (by model member names) and input structures to resources.</summary>
internal static class Shapes
{
    public static JsonObject ApiOutput(Api api, string apiEndpoint)
    {
        var output = new JsonObject
        {
            ["ApiEndpoint"] = apiEndpoint,
            ["ApiId"] = api.ApiId,
            ["ApiKeySelectionExpression"] = api.ApiKeySelectionExpression,
            ["CreatedDate"] = JsonValue.Create(api.CreatedDate),
            ["DisableExecuteApiEndpoint"] = api.DisableExecuteApiEndpoint,
            ["DisableSchemaValidation"] = api.DisableSchemaValidation ? true : null,
            ["Name"] = api.Name,
            ["ProtocolType"] = api.ProtocolType,
            ["RouteSelectionExpression"] = api.RouteSelectionExpression,
            ["Tags"] = Map(api.Tags),
        };
        Set(output, "Description", api.Description);
        Set(output, "Version", api.Version);
        Set(output, "IpAddressType", api.IpAddressType);
        if (api.CorsConfiguration is { } cors)
            output["CorsConfiguration"] = CorsOutput(cors);
        return output;
    }

    public static JsonObject CorsOutput(CorsConfiguration cors)
    {
        var output = new JsonObject();
        if (cors.AllowCredentials is { } credentials)
            output["AllowCredentials"] = credentials;
        if (!cors.AllowHeaders.IsEmpty)
            output["AllowHeaders"] = List(cors.AllowHeaders);
        if (!cors.AllowMethods.IsEmpty)
            output["AllowMethods"] = List(cors.AllowMethods);
        if (!cors.AllowOrigins.IsEmpty)
            output["AllowOrigins"] = List(cors.AllowOrigins);
        if (!cors.ExposeHeaders.IsEmpty)
            output["ExposeHeaders"] = List(cors.ExposeHeaders);
        if (cors.MaxAge is { } maxAge)
            output["MaxAge"] = maxAge;
        return output;
    }

    public static JsonObject RouteOutput(Route route)
    {
        var output = new JsonObject
        {
            ["ApiKeyRequired"] = route.ApiKeyRequired,
            ["AuthorizationType"] = route.AuthorizationType,
            ["RouteId"] = route.RouteId,
            ["RouteKey"] = route.RouteKey,
        };
        if (route.ApiGatewayManaged)
            output["ApiGatewayManaged"] = true;
        if (!route.AuthorizationScopes.IsEmpty)
            output["AuthorizationScopes"] = List(route.AuthorizationScopes);
        Set(output, "AuthorizerId", route.AuthorizerId);
        Set(output, "OperationName", route.OperationName);
        Set(output, "Target", route.Target);
        if (!route.RequestParameters.IsEmpty)
            output["RequestParameters"] = new JsonObject(route.RequestParameters.Select(p =>
                KeyValuePair.Create<string, JsonNode?>(p.Key, new JsonObject { ["Required"] = p.Value })));
        return output;
    }

    public static JsonObject IntegrationOutput(Integration integration)
    {
        var output = new JsonObject
        {
            ["ConnectionType"] = integration.ConnectionType,
            ["IntegrationId"] = integration.IntegrationId,
            ["IntegrationType"] = integration.IntegrationType,
            ["PayloadFormatVersion"] = integration.PayloadFormatVersion,
            ["TimeoutInMillis"] = integration.TimeoutInMillis,
        };
        if (integration.ApiGatewayManaged)
            output["ApiGatewayManaged"] = true;
        Set(output, "ConnectionId", integration.ConnectionId);
        Set(output, "CredentialsArn", integration.CredentialsArn);
        Set(output, "Description", integration.Description);
        Set(output, "IntegrationMethod", integration.IntegrationMethod);
        Set(output, "IntegrationSubtype", integration.IntegrationSubtype);
        Set(output, "IntegrationUri", integration.IntegrationUri);
        if (!integration.RequestParameters.IsEmpty)
            output["RequestParameters"] = Map(integration.RequestParameters);
        if (!integration.ResponseParameters.IsEmpty)
            output["ResponseParameters"] = new JsonObject(integration.ResponseParameters.Select(p =>
                KeyValuePair.Create<string, JsonNode?>(p.Key, Map(p.Value))));
        if (integration.TlsServerNameToVerify is { } serverName)
            output["TlsConfig"] = new JsonObject { ["ServerNameToVerify"] = serverName };
        return output;
    }

    public static JsonObject AuthorizerOutput(Authorizer authorizer)
    {
        var output = new JsonObject
        {
            ["AuthorizerId"] = authorizer.AuthorizerId,
            ["AuthorizerType"] = authorizer.AuthorizerType,
            ["IdentitySource"] = List(authorizer.IdentitySource),
            ["Name"] = authorizer.Name,
        };
        Set(output, "AuthorizerCredentialsArn", authorizer.AuthorizerCredentialsArn);
        Set(output, "AuthorizerPayloadFormatVersion", authorizer.AuthorizerPayloadFormatVersion);
        if (authorizer.AuthorizerResultTtlInSeconds is { } ttl)
            output["AuthorizerResultTtlInSeconds"] = ttl;
        Set(output, "AuthorizerUri", authorizer.AuthorizerUri);
        if (authorizer.EnableSimpleResponses is { } simple)
            output["EnableSimpleResponses"] = simple;
        Set(output, "IdentityValidationExpression", authorizer.IdentityValidationExpression);
        if (authorizer.AuthorizerType == "JWT")
        {
            var jwt = new JsonObject { ["Audience"] = List(authorizer.JwtAudience) };
            Set(jwt, "Issuer", authorizer.JwtIssuer);
            output["JwtConfiguration"] = jwt;
        }
        return output;
    }

    public static JsonObject StageOutput(Stage stage)
    {
        var output = new JsonObject
        {
            ["AutoDeploy"] = stage.AutoDeploy,
            ["CreatedDate"] = JsonValue.Create(stage.CreatedDate),
            ["DefaultRouteSettings"] = RouteSettingsOutput(stage.DefaultRouteSettings),
            ["LastUpdatedDate"] = JsonValue.Create(stage.LastUpdatedDate),
            ["RouteSettings"] = new JsonObject(stage.RouteSettings.Select(p => KeyValuePair.Create<string, JsonNode?>(p.Key, RouteSettingsOutput(p.Value)))),
            ["StageName"] = stage.StageName,
            ["StageVariables"] = Map(stage.StageVariables),
            ["Tags"] = Map(stage.Tags),
        };
        if (stage.ApiGatewayManaged)
            output["ApiGatewayManaged"] = true;
        Set(output, "ClientCertificateId", stage.ClientCertificateId);
        Set(output, "DeploymentId", stage.DeploymentId);
        Set(output, "Description", stage.Description);
        Set(output, "LastDeploymentStatusMessage", stage.LastDeploymentStatusMessage);
        if (stage.AccessLogSettings is { } log)
        {
            var settings = new JsonObject();
            Set(settings, "DestinationArn", log.DestinationArn);
            Set(settings, "Format", log.Format);
            output["AccessLogSettings"] = settings;
        }
        return output;
    }

    public static JsonObject RouteSettingsOutput(RouteSettings settings)
    {
        var output = new JsonObject();
        if (settings.DataTraceEnabled is { } trace)
            output["DataTraceEnabled"] = trace;
        output["DetailedMetricsEnabled"] = settings.DetailedMetricsEnabled ?? false;
        Set(output, "LoggingLevel", settings.LoggingLevel);
        if (settings.ThrottlingBurstLimit is { } burst)
            output["ThrottlingBurstLimit"] = burst;
        if (settings.ThrottlingRateLimit is { } rate)
            output["ThrottlingRateLimit"] = rate;
        return output;
    }

    public static JsonObject DeploymentOutput(Deployment deployment)
    {
        var output = new JsonObject
        {
            ["AutoDeployed"] = deployment.AutoDeployed,
            ["CreatedDate"] = JsonValue.Create(deployment.CreatedDate),
            ["DeploymentId"] = deployment.DeploymentId,
            ["DeploymentStatus"] = deployment.DeploymentStatus,
        };
        Set(output, "Description", deployment.Description);
        return output;
    }

    // ---- input → resources ----

    public static CorsConfiguration ReadCors(JsonObject input) => new()
    {
        AllowCredentials = input.Bool("AllowCredentials"),
        AllowHeaders = [.. input.Strings("AllowHeaders")],
        AllowMethods = [.. input.Strings("AllowMethods")],
        AllowOrigins = [.. input.Strings("AllowOrigins")],
        ExposeHeaders = [.. input.Strings("ExposeHeaders")],
        MaxAge = input.Int("MaxAge"),
    };

    /// <summary>Route settings from input, laid over <paramref name="current"/> (PATCH semantics).</summary>
    public static RouteSettings ReadRouteSettings(JsonObject input, RouteSettings? current)
    {
        current ??= new RouteSettings { DetailedMetricsEnabled = false };
        return current with
        {
            DataTraceEnabled = input.Bool("DataTraceEnabled") ?? current.DataTraceEnabled,
            DetailedMetricsEnabled = input.Bool("DetailedMetricsEnabled") ?? current.DetailedMetricsEnabled,
            LoggingLevel = input.Str("LoggingLevel") ?? current.LoggingLevel,
            ThrottlingBurstLimit = input.Int("ThrottlingBurstLimit") ?? current.ThrottlingBurstLimit,
            ThrottlingRateLimit = input.Double("ThrottlingRateLimit") ?? current.ThrottlingRateLimit,
        };
    }

    public static AccessLogSettings ReadAccessLogSettings(JsonObject input) => new()
    {
        DestinationArn = input.Str("DestinationArn"),
        Format = input.Str("Format"),
    };

    public static ImmutableSortedDictionary<string, string> ReadMap(JsonObject input, string name) =>
        input.StringMap(name).ToImmutableSortedDictionary(StringComparer.Ordinal);

    private static JsonArray List(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    private static JsonObject Map(IEnumerable<KeyValuePair<string, string>> values) =>
        new(values.Select(p => KeyValuePair.Create<string, JsonNode?>(p.Key, JsonValue.Create(p.Value))));

    private static void Set(JsonObject output, string name, string? value)
    {
        if (value is not null)
            output[name] = value;
    }
}
