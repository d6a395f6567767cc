using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Stacks.Templates;

namespace Gatehouse.Stacks.Transforms.Serverless;

/// <summary>
/// The HTTP APIs of a SAM template: each <c>AWS::Serverless::HttpApi</c>
/// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-httpapi.html)
/// and, when an HttpApi event names no ApiId, the implicit <c>ServerlessHttpApi</c>. Functions' events
/// add routes; <see cref="Build"/> writes each API as SAM does — an <c>AWS::ApiGatewayV2::Api</c> whose
/// <c>Body</c> is an OpenAPI 3 definition (paths with <c>x-amazon-apigateway-integration</c>, JWT
/// authorizers as security schemes with <c>x-amazon-apigateway-authorizer</c>, CORS as
/// <c>x-amazon-apigateway-cors</c>, tags as <c>x-amazon-apigateway-tag-value</c>) and its stage.
/// </summary>
internal sealed partial class HttpApiBuilder
{
    public const string ImplicitApiId = "ServerlessHttpApi";

    private static readonly string[] Known =
    [
        "Auth", "CorsConfiguration", "StageName", "Tags", "Name", "DefinitionBody", "DefinitionUri", "Description", "FailOnWarnings",
        "DisableExecuteApiEndpoint", "StageVariables", "AccessLogSettings", "DefaultRouteSettings", "RouteSettings", "Domain", "PropagateTags",
    ];

    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    private readonly JsonObject? _globals;
    private readonly Dictionary<string, Definition> _apis = new(StringComparer.Ordinal);

    public HttpApiBuilder(JsonObject? globals) => _globals = globals;

    /// <summary>The API a route was put on, and the part of the permission's SourceArn after the stage.</summary>
    public sealed record RouteTarget(string ApiId, string PermissionPath);

    private sealed class Definition(string logicalId, JsonObject properties, JsonObject? resource)
    {
        public string LogicalId { get; } = logicalId;
        public JsonObject Properties { get; } = properties;
        public JsonObject? Resource { get; } = resource;
        public JsonObject Paths { get; } = [];
    }

    public void Declare(string logicalId, JsonObject resource)
    {
        var properties = ServerlessTransform.Merge(_globals, resource["Properties"] as JsonObject);
        foreach (var (name, _) in properties)
        {
            if (!Known.Contains(name))
                throw Invalid(logicalId, $"property '{name}' is not a property of AWS::Serverless::HttpApi.");
        }
        foreach (var unsupported in new[] { "DefinitionUri", "Domain" })
        {
            if (properties.ContainsKey(unsupported))
                throw Invalid(logicalId, $"{unsupported} is not supported by Gatehouse yet (use DefinitionBody, or events).");
        }
        _apis[logicalId] = new Definition(logicalId, properties, resource);
    }

    /// <summary>Adds an HttpApi event's route (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-httpapi.html).</summary>
    /// <param name="invoked">The logical id of what is invoked: the function, or its alias.</param>
    public RouteTarget AddRoute(string functionId, string eventId, JsonObject properties, string invoked)
    {
        var api = properties["ApiId"] switch
        {
            null => Implicit(),
            JsonObject { Count: 1 } r when r["Ref"] is JsonValue name && name.GetValueKind() == JsonValueKind.String
                && _apis.GetValueOrDefault(name.GetValue<string>()) is { } found => found,
            _ => throw new TemplateException($"Resource {functionId}: event {eventId}'s ApiId must be a Ref to an AWS::Serverless::HttpApi in this template."),
        };
        var path = (properties["Path"] as JsonValue)?.GetValue<string>();
        var method = (properties["Method"] as JsonValue)?.GetValue<string>()?.ToLowerInvariant();
        var isDefault = path is null && method is null || path == "$default";
        if (isDefault)
        {
            path = "/$default";
            method = "any";
        }
        else if (path is null || method is null)
        {
            throw new TemplateException($"Resource {functionId}: event {eventId} needs both Path and Method (or neither, for the $default route).");
        }
        if (method != "any" && !Methods.Contains(method))
            throw new TemplateException($"Resource {functionId}: event {eventId}'s Method '{method}' is not an HTTP method.");
        var operationKey = method == "any" ? "x-amazon-apigateway-any-method" : method;

        var integration = new JsonObject
        {
            ["httpMethod"] = "POST",
            ["payloadFormatVersion"] = properties["PayloadFormatVersion"]?.DeepClone() ?? "2.0",
            ["type"] = "aws_proxy",
            ["uri"] = new JsonObject
            {
                ["Fn::Sub"] = $"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{(invoked == functionId ? functionId + ".Arn" : invoked)}}}/invocations",
            },
        };
        if (properties["TimeoutInMillis"] is { } timeout)
            integration["timeoutInMillis"] = timeout.DeepClone();
        var operation = new JsonObject();
        if (isDefault)
            operation["isDefaultRoute"] = true;
        var parameters = PathParameters(path!);
        if (parameters.Count > 0)
            operation["parameters"] = parameters;
        operation["responses"] = new JsonObject();
        if (Security(api, functionId, eventId, properties["Auth"] as JsonObject) is { } security)
            operation["security"] = security;
        operation["x-amazon-apigateway-integration"] = integration;

        var pathItem = api.Paths[path!] as JsonObject;
        if (pathItem is null)
            api.Paths[path!] = pathItem = [];
        if (pathItem.ContainsKey(operationKey))
            throw new TemplateException($"Resource {functionId}: event {eventId} repeats the route {method!.ToUpperInvariant()} {path} of API {api.LogicalId}.");
        pathItem[operationKey] = operation;

        var permissionMethod = method == "any" ? "*" : method!.ToUpperInvariant();
        var permissionPath = isDefault ? "/*" : "/" + permissionMethod + PathParameter().Replace(path!, "*");
        return new RouteTarget(api.LogicalId, permissionPath);
    }

    public IEnumerable<(string LogicalId, JsonObject Resource)> Build()
    {
        foreach (var api in _apis.Values)
        {
            var p = api.Properties;
            var body = p["DefinitionBody"]?.DeepClone() as JsonObject ?? new JsonObject
            {
                ["info"] = new JsonObject { ["title"] = p["Name"]?.DeepClone() ?? new JsonObject { ["Ref"] = "AWS::StackName" }, ["version"] = "1.0" },
                ["openapi"] = "3.0.1",
            };
            if (p["Description"] is { } description && body["info"] is JsonObject info)
                info["description"] = description.DeepClone();
            var paths = body["paths"] as JsonObject;
            if (paths is null)
                body["paths"] = paths = [];
            foreach (var (path, item) in api.Paths)
            {
                if (paths[path] is JsonObject existing)
                {
                    foreach (var (method, operation) in (JsonObject)item!)
                        existing[method] = operation?.DeepClone();
                }
                else
                {
                    paths[path] = item?.DeepClone();
                }
            }
            if (SecuritySchemes(api) is { Count: > 0 } schemes)
            {
                var components = body["components"] as JsonObject;
                if (components is null)
                    body["components"] = components = [];
                var existingSchemes = components["securitySchemes"] as JsonObject;
                if (existingSchemes is null)
                    components["securitySchemes"] = existingSchemes = [];
                foreach (var (name, scheme) in schemes)
                    existingSchemes[name] = scheme?.DeepClone();
            }
            var userTags = p["Tags"] as JsonObject ?? [];
            var bodyTags = body["tags"] as JsonArray ?? [];
            foreach (var (key, value) in userTags)
                bodyTags.Add(new JsonObject { ["name"] = key, ["x-amazon-apigateway-tag-value"] = value?.DeepClone() });
            bodyTags.Add(new JsonObject { ["name"] = "httpapi:createdBy", ["x-amazon-apigateway-tag-value"] = "SAM" });
            body["tags"] = bodyTags;
            if (Cors(p["CorsConfiguration"]) is { } cors)
                body["x-amazon-apigateway-cors"] = cors;

            var apiProperties = new JsonObject { ["Body"] = body };
            foreach (var name in new[] { "FailOnWarnings", "DisableExecuteApiEndpoint" })
            {
                if (p[name] is { } value)
                    apiProperties[name] = value.DeepClone();
            }
            var apiResource = new JsonObject { ["Type"] = "AWS::ApiGatewayV2::Api", ["Properties"] = apiProperties };
            CopyAttributes(api, apiResource);
            yield return (api.LogicalId, apiResource);

            var stageName = (p["StageName"] as JsonValue)?.GetValue<string>() ?? "$default";
            var stageTags = new JsonObject { ["httpapi:createdBy"] = "SAM" };
            foreach (var (key, value) in userTags)
                stageTags[key] = value?.DeepClone();
            var stage = new JsonObject
            {
                ["ApiId"] = new JsonObject { ["Ref"] = api.LogicalId },
                ["AutoDeploy"] = true,
                ["StageName"] = stageName,
                ["Tags"] = stageTags,
            };
            foreach (var name in new[] { "StageVariables", "AccessLogSettings", "DefaultRouteSettings", "RouteSettings" })
            {
                if (p[name] is { } value)
                    stage[name] = value.DeepClone();
            }
            var stageId = stageName == "$default" ? api.LogicalId + "ApiGatewayDefaultStage" : api.LogicalId + NonAlphanumeric().Replace(stageName, "") + "Stage";
            var stageResource = new JsonObject { ["Type"] = "AWS::ApiGatewayV2::Stage", ["Properties"] = stage };
            if (api.Resource?["Condition"] is { } condition)
                stageResource["Condition"] = condition.DeepClone();
            yield return (stageId, stageResource);
        }
    }

    private Definition Implicit()
    {
        if (!_apis.TryGetValue(ImplicitApiId, out var api))
            _apis[ImplicitApiId] = api = new Definition(ImplicitApiId, ServerlessTransform.Merge(_globals, null), null);
        return api;
    }

    /// <summary>A route's security requirement: the event's authorizer, else the API's default; NONE for none.</summary>
    private static JsonArray? Security(Definition api, string functionId, string eventId, JsonObject? auth)
    {
        var apiAuth = api.Properties["Auth"] as JsonObject;
        var name = (auth?["Authorizer"] as JsonValue)?.GetValue<string>() ?? (apiAuth?["DefaultAuthorizer"] as JsonValue)?.GetValue<string>();
        if (name is null || name == "NONE")
            return null;
        if (apiAuth?["Authorizers"] is not JsonObject authorizers || !authorizers.ContainsKey(name))
            throw new TemplateException($"Resource {functionId}: event {eventId} names the authorizer '{name}', which API {api.LogicalId} does not define.");
        var scopes = auth?["AuthorizationScopes"]?.DeepClone() as JsonArray ?? [];
        return new JsonArray(new JsonObject { [name] = scopes });
    }

    private static JsonObject? SecuritySchemes(Definition api)
    {
        if ((api.Properties["Auth"] as JsonObject)?["Authorizers"] is not JsonObject authorizers)
            return null;
        var schemes = new JsonObject();
        foreach (var (name, node) in authorizers)
        {
            if (node is not JsonObject authorizer)
                continue;
            if (authorizer["JwtConfiguration"] is not JsonObject jwt)
                throw Invalid(api.LogicalId, $"authorizer {name}: only JWT authorizers (JwtConfiguration) are supported by Gatehouse's SAM transform so far.");
            var configuration = new JsonObject();
            foreach (var (key, value) in jwt)
                configuration[char.ToLowerInvariant(key[0]) + key[1..]] = value?.DeepClone();
            schemes[name] = new JsonObject
            {
                ["type"] = "oauth2",
                ["x-amazon-apigateway-authorizer"] = new JsonObject
                {
                    ["identitySource"] = authorizer["IdentitySource"]?.DeepClone() ?? "$request.header.Authorization",
                    ["jwtConfiguration"] = configuration,
                    ["type"] = "jwt",
                },
            };
        }
        return schemes;
    }

    /// <summary>
    /// <c>CorsConfiguration</c>: <c>true</c> allows every origin; an object's members are written in
    /// the extension's lower-camel names.
    /// </summary>
    private static JsonObject? Cors(JsonNode? configuration) => configuration switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.True => new JsonObject { ["allowOrigins"] = new JsonArray("*") },
        JsonValue value when value.GetValueKind() == JsonValueKind.False => null,
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(char.ToLowerInvariant(p.Key[0]) + p.Key[1..], p.Value?.DeepClone()))),
        _ => throw new TemplateException("CorsConfiguration must be true or an object."),
    };

    private static JsonArray PathParameters(string path)
    {
        var parameters = new JsonArray();
        foreach (Match match in PathParameter().Matches(path))
            parameters.Add(new JsonObject { ["in"] = "path", ["name"] = match.Groups[1].Value, ["required"] = true });
        return parameters;
    }

    private static void CopyAttributes(Definition api, JsonObject made)
    {
        foreach (var attribute in new[] { "Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy" })
        {
            if (api.Resource?[attribute] is { } value)
                made[attribute] = value.DeepClone();
        }
    }

    private static TemplateException Invalid(string logicalId, string message) => new($"Resource {logicalId} (AWS::Serverless::HttpApi): {message}");

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex PathParameter();

    [GeneratedRegex("[^A-Za-z0-9]")]
    private static partial Regex NonAlphanumeric();
}
