using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Gatehouse.Protocol;
using static Gatehouse.Gateway.Operations.ApiChanges;
using Ops = Gatehouse.Protocol.Generated.ApiGatewayV2.Operations;

namespace Gatehouse.Gateway.Operations;

/// <summary>
/// An HTTP API from an OpenAPI 3 definition and back: ImportApi, ReimportApi, ExportApi
/// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-open-api.html and the
/// extensions in https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-swagger-extensions.html).
/// The body is read as JSON only: no YAML reader is a dependency of Gatehouse yet, so a YAML body is
/// refused with a BadRequest naming that. Paths and methods become routes
/// (<c>x-amazon-apigateway-any-method</c> is ANY, the path <c>/$default</c> the <c>$default</c> route),
/// <c>x-amazon-apigateway-integration</c> an integration, <c>x-amazon-apigateway-authorizer</c> in a
/// security scheme an authorizer that a route's <c>security</c> requirement names (with its scopes),
/// <c>x-amazon-apigateway-cors</c> the API's CORS configuration. Every resource is checked by the same
/// rules CreateRoute, CreateIntegration and CreateAuthorizer apply.
/// </summary>
internal sealed class ImportOperations : IAwsOperations
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    private const string AnyMethod = "x-amazon-apigateway-any-method";
    private const string IntegrationExtension = "x-amazon-apigateway-integration";
    private const string AuthorizerExtension = "x-amazon-apigateway-authorizer";
    private const string CorsExtension = "x-amazon-apigateway-cors";
    private const string TagValueExtension = "x-amazon-apigateway-tag-value";

    private readonly ApiChanges _apis;
    private readonly GatehouseOptions _options;

    public ImportOperations(ApiChanges apis, GatehouseOptions options)
    {
        _apis = apis;
        _options = options;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.ImportApi, ImportApiAsync)
        .Map(Ops.ReimportApi, ReimportApiAsync)
        .Map(Ops.ExportApi, ExportApiAsync);

    private ValueTask<AwsResponse> ImportApiAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var definition = Parse(input.Req("Body"));
        var imported = Import(definition, input.Str("Basepath"), input.Bool("FailOnWarnings") ?? false);
        var api = new Api
        {
            ApiId = AwsIds.NewApiGatewayId(10),
            Account = request.Context.Account,
            Region = request.Context.Region,
            Name = imported.Name,
            Description = imported.Description,
            Version = imported.Version,
            CorsConfiguration = imported.Cors,
            Tags = imported.Tags,
            IpAddressType = "ipv4",
            CreatedDate = _apis.Now,
        };
        var state = imported.ApplyTo(new ApiState { Api = api });
        return Respond(_apis.State.UpdateAsync(api.ApiId, _ => (state, Output(api, imported.Warnings)), cancellationToken));
    }

    private ValueTask<AwsResponse> ReimportApiAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var definition = Parse(input.Req("Body"));
        var imported = Import(definition, input.Str("Basepath"), input.Bool("FailOnWarnings") ?? false);
        return Respond(_apis.ChangeAsync(request, state =>
        {
            // A reimport overwrites the routes, integrations and authorizers; stages stay.
            var api = state.Api with
            {
                Name = imported.Name,
                Description = imported.Description ?? state.Api.Description,
                Version = imported.Version ?? state.Api.Version,
                CorsConfiguration = imported.Cors,
                Tags = state.Api.Tags.SetItems(imported.Tags),
            };
            var after = imported.ApplyTo(state with
            {
                Api = api,
                Routes = ImmutableSortedDictionary<string, Route>.Empty,
                Integrations = ImmutableSortedDictionary<string, Integration>.Empty,
                Authorizers = ImmutableSortedDictionary<string, Authorizer>.Empty,
            });
            return (_apis.AutoDeploy(after), Output(api, imported.Warnings));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> ExportApiAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var state = _apis.Find(request, input.Req("ApiId"));
        var specification = input.Req("Specification");
        if (specification != "OAS30")
            throw GatewayErrors.ExportUnsupported("specification " + specification);
        var outputType = input.Req("OutputType");
        if (outputType != "JSON")
            throw GatewayErrors.ExportUnsupported("output type " + outputType);
        var configuration = state.CurrentConfiguration();
        if (input.Str("StageName") is { } stageName)
        {
            var stage = state.Stages.GetValueOrDefault(stageName) ?? throw GatewayErrors.StageNotFound(stageName);
            if (stage.DeploymentId is { } deploymentId && state.Deployments.GetValueOrDefault(deploymentId) is { } deployment)
                configuration = deployment.Configuration;
        }
        var document = Export(state.Api, configuration, input.Bool("IncludeExtensions") ?? true);
        var bytes = Encoding.UTF8.GetBytes(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return ValueTask.FromResult(new AwsResponse(new JsonObject()) { Payload = bytes });
    }

    private JsonObject Output(Api api, IReadOnlyList<string> warnings)
    {
        var output = Shapes.ApiOutput(api, GatewayEndpoints.ApiEndpoint(_options, api.ApiId));
        if (warnings.Count > 0)
            output["Warnings"] = new JsonArray([.. warnings.Select(w => (JsonNode?)JsonValue.Create(w))]);
        return output;
    }

    private static JsonObject Parse(string body)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            throw GatewayErrors.InvalidOpenApi("The body is not a JSON document (Gatehouse reads OpenAPI definitions as JSON, not YAML).");
        }
        if (node is not JsonObject definition)
            throw GatewayErrors.InvalidOpenApi("The body must be a JSON object.");
        if (definition.Str("openapi") is not { } version || !version.StartsWith("3.", StringComparison.Ordinal))
            throw GatewayErrors.InvalidOpenApi("Only OpenAPI 3.x definitions (an 'openapi' field of 3.x) are imported for HTTP APIs.");
        return definition;
    }

    /// <summary>What a definition describes, resolved into resources before any state changes.</summary>
    private sealed record Imported(string Name, string? Description, string? Version, CorsConfiguration? Cors, ImmutableSortedDictionary<string, string> Tags,
        IReadOnlyList<Authorizer> Authorizers, IReadOnlyList<Integration> Integrations, IReadOnlyList<JsonObject> RouteInputs, IReadOnlyList<string> Warnings)
    {
        public ApiState ApplyTo(ApiState state)
        {
            state = state with
            {
                Authorizers = state.Authorizers.SetItems(Authorizers.Select(a => KeyValuePair.Create(a.AuthorizerId, a))),
                Integrations = state.Integrations.SetItems(Integrations.Select(i => KeyValuePair.Create(i.IntegrationId, i))),
            };
            foreach (var input in RouteInputs)
            {
                var route = RouteOperations.ReadRoute(state, input, new Route { RouteId = AwsIds.NewApiGatewayId(7), RouteKey = input.Req("RouteKey") });
                state = state with { Routes = state.Routes.Add(route.RouteId, route) };
            }
            return state;
        }
    }

    private static Imported Import(JsonObject definition, string? basepathMode, bool failOnWarnings)
    {
        var warnings = new List<string>();
        var info = definition.Obj("info") ?? throw GatewayErrors.InvalidOpenApi("The definition has no 'info' object.");
        var name = info.Str("title");
        if (string.IsNullOrEmpty(name))
            throw GatewayErrors.InvalidOpenApi("The definition has no 'info.title' (the API's name).");
        var prefix = BasePath(definition, basepathMode ?? "ignore");

        // Authorizers: security schemes carrying x-amazon-apigateway-authorizer, by scheme name.
        var authorizers = new Dictionary<string, Authorizer>(StringComparer.Ordinal);
        foreach (var (schemeName, schemeNode) in definition.Obj("components")?.Obj("securitySchemes") ?? [])
        {
            if ((schemeNode as JsonObject)?.Obj(AuthorizerExtension) is not { } extension)
            {
                warnings.Add($"Unsupported security scheme {schemeName}: no {AuthorizerExtension}; ignored.");
                continue;
            }
            authorizers[schemeName] = ReadAuthorizer(schemeName, extension);
        }

        var cors = definition.Obj(CorsExtension) is { } corsExtension ? Shapes.ReadCors(Capitalized(corsExtension)) : null;
        var rootSecurity = definition.Arr("security");
        var integrations = new List<Integration>();
        var routes = new List<JsonObject>();
        foreach (var (path, pathNode) in definition.Obj("paths") ?? [])
        {
            if (pathNode is not JsonObject pathItem)
                continue;
            foreach (var (method, operationNode) in pathItem)
            {
                var verb = method == AnyMethod ? "ANY" : Methods.Contains(method, StringComparer.OrdinalIgnoreCase) ? method.ToUpperInvariant() : null;
                if (verb is null || operationNode is not JsonObject operation)
                    continue;
                var routeKey = path is "/$default" or "$default" ? RouteKey.Default : $"{verb} {prefix}{path}";
                var route = new JsonObject { ["RouteKey"] = routeKey };
                if (operation.Str("operationId") is { } operationId)
                    route["OperationName"] = operationId;
                var integrationExtension = operation.Obj(IntegrationExtension) ?? pathItem.Obj(IntegrationExtension);
                if (integrationExtension is not null)
                {
                    if (ReadIntegration(routeKey, integrationExtension, warnings) is { } integration)
                    {
                        integrations.Add(integration);
                        route["Target"] = "integrations/" + integration.IntegrationId;
                    }
                }
                ReadSecurity(route, operation.Arr("security") ?? rootSecurity, authorizers, warnings);
                routes.Add(route);
            }
        }
        if (failOnWarnings && warnings.Count > 0)
            throw GatewayErrors.ImportWarnings(warnings);
        return new Imported(name, info.Str("description"), info.Str("version"), cors, Tags(definition), [.. authorizers.Values], integrations, routes, warnings);
    }

    /// <summary>
    /// AWS tags from the root-level tag objects that carry <c>x-amazon-apigateway-tag-value</c>
    /// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-swagger-extensions-x-amazon-apigateway-tag-value.html);
    /// plain OpenAPI tags without it are documentation, not AWS tags.
    /// </summary>
    private static ImmutableSortedDictionary<string, string> Tags(JsonObject definition)
    {
        var tags = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var node in definition.Arr("tags") ?? [])
        {
            if (node is JsonObject tag && tag.Str("name") is { Length: > 0 } name && tag.Str(TagValueExtension) is { } value)
                tags[name] = value;
        }
        return tags.ToImmutable();
    }

    /// <summary>
    /// The prefix the basepath mode puts before every path: <c>ignore</c> none, <c>prepend</c> the
    /// server's base path, <c>split</c> the base path without its first segment.
    /// </summary>
    private static string BasePath(JsonObject definition, string mode)
    {
        if (mode is not ("ignore" or "prepend" or "split"))
            throw GatewayErrors.InvalidBasepath(mode);
        if (mode == "ignore")
            return "";
        var server = definition.Arr("servers")?.FirstOrDefault() as JsonObject;
        var basePath = server?.Obj("variables")?.Obj("basePath")?.Str("default");
        if (basePath is null && server?.Str("url") is { } url)
            basePath = Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : url;
        basePath = "/" + (basePath ?? "").Trim('/');
        if (mode == "split")
        {
            var segments = basePath.Trim('/').Split('/', 2);
            basePath = segments.Length == 2 ? "/" + segments[1] : "";
        }
        return basePath == "/" ? "" : basePath;
    }

    private static Authorizer ReadAuthorizer(string name, JsonObject extension)
    {
        var type = extension.Str("type")?.ToLowerInvariant();
        var input = new JsonObject();
        if (extension["identitySource"] is JsonValue source && source.GetValueKind() == JsonValueKind.String)
            input["IdentitySource"] = new JsonArray([.. source.GetValue<string>().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => (JsonNode?)s)]);
        else if (extension["identitySource"] is JsonArray sources)
            input["IdentitySource"] = sources.DeepClone();
        if (extension.Obj("jwtConfiguration") is { } jwt)
            input["JwtConfiguration"] = Capitalized(jwt);
        foreach (var member in new[] { "authorizerUri", "authorizerPayloadFormatVersion", "authorizerResultTtlInSeconds", "enableSimpleResponses", "authorizerCredentialsArn" })
        {
            if (extension[member] is { } value)
                input[char.ToUpperInvariant(member[0]) + member[1..]] = value.DeepClone();
        }
        var authorizerType = type switch
        {
            "jwt" => "JWT",
            "request" => "REQUEST",
            _ => throw GatewayErrors.InvalidOpenApi($"Authorizer {name} has an unsupported type '{type}': expected jwt or request."),
        };
        return AuthorizerOperations.ReadAuthorizer(input, new Authorizer { AuthorizerId = AwsIds.NewApiGatewayId(6), Name = name, AuthorizerType = authorizerType });
    }

    private static Integration? ReadIntegration(string routeKey, JsonObject extension, List<string> warnings)
    {
        var type = extension.Str("type")?.ToUpperInvariant();
        if (type is not ("AWS_PROXY" or "HTTP_PROXY"))
        {
            warnings.Add($"Unsupported integration type '{extension.Str("type")}' for route {routeKey}; the route has no integration.");
            return null;
        }
        var input = new JsonObject();
        if (extension.Str("uri") is { } uri)
            input["IntegrationUri"] = uri;
        if (extension.Str("httpMethod") is { } method)
            input["IntegrationMethod"] = method;
        if (extension.Str("credentials") is { } credentials)
            input["CredentialsArn"] = credentials;
        foreach (var member in new[] { "connectionType", "connectionId", "timeoutInMillis", "description", "requestParameters", "responseParameters" })
        {
            if (extension[member] is { } value)
                input[char.ToUpperInvariant(member[0]) + member[1..]] = value.DeepClone();
        }
        if (extension.Obj("tlsConfig")?.Str("serverNameToVerify") is { } serverName)
            input["TlsConfig"] = new JsonObject { ["ServerNameToVerify"] = serverName };
        var payloadFormat = extension["payloadFormatVersion"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>().ToString("0.0", CultureInfo.InvariantCulture),
            _ => type == "AWS_PROXY" ? "2.0" : "1.0",
        };
        return IntegrationOperations.ReadIntegration(input, new Integration
        {
            IntegrationId = AwsIds.NewApiGatewayId(7),
            IntegrationType = type,
            PayloadFormatVersion = payloadFormat,
        });
    }

    /// <summary>A route's security requirement: the first scheme that names an imported authorizer, with its scopes.</summary>
    private static void ReadSecurity(JsonObject route, JsonArray? security, Dictionary<string, Authorizer> authorizers, List<string> warnings)
    {
        foreach (var requirement in security?.OfType<JsonObject>() ?? [])
        {
            foreach (var (schemeName, scopes) in requirement)
            {
                if (!authorizers.TryGetValue(schemeName, out var authorizer))
                {
                    warnings.Add($"Security requirement {schemeName} of route {route.Str("RouteKey")} names no authorizer; ignored.");
                    continue;
                }
                route["AuthorizationType"] = authorizer.AuthorizerType == "JWT" ? "JWT" : "CUSTOM";
                route["AuthorizerId"] = authorizer.AuthorizerId;
                if (authorizer.AuthorizerType == "JWT" && scopes is JsonArray list && list.Count > 0)
                    route["AuthorizationScopes"] = list.DeepClone();
                return;
            }
        }
    }

    /// <summary>An extension object's members with the model's capitalized names (allowOrigins → AllowOrigins).</summary>
    private static JsonObject Capitalized(JsonObject extension) =>
        new(extension.Select(p => KeyValuePair.Create(char.ToUpperInvariant(p.Key[0]) + p.Key[1..], p.Value?.DeepClone())));

    private static JsonObject Uncapitalized(JsonObject output) =>
        new(output.Select(p => KeyValuePair.Create(char.ToLowerInvariant(p.Key[0]) + p.Key[1..], p.Value?.DeepClone())));

    /// <summary>The OpenAPI 3.0 definition of an API's routes, integrations and authorizers, as ExportApi writes it.</summary>
    internal static JsonObject Export(Api api, DeployedConfiguration configuration, bool includeExtensions)
    {
        var info = new JsonObject { ["title"] = api.Name, ["version"] = api.Version ?? api.CreatedDate.ToString("yyyy-MM-dd HH:mm:ss'UTC'", CultureInfo.InvariantCulture) };
        if (api.Description is not null)
            info["description"] = api.Description;
        var integrations = configuration.Integrations.ToDictionary(i => i.IntegrationId, StringComparer.Ordinal);
        var authorizers = configuration.Authorizers.ToDictionary(a => a.AuthorizerId, StringComparer.Ordinal);
        var paths = new JsonObject();
        foreach (var route in configuration.Routes.OrderBy(r => r.RouteKey, StringComparer.Ordinal))
        {
            string path, method;
            if (route.RouteKey == RouteKey.Default)
                (path, method) = ("/$default", AnyMethod);
            else
            {
                var space = route.RouteKey.IndexOf(' ', StringComparison.Ordinal);
                var verb = route.RouteKey[..space];
                path = route.RouteKey[(space + 1)..];
                method = verb == "ANY" ? AnyMethod : verb.ToLowerInvariant();
            }
            if (paths[path] is not JsonObject pathItem)
                paths[path] = pathItem = new JsonObject();
            var operation = new JsonObject();
            if (route.OperationName is not null)
                operation["operationId"] = route.OperationName;
            operation["responses"] = new JsonObject { ["default"] = new JsonObject { ["description"] = $"Default response for {route.RouteKey}" } };
            if (route.AuthorizerId is { } authorizerId && authorizers.TryGetValue(authorizerId, out var authorizer))
                operation["security"] = new JsonArray(new JsonObject { [authorizer.Name] = new JsonArray([.. route.AuthorizationScopes.Select(s => (JsonNode?)s)]) });
            if (includeExtensions && route.Target is { } target && integrations.TryGetValue(target["integrations/".Length..], out var integration))
            {
                var extension = new JsonObject
                {
                    ["payloadFormatVersion"] = integration.PayloadFormatVersion,
                    ["type"] = integration.IntegrationType.ToLowerInvariant(),
                    ["httpMethod"] = integration.IntegrationMethod,
                    ["uri"] = integration.IntegrationUri,
                    ["connectionType"] = integration.ConnectionType,
                    ["timeoutInMillis"] = integration.TimeoutInMillis,
                };
                if (integration.CredentialsArn is not null)
                    extension["credentials"] = integration.CredentialsArn;
                operation[IntegrationExtension] = extension;
            }
            pathItem[method] = operation;
        }
        var document = new JsonObject { ["openapi"] = "3.0.1", ["info"] = info, ["paths"] = paths };
        if (authorizers.Count > 0)
        {
            var schemes = new JsonObject();
            foreach (var authorizer in authorizers.Values.OrderBy(a => a.Name, StringComparer.Ordinal))
            {
                var scheme = authorizer.AuthorizerType == "JWT"
                    ? new JsonObject { ["type"] = "oauth2", ["flows"] = new JsonObject() }
                    : new JsonObject { ["type"] = "apiKey", ["name"] = "Unused", ["in"] = "header" };
                if (includeExtensions)
                {
                    var extension = new JsonObject
                    {
                        ["identitySource"] = string.Join(", ", authorizer.IdentitySource),
                        ["type"] = authorizer.AuthorizerType.ToLowerInvariant(),
                    };
                    if (authorizer.AuthorizerType == "JWT")
                    {
                        extension["jwtConfiguration"] = new JsonObject
                        {
                            ["audience"] = new JsonArray([.. authorizer.JwtAudience.Select(a => (JsonNode?)a)]),
                            ["issuer"] = authorizer.JwtIssuer,
                        };
                    }
                    else
                    {
                        extension["authorizerUri"] = authorizer.AuthorizerUri;
                        extension["authorizerPayloadFormatVersion"] = authorizer.AuthorizerPayloadFormatVersion;
                        extension["authorizerResultTtlInSeconds"] = authorizer.AuthorizerResultTtlInSeconds;
                        extension["enableSimpleResponses"] = authorizer.EnableSimpleResponses;
                    }
                    scheme[AuthorizerExtension] = extension;
                }
                schemes[authorizer.Name] = scheme;
            }
            document["components"] = new JsonObject { ["securitySchemes"] = schemes };
        }
        if (includeExtensions && api.CorsConfiguration is { } cors)
            document[CorsExtension] = Uncapitalized(Shapes.CorsOutput(cors));
        return document;
    }
}
