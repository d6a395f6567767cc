using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Gatehouse.Gateway.Tests.Support;
using Gatehouse.Testing;

namespace Gatehouse.Gateway.Tests;

/// <summary>
/// A started Gatehouse, configured with the real AWS CLI v2, answering real HTTP: an HTTP API with
/// a JWT authorizer whose issuer is a separate OIDC server (this test's Kestrel) and an HTTP_PROXY
/// integration to this test's backend.
/// </summary>
public sealed class EndToEndTests : IClassFixture<GatehouseProcess>, IAsyncLifetime
{
    private const string Audience = "e2e-client";

    private readonly GatehouseProcess _server;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private TestWebServer _far = null!;
    private TestIssuer _key = null!;

    public EndToEndTests(GatehouseProcess server) => _server = server;

    public async Task InitializeAsync()
    {
        _far = await TestWebServer.StartAsync();
        _key = new TestIssuer(_far.Issuer, "e2e-key");
        _far.Keys.Add(_key);
    }

    private async Task<JsonNode> Aws(params string[] arguments) => (await _server.AwsAsync(["apigatewayv2", .. arguments])).EnsureSuccess().Json;

    private async Task<CliResult> AwsFailing(params string[] arguments) => await _server.AwsAsync(["apigatewayv2", .. arguments]);

    /// <summary>Sends a request to the API by Host header, as curl to http://{apiId}.execute-api.localhost:{port} does.</summary>
    private async Task<HttpResponseMessage> Send(string apiId, HttpMethod method, string path, string? bearer = null, HttpContent? content = null, params (string, string)[] headers)
    {
        var request = new HttpRequestMessage(method, new Uri(_server.Endpoint, path)) { Content = content };
        request.Headers.Host = $"{apiId}.execute-api.localhost:{_server.Port}";
        if (bearer is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return await _http.SendAsync(request);
    }

    private string Token(string audience = Audience) => _key.Sign(_key.AccessClaims(audience, DateTimeOffset.UtcNow));

    /// <summary>create-api, create-authorizer, create-integration, create-route, create-stage — the seed's steps with HTTP_PROXY.</summary>
    private async Task<(string ApiId, string IntegrationId)> CreateProtectedApi(string routeKey = "ANY /items/{proxy+}", string integrationUri = "/backend/{proxy}")
    {
        var api = await Aws("create-api", "--name", "e2e", "--protocol-type", "HTTP");
        var apiId = api.Str("ApiId");
        Assert.Equal($"http://{apiId}.execute-api.localhost:{_server.Port}", api.Str("ApiEndpoint"));
        var authorizer = await Aws("create-authorizer", "--api-id", apiId, "--name", "oidc", "--authorizer-type", "JWT",
            "--identity-source", "$request.header.Authorization",
            "--jwt-configuration", $"Issuer={_far.Issuer},Audience={Audience}");
        var integration = await Aws("create-integration", "--api-id", apiId, "--integration-type", "HTTP_PROXY",
            "--integration-method", "ANY", "--integration-uri", _far.Issuer + integrationUri, "--payload-format-version", "1.0");
        await Aws("create-route", "--api-id", apiId, "--route-key", routeKey, "--authorization-type", "JWT",
            "--authorizer-id", authorizer.Str("AuthorizerId"), "--target", "integrations/" + integration.Str("IntegrationId"));
        var stage = await Aws("create-stage", "--api-id", apiId, "--stage-name", "$default", "--auto-deploy");
        Assert.True(stage["AutoDeploy"]!.GetValue<bool>());
        return (apiId, integration.Str("IntegrationId"));
    }

    [Fact]
    public async Task HttpApi_JwtAndHttpProxy_ForwardsAuthenticatedRequests()
    {
        var (apiId, _) = await CreateProtectedApi();

        using var ok = await Send(apiId, HttpMethod.Post, "/items/a/b?x=1&y=2", Token(), new StringContent("hello body"), ("X-Test", "forwarded"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.True(ok.Headers.Contains("apigw-requestid"));
        Assert.Equal("yes", ok.Headers.GetValues("X-Backend").Single());
        var echo = JsonNode.Parse(await ok.Content.ReadAsStringAsync())!;
        Assert.Equal("POST", echo.Str("method"));
        Assert.Equal("/backend/a/b", echo.Str("path"));
        Assert.Equal("?x=1&y=2", echo.Str("query"));
        Assert.Equal("forwarded", echo.Str("test"));
        Assert.Equal("hello body", echo.Str("body"));

        using var missing = await Send(apiId, HttpMethod.Get, "/items/a");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("""{"message":"Unauthorized"}""", await missing.Content.ReadAsStringAsync());
        Assert.True(missing.Headers.Contains("apigw-requestid"));

        using var wrongAudience = await Send(apiId, HttpMethod.Get, "/items/a", Token("someone-else"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAudience.StatusCode);
        Assert.Contains("the token does not have a valid audience", wrongAudience.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var notFound = await Send(apiId, HttpMethod.Get, "/elsewhere", Token());
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("""{"message":"Not Found"}""", await notFound.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HttpApi_PathStyleAddress_ReachesTheApi()
    {
        var (apiId, _) = await CreateProtectedApi();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.Endpoint, $"/_aws/execute-api/{apiId}/items/z"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/backend/z", JsonNode.Parse(await response.Content.ReadAsStringAsync())!.Str("path"));
    }

    [Fact]
    public async Task HttpApi_ConfigurationChange_TakesEffectImmediatelyOnAutoDeployStage()
    {
        var (apiId, integrationId) = await CreateProtectedApi();
        using var before = await Send(apiId, HttpMethod.Get, "/open");
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);

        await Aws("create-route", "--api-id", apiId, "--route-key", "GET /open/{proxy+}", "--target", "integrations/" + integrationId);
        using var after = await Send(apiId, HttpMethod.Get, "/open/thing");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);

        var routes = await Aws("get-routes", "--api-id", apiId);
        Assert.Equal(2, routes["Items"]!.AsArray().Count);
    }

    [Fact]
    public async Task HttpApi_NamedStageWithoutAutoDeploy_ServesOnlyDeployedConfiguration()
    {
        var (apiId, integrationId) = await CreateProtectedApi();
        await Aws("create-stage", "--api-id", apiId, "--stage-name", "dev");
        using var undeployed = await Send(apiId, HttpMethod.Get, "/dev/items/a", Token());
        // "dev" is not deployed, so the path falls to the $default stage, which has no /dev route.
        Assert.Equal(HttpStatusCode.NotFound, undeployed.StatusCode);

        var deployment = await Aws("create-deployment", "--api-id", apiId, "--stage-name", "dev");
        Assert.Equal("DEPLOYED", deployment.Str("DeploymentStatus"));
        using var deployed = await Send(apiId, HttpMethod.Get, "/dev/items/a", Token());
        Assert.Equal(HttpStatusCode.OK, deployed.StatusCode);

        // A later change does not reach "dev" until the next deployment.
        await Aws("create-route", "--api-id", apiId, "--route-key", "GET /later", "--target", "integrations/" + integrationId);
        using var later = await Send(apiId, HttpMethod.Get, "/dev/later");
        Assert.Equal(HttpStatusCode.NotFound, later.StatusCode);
        using var laterOnDefault = await Send(apiId, HttpMethod.Get, "/later");
        Assert.Equal(HttpStatusCode.OK, laterOnDefault.StatusCode);
    }

    [Fact]
    public async Task HttpApi_CorsConfigured_AnswersPreflightAndReplacesBackendHeaders()
    {
        var (apiId, _) = await CreateProtectedApi();
        await Aws("update-api", "--api-id", apiId, "--cors-configuration",
            "AllowOrigins=https://app.example,AllowMethods=GET,POST,AllowHeaders=authorization,MaxAge=600");

        using var preflight = await Send(apiId, HttpMethod.Options, "/items/a", null, null,
            ("Origin", "https://app.example"), ("Access-Control-Request-Method", "GET"));
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("https://app.example", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("600", preflight.Headers.GetValues("Access-Control-Max-Age").Single());

        using var actual = await Send(apiId, HttpMethod.Get, "/items/a", Token(), null, ("Origin", "https://app.example"));
        Assert.Equal(HttpStatusCode.OK, actual.StatusCode);
        Assert.Equal("https://app.example", actual.Headers.GetValues("Access-Control-Allow-Origin").Single());

        (await _server.AwsAsync("apigatewayv2", "delete-cors-configuration", "--api-id", apiId)).EnsureSuccess();
        using var noCors = await Send(apiId, HttpMethod.Options, "/items/a", null, null,
            ("Origin", "https://app.example"), ("Access-Control-Request-Method", "GET"));
        Assert.Equal(HttpStatusCode.Unauthorized, noCors.StatusCode);
    }

    [Fact]
    public async Task HttpApi_BackendSlowerThanTimeout_Is504()
    {
        var api = await Aws("create-api", "--name", "slow", "--protocol-type", "HTTP");
        var apiId = api.Str("ApiId");
        var integration = await Aws("create-integration", "--api-id", apiId, "--integration-type", "HTTP_PROXY",
            "--integration-method", "GET", "--integration-uri", _far.Issuer + "/slow", "--payload-format-version", "1.0", "--timeout-in-millis", "200");
        await Aws("create-route", "--api-id", apiId, "--route-key", "GET /slow", "--target", "integrations/" + integration.Str("IntegrationId"));
        await Aws("create-stage", "--api-id", apiId, "--stage-name", "$default", "--auto-deploy");
        using var response = await Send(apiId, HttpMethod.Get, "/slow");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("""{"message":"Gateway Timeout"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HttpApi_StreamedBackendAnswer_ArrivesWhole()
    {
        var api = await Aws("create-api", "--name", "stream", "--protocol-type", "HTTP", "--target", _far.Issuer + "/stream", "--route-key", "GET /stream");
        var apiId = api.Str("ApiId");
        using var response = await Send(apiId, HttpMethod.Get, "/stream");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(50_000, body.Length);
    }

    [Fact]
    public async Task ControlPlane_Errors_AreAwsShaped()
    {
        var missing = await AwsFailing("get-api", "--api-id", "nosuchapi0");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("NotFoundException", missing.StandardError, StringComparison.Ordinal);
        Assert.Contains("Invalid API identifier specified", missing.StandardError, StringComparison.Ordinal);

        var api = await Aws("create-api", "--name", "errors", "--protocol-type", "HTTP");
        var apiId = api.Str("ApiId");
        var badKey = await AwsFailing("create-route", "--api-id", apiId, "--route-key", "GET hello");
        Assert.Contains("BadRequestException", badKey.StandardError, StringComparison.Ordinal);
        await Aws("create-route", "--api-id", apiId, "--route-key", "GET /hello");
        var duplicate = await AwsFailing("create-route", "--api-id", apiId, "--route-key", "GET /hello");
        Assert.Contains("ConflictException", duplicate.StandardError, StringComparison.Ordinal);
        var noPayloadVersion = await AwsFailing("create-integration", "--api-id", apiId, "--integration-type", "AWS_PROXY",
            "--integration-uri", "arn:aws:lambda:us-east-1:000000000000:function:hello");
        Assert.Contains("BadRequestException", noPayloadVersion.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ControlPlane_QuickCreateTagsAndDelete_BehaveAsAws()
    {
        var api = await Aws("create-api", "--name", "quick", "--protocol-type", "HTTP",
            "--target", "arn:aws:lambda:us-east-1:000000000000:function:hello", "--tags", "team=gate");
        var apiId = api.Str("ApiId");
        var stages = await Aws("get-stages", "--api-id", apiId);
        var stage = stages["Items"]!.AsArray().Single()!;
        Assert.Equal("$default", stage.Str("StageName"));
        Assert.True(stage["AutoDeploy"]!.GetValue<bool>());
        var integrations = await Aws("get-integrations", "--api-id", apiId);
        Assert.Equal("2.0", integrations["Items"]![0]!.Str("PayloadFormatVersion"));
        var routes = await Aws("get-routes", "--api-id", apiId);
        Assert.Equal("$default", routes["Items"]![0]!.Str("RouteKey"));

        var arn = $"arn:aws:apigateway:us-east-1::/apis/{apiId}";
        (await _server.AwsAsync("apigatewayv2", "tag-resource", "--resource-arn", arn, "--tags", "env=test")).EnsureSuccess();
        (await _server.AwsAsync("apigatewayv2", "untag-resource", "--resource-arn", arn, "--tag-keys", "team")).EnsureSuccess();
        var tags = await Aws("get-tags", "--resource-arn", arn);
        Assert.Equal("""{"env":"test"}""", tags["Tags"]!.ToJsonString());

        var apis = await Aws("get-apis");
        Assert.Contains(apis["Items"]!.AsArray(), a => a!.Str("ApiId") == apiId);

        (await _server.AwsAsync("apigatewayv2", "delete-api", "--api-id", apiId)).EnsureSuccess();
        var gone = await AwsFailing("get-api", "--api-id", apiId);
        Assert.Contains("NotFoundException", gone.StandardError, StringComparison.Ordinal);
        using var response = await Send(apiId, HttpMethod.Get, "/anything");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ControlPlane_ThrottledStage_Answers429()
    {
        var (apiId, _) = await CreateProtectedApi();
        await Aws("update-stage", "--api-id", apiId, "--stage-name", "$default",
            "--default-route-settings", "ThrottlingBurstLimit=0,ThrottlingRateLimit=0");
        using var response = await Send(apiId, HttpMethod.Get, "/items/a", Token());
        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.Equal("""{"message":"Too Many Requests"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ControlPlane_UpdatesAndDeletes_ChangeWhatIsServed()
    {
        var (apiId, integrationId) = await CreateProtectedApi();
        var routes = await Aws("get-routes", "--api-id", apiId);
        var route = routes["Items"]![0]!;
        var authorizers = await Aws("get-authorizers", "--api-id", apiId);
        var authorizerId = authorizers["Items"]![0]!.Str("AuthorizerId");
        Assert.Equal(_far.Issuer, authorizers["Items"]![0]!["JwtConfiguration"]!.Str("Issuer"));

        // The authorizer is in use, so it cannot go.
        var inUse = await AwsFailing("delete-authorizer", "--api-id", apiId, "--authorizer-id", authorizerId);
        Assert.Contains("ConflictException", inUse.StandardError, StringComparison.Ordinal);

        // Open the route: no authorizer any more.
        var updated = await Aws("update-route", "--api-id", apiId, "--route-id", route.Str("RouteId"), "--authorization-type", "NONE");
        Assert.Equal("NONE", updated.Str("AuthorizationType"));
        Assert.Null(updated["AuthorizerId"]);
        using (var open = await Send(apiId, HttpMethod.Get, "/items/open"))
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);

        var integration = await Aws("update-integration", "--api-id", apiId, "--integration-id", integrationId, "--timeout-in-millis", "5000");
        Assert.Equal(5000, integration["TimeoutInMillis"]!.GetValue<int>());
        Assert.Equal("HTTP_PROXY", integration.Str("IntegrationType"));

        (await _server.AwsAsync("apigatewayv2", "delete-authorizer", "--api-id", apiId, "--authorizer-id", authorizerId)).EnsureSuccess();
        (await _server.AwsAsync("apigatewayv2", "delete-route", "--api-id", apiId, "--route-id", route.Str("RouteId"))).EnsureSuccess();
        using (var gone = await Send(apiId, HttpMethod.Get, "/items/open"))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var missingRoute = await AwsFailing("get-route", "--api-id", apiId, "--route-id", route.Str("RouteId"));
        Assert.Contains("NotFoundException", missingRoute.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_EmptiesControlAndDataPlane()
    {
        // Runs against its own server: a reset would disturb the other tests of this class.
        using var server = new GatehouseProcess();
        var api = (await server.AwsAsync("apigatewayv2", "create-api", "--name", "reset", "--protocol-type", "HTTP",
            "--target", _far.Issuer + "/backend")).EnsureSuccess().Json;
        var apiId = api.Str("ApiId");
        using var http = new HttpClient();
        using (var reset = await http.PostAsync(new Uri(server.Endpoint, "/_gatehouse/reset"), null))
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var gone = await server.AwsAsync("apigatewayv2", "get-api", "--api-id", apiId);
        Assert.Contains("NotFoundException", gone.StandardError, StringComparison.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Endpoint, "/"));
        request.Headers.Host = $"{apiId}.execute-api.localhost:{server.Port}";
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _key.Dispose();
        await _far.DisposeAsync();
    }
}
