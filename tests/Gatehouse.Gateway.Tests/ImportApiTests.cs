using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Gatehouse.Gateway.Tests.Support;
using Gatehouse.Testing;

namespace Gatehouse.Gateway.Tests;

/// <summary>
/// OpenAPI 3 definitions imported with the real AWS CLI (<c>aws apigatewayv2 import-api --body</c>),
/// in the shape the SAM transform writes for an HTTP API (an <c>aws_proxy</c> integration with the
/// <c>apigateway:…:lambda:path</c> URI, a JWT authorizer in a security scheme), then served.
/// </summary>
public sealed class ImportApiTests : IClassFixture<GatehouseProcess>, IAsyncLifetime
{
    private const string Audience = "import-client";
    private readonly GatehouseProcess _server;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly string _work = Directory.CreateTempSubdirectory("gatehouse-import-").FullName;
    private TestWebServer _issuer = null!;
    private TestIssuer _key = null!;

    public ImportApiTests(GatehouseProcess server) => _server = server;

    public async Task InitializeAsync()
    {
        _issuer = await TestWebServer.StartAsync();
        _key = new TestIssuer(_issuer.Issuer, "import-key");
        _issuer.Keys.Add(_key);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _issuer.DisposeAsync();
    }

    private async Task<JsonNode> Aws(params string[] arguments) => (await _server.AwsAsync(arguments)).EnsureSuccess().Json;

    private string BodyFile(JsonObject body)
    {
        var path = Path.Combine(_work, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, body.ToJsonString());
        return "file://" + path;
    }

    private async Task<string> CreateFunctionAsync(string name)
    {
        var zip = Path.Combine(_work, name + ".zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(archive.CreateEntry("app.py").Open());
            await writer.WriteAsync("import json\n\ndef handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps({'path': event['rawPath'], 'sub': event['requestContext']['authorizer']['jwt']['claims']['sub']})}\n");
        }
        var arn = (await Aws("lambda", "create-function", "--function-name", name, "--runtime", "python3.13", "--handler", "app.handler",
            "--role", "arn:aws:iam::000000000000:role/r", "--zip-file", "fileb://" + zip)).Str("FunctionArn");
        (await _server.AwsAsync("lambda", "wait", "function-active-v2", "--function-name", name)).EnsureSuccess();
        return arn;
    }

    /// <summary>What the SAM transform writes for a function's HttpApi event behind a JWT authorizer (intrinsics resolved).</summary>
    private JsonObject SamShapedBody(string functionArn) => new()
    {
        ["openapi"] = "3.0.1",
        ["info"] = new JsonObject { ["title"] = "imported-stack", ["version"] = "1.0" },
        ["paths"] = new JsonObject
        {
            ["/hello"] = new JsonObject
            {
                ["get"] = new JsonObject
                {
                    ["responses"] = new JsonObject(),
                    ["security"] = new JsonArray(new JsonObject { ["OpenIdIssuer"] = new JsonArray() }),
                    ["x-amazon-apigateway-integration"] = new JsonObject
                    {
                        ["httpMethod"] = "POST",
                        ["payloadFormatVersion"] = "2.0",
                        ["type"] = "aws_proxy",
                        ["uri"] = $"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{functionArn}/invocations",
                    },
                },
            },
        },
        ["components"] = new JsonObject
        {
            ["securitySchemes"] = new JsonObject
            {
                ["OpenIdIssuer"] = new JsonObject
                {
                    ["type"] = "oauth2",
                    ["x-amazon-apigateway-authorizer"] = new JsonObject
                    {
                        ["identitySource"] = "$request.header.Authorization",
                        ["jwtConfiguration"] = new JsonObject { ["audience"] = new JsonArray(Audience), ["issuer"] = _issuer.Issuer },
                        ["type"] = "jwt",
                    },
                },
            },
        },
        ["tags"] = new JsonArray(new JsonObject { ["name"] = "httpapi:createdBy", ["x-amazon-apigateway-tag-value"] = "SAM" }),
    };

    [Fact]
    public async Task ImportApi_SamShapedBody_RoutesIntegrationAndJwtAuthorizer_ThenServesTheFunction()
    {
        var functionArn = await CreateFunctionAsync("imported-hello");

        var api = await Aws("apigatewayv2", "import-api", "--body", BodyFile(SamShapedBody(functionArn)));
        var apiId = api.Str("ApiId");
        var routes = (await Aws("apigatewayv2", "get-routes", "--api-id", apiId))["Items"]!.AsArray();
        var integrations = (await Aws("apigatewayv2", "get-integrations", "--api-id", apiId))["Items"]!.AsArray();
        var authorizers = (await Aws("apigatewayv2", "get-authorizers", "--api-id", apiId))["Items"]!.AsArray();
        await Aws("apigatewayv2", "create-stage", "--api-id", apiId, "--stage-name", "$default", "--auto-deploy");

        Assert.Equal("imported-stack", api.Str("Name"));
        Assert.Equal("SAM", api["Tags"]!["httpapi:createdBy"]!.GetValue<string>());
        var route = Assert.Single(routes)!;
        Assert.Equal("GET /hello", route.Str("RouteKey"));
        Assert.Equal("JWT", route.Str("AuthorizationType"));
        var integration = Assert.Single(integrations)!;
        Assert.Equal("AWS_PROXY", integration.Str("IntegrationType"));
        Assert.Equal("2.0", integration.Str("PayloadFormatVersion"));
        Assert.Equal("integrations/" + integration.Str("IntegrationId"), route.Str("Target"));
        var authorizer = Assert.Single(authorizers)!;
        Assert.Equal("OpenIdIssuer", authorizer.Str("Name"));
        Assert.Equal(authorizer.Str("AuthorizerId"), route.Str("AuthorizerId"));
        Assert.Equal(_issuer.Issuer, authorizer.Str("JwtConfiguration.Issuer"));

        using var anonymous = await SendAsync(apiId, "/hello", null);
        using var signed = await SendAsync(apiId, "/hello", _key.Sign(_key.AccessClaims(Audience, DateTimeOffset.UtcNow)));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        var answer = JsonNode.Parse(await signed.Content.ReadAsStringAsync())!;
        Assert.Equal("/hello", answer.Str("path"));
    }

    [Fact]
    public async Task ExportApi_ThenReimport_RoundTripsTheRoutes()
    {
        var functionArn = await CreateFunctionAsync("exported-hello");
        var apiId = (await Aws("apigatewayv2", "import-api", "--body", BodyFile(SamShapedBody(functionArn)))).Str("ApiId");
        var exported = Path.Combine(_work, "exported.json");

        (await _server.AwsAsync("apigatewayv2", "export-api", "--api-id", apiId, "--output-type", "JSON", "--specification", "OAS30", exported)).EnsureSuccess();
        var document = JsonNode.Parse(await File.ReadAllTextAsync(exported))!;
        var second = (await Aws("apigatewayv2", "import-api", "--body", "file://" + exported)).Str("ApiId");
        var routes = (await Aws("apigatewayv2", "get-routes", "--api-id", second))["Items"]!.AsArray();

        Assert.Equal("3.0.1", document.Str("openapi"));
        Assert.NotNull(document["paths"]!["/hello"]!["get"]!["x-amazon-apigateway-integration"]);
        Assert.Equal("GET /hello", Assert.Single(routes)!.Str("RouteKey"));
    }

    [Fact]
    public async Task ReimportApi_ReplacesTheRoutes()
    {
        var functionArn = await CreateFunctionAsync("reimported-hello");
        var apiId = (await Aws("apigatewayv2", "import-api", "--body", BodyFile(SamShapedBody(functionArn)))).Str("ApiId");
        var changed = SamShapedBody(functionArn);
        var paths = changed["paths"]!.AsObject();
        var hello = paths["/hello"]!.DeepClone();
        paths.Remove("/hello");
        paths["/bye"] = hello;

        await Aws("apigatewayv2", "reimport-api", "--api-id", apiId, "--body", BodyFile(changed));
        var routes = (await Aws("apigatewayv2", "get-routes", "--api-id", apiId))["Items"]!.AsArray();

        Assert.Equal("GET /bye", Assert.Single(routes)!.Str("RouteKey"));
    }

    [Fact]
    public async Task ImportApi_BadDefinitions_BadRequestAndNothingCreated()
    {
        var before = (await Aws("apigatewayv2", "get-apis"))["Items"]!.AsArray().Count;
        var notJson = Path.Combine(_work, "bad.json");
        await File.WriteAllTextAsync(notJson, "{\"openapi\": ");
        var noOpenApi = BodyFile(new JsonObject { ["paths"] = new JsonObject() });
        var badIntegration = SamShapedBody("not-an-arn");
        badIntegration["paths"]!["/hello"]!["get"]!["x-amazon-apigateway-integration"]!["type"] = "carrier_pigeon";

        var results = new[]
        {
            await _server.AwsAsync("apigatewayv2", "import-api", "--body", "file://" + notJson),
            await _server.AwsAsync("apigatewayv2", "import-api", "--body", noOpenApi),
            // An integration AWS cannot make is a warning: with --fail-on-warnings nothing is created.
            await _server.AwsAsync("apigatewayv2", "import-api", "--fail-on-warnings", "--body", BodyFile(badIntegration)),
        };

        Assert.All(results, r =>
        {
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("BadRequestException", r.StandardError, StringComparison.Ordinal);
        });
        Assert.Equal(before, (await Aws("apigatewayv2", "get-apis"))["Items"]!.AsArray().Count);
    }

    private async Task<HttpResponseMessage> SendAsync(string apiId, string path, string? bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.Endpoint, path));
        request.Headers.Host = $"{apiId}.execute-api.localhost:{_server.Port}";
        if (bearer is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return await _http.SendAsync(request);
    }
}
