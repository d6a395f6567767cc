using System.Collections.Immutable;
using System.Text;
using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Gatehouse.Gateway.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Gateway.Tests;

/// <summary>Addressing, stages, response mapping, errors, CORS preflight, throttling and stage variables.</summary>
public sealed class DataPlaneTests : IDisposable
{
    private readonly GatewayHarness _gateway = new();

    private void Answer(string json) =>
        _gateway.Functions.Handler = (_, _) => Task.FromResult(FakeFunctionInvoker.Ok(json));

    private void SimpleApi(string payloadFormatVersion = "2.0", int timeoutInMillis = 30000)
    {
        _gateway.Lambda(payloadFormatVersion: payloadFormatVersion, timeoutInMillis: timeoutInMillis);
        _gateway.Route("GET /hello");
        _gateway.Route("POST /hello");
        _gateway.Deploy();
    }

    [Fact]
    public async Task Request_UnknownApi_Is404NotFound()
    {
        SimpleApi();
        _gateway.Host = new HostString("zzzzzzzzzz.execute-api.localhost", 4566);
        var reply = await _gateway.GetAsync("/hello");
        Assert.Equal(404, reply.Status);
        Assert.Equal("""{"message":"Not Found"}""", reply.Body);
        Assert.NotEmpty(reply.Header("apigw-requestid"));
    }

    [Fact]
    public async Task Request_UnknownRoute_Is404NotFound()
    {
        SimpleApi();
        var reply = await _gateway.GetAsync("/nothing");
        Assert.Equal(404, reply.Status);
        Assert.Equal("""{"message":"Not Found"}""", reply.Body);
        Assert.Empty(_gateway.Functions.Calls);
    }

    [Fact]
    public async Task Request_PathStyleAddress_ReachesTheApi()
    {
        SimpleApi();
        _gateway.Host = new HostString("127.0.0.1", 4566);
        var reply = await _gateway.GetAsync($"/_aws/execute-api/{GatewayHarness.ApiId}/hello?x=1");
        Assert.Equal(200, reply.Status);
        var request = JsonText.Parse(_gateway.Functions.LastEvent);
        Assert.Equal("/hello", request["rawPath"]!.GetValue<string>());
        Assert.Equal("x=1", request["rawQueryString"]!.GetValue<string>());
    }

    [Fact]
    public async Task Request_OtherHost_PassesToTheNextHandler()
    {
        SimpleApi();
        var http = new DefaultHttpContext();
        http.Request.Host = new HostString("127.0.0.1", 4566);
        http.Request.Path = "/v2/apis";
        var passed = false;
        await _gateway.DataPlane.InvokeAsync(http, _ =>
        {
            passed = true;
            return Task.CompletedTask;
        });
        Assert.True(passed);
    }

    [Fact]
    public async Task Request_NamedStage_RoutesOnTheRestOfThePath()
    {
        _gateway.Lambda();
        _gateway.Route("GET /hello");
        _gateway.NamedStages.Add(new Stage { StageName = "dev" });
        _gateway.Deploy();
        Assert.Equal(200, (await _gateway.GetAsync("/dev/hello")).Status);
        Assert.Equal("/dev/hello", JsonText.Parse(_gateway.Functions.LastEvent)["rawPath"]!.GetValue<string>());
        Assert.Equal("dev", JsonText.Parse(_gateway.Functions.LastEvent)["requestContext"]!["stage"]!.GetValue<string>());
        Assert.Equal(200, (await _gateway.GetAsync("/hello")).Status);
        Assert.Equal(404, (await _gateway.GetAsync("/prod/hello")).Status);
    }

    [Fact]
    public async Task Response_ObjectWithoutStatusCode_Is200Json()
    {
        SimpleApi();
        Answer("""{"message":"hi"}""");
        var reply = await _gateway.GetAsync("/hello");
        Assert.Equal(200, reply.Status);
        Assert.Equal("application/json", reply.Header("Content-Type"));
        Assert.Equal("""{"message":"hi"}""", reply.Body);
    }

    [Fact]
    public async Task Response_PlainString_Is200WithTheJsonText()
    {
        SimpleApi();
        Answer("\"Hello from Lambda!\"");
        var reply = await _gateway.GetAsync("/hello");
        Assert.Equal(200, reply.Status);
        Assert.Equal("\"Hello from Lambda!\"", reply.Body);
    }

    [Fact]
    public async Task Response_Structured_MapsStatusHeadersCookiesAndBase64Body()
    {
        SimpleApi();
        Answer($$"""
            {"statusCode":201,"headers":{"content-type":"text/plain","x-a":"1","x-n":2},
             "cookies":["a=1; Path=/","b=2"],"body":"{{Convert.ToBase64String("binary\u0001"u8.ToArray())}}","isBase64Encoded":true}
            """);
        var reply = await _gateway.GetAsync("/hello");
        Assert.Equal(201, reply.Status);
        Assert.Equal("text/plain", reply.Header("Content-Type"));
        Assert.Equal("1", reply.Header("x-a"));
        Assert.Equal("2", reply.Header("x-n"));
        Assert.Equal(new[] { "a=1; Path=/", "b=2" }, reply.Headers["Set-Cookie"].Select(v => v ?? ""));
        Assert.Equal("binary\u0001", reply.Body);
    }

    [Fact]
    public async Task Response_SeedFunction_ReturnsTheQuotedGreeting()
    {
        SimpleApi();
        var reply = await _gateway.GetAsync("/hello");
        Assert.Equal(200, reply.Status);
        Assert.Equal("\"Hello from Lambda!\"", reply.Body);
    }

    [Fact]
    public async Task Response_V1MultiValueHeaders_AreAllSent()
    {
        SimpleApi("1.0");
        Answer("""{"statusCode":200,"headers":{"x-one":"1"},"multiValueHeaders":{"x-many":["a","b"]},"body":"ok"}""");
        var reply = await _gateway.GetAsync("/hello");
        Assert.Equal(200, reply.Status);
        Assert.Equal(new[] { "a", "b" }, reply.Headers["x-many"].Select(v => v ?? ""));
        Assert.Equal("1", reply.Header("x-one"));
        Assert.Equal("ok", reply.Body);
    }

    [Theory]
    [InlineData("2.0", "not json")]
    [InlineData("2.0", """{"statusCode":"abc"}""")]
    [InlineData("2.0", """{"statusCode":700}""")]
    [InlineData("2.0", """{"statusCode":200,"body":"%%%","isBase64Encoded":true}""")]
    [InlineData("1.0", """{"message":"no status"}""")]
    [InlineData("1.0", "\"text\"")]
    public async Task Response_Unmappable_Is500(string version, string payload)
    {
        SimpleApi(version);
        Answer(payload);
        var reply = await _gateway.GetAsync("/hello");
        Assert.Equal(500, reply.Status);
        Assert.Equal("""{"message":"Internal Server Error"}""", reply.Body);
    }

    [Theory]
    [InlineData(FunctionInvocationStatus.FunctionError)]
    [InlineData(FunctionInvocationStatus.NotFound)]
    [InlineData(FunctionInvocationStatus.Throttled)]
    public async Task Response_FunctionFailure_Is500InternalServerError(FunctionInvocationStatus status)
    {
        SimpleApi();
        _gateway.Functions.Handler = (_, _) => Task.FromResult(new FunctionInvocationResult(status, """{"errorMessage":"boom"}"""u8.ToArray(), "Unhandled"));
        var reply = await _gateway.GetAsync("/hello");
        Assert.Equal(500, reply.Status);
        Assert.Equal("""{"message":"Internal Server Error"}""", reply.Body);
        Assert.DoesNotContain("boom", reply.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_FunctionSlowerThanTimeout_Is503ServiceUnavailable()
    {
        SimpleApi(timeoutInMillis: 50);
        _gateway.Functions.Handler = async (_, cancellation) =>
        {
            await Task.Delay(Timeout.Infinite, cancellation);
            return FakeFunctionInvoker.Ok("{}");
        };
        var reply = await _gateway.GetAsync("/hello");
        Assert.Equal(503, reply.Status);
        Assert.Equal("""{"message":"Service Unavailable"}""", reply.Body);
    }

    [Fact]
    public async Task Request_FunctionsServiceMissing_Is500()
    {
        // A server without the functions service cannot run Lambda integrations.
        using var keys = new Runtime.SigningKeyResolver(null, _gateway.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        using var plane = new Runtime.DataPlane(null, _gateway.Time, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, new Runtime.SnapshotCompiler(keys, _gateway.Time));
        _gateway.Lambda();
        _gateway.Route("GET /hello");
        plane.Load([_gateway.BuildState()]);
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Host = _gateway.Host;
        http.Request.Path = "/hello";
        var body = new MemoryStream();
        http.Response.Body = body;
        await plane.InvokeAsync(http, _ => Task.CompletedTask);
        Assert.Equal(500, http.Response.StatusCode);
        Assert.Equal("""{"message":"Internal Server Error"}""", Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task Request_BodyOverTenMegabytes_Is413()
    {
        SimpleApi();
        var reply = await _gateway.SendAsync("POST", "/hello", new string('x', 10 * 1024 * 1024 + 1), "text/plain");
        Assert.Equal(413, reply.Status);
        Assert.Empty(_gateway.Functions.Calls);
    }

    [Fact]
    public async Task Preflight_WithCorsConfigured_IsAnsweredByTheGateway()
    {
        _gateway.Cors = new CorsConfiguration
        {
            AllowOrigins = ["https://www.example.com"],
            AllowMethods = ["GET", "POST"],
            AllowHeaders = ["authorization", "content-type"],
            MaxAge = 300,
        };
        SimpleApi();
        var reply = await _gateway.SendAsync("OPTIONS", "/hello", null, null,
            ("Origin", "https://www.example.com"), ("Access-Control-Request-Method", "POST"));
        Assert.Equal(204, reply.Status);
        Assert.Equal("https://www.example.com", reply.Header("Access-Control-Allow-Origin"));
        Assert.Equal("GET,POST", reply.Header("Access-Control-Allow-Methods"));
        Assert.Equal("authorization,content-type", reply.Header("Access-Control-Allow-Headers"));
        Assert.Equal("300", reply.Header("Access-Control-Max-Age"));
        Assert.Empty(_gateway.Functions.Calls);
    }

    [Fact]
    public async Task Preflight_FromOtherOrigin_GetsNoCorsHeaders()
    {
        _gateway.Cors = new CorsConfiguration { AllowOrigins = ["https://www.example.com"], AllowMethods = ["GET"] };
        SimpleApi();
        var reply = await _gateway.SendAsync("OPTIONS", "/hello", null, null,
            ("Origin", "https://evil.example"), ("Access-Control-Request-Method", "GET"));
        Assert.Equal(204, reply.Status);
        Assert.Equal("", reply.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Preflight_WithoutCors_IsRoutedLikeAnyRequest()
    {
        SimpleApi();
        var reply = await _gateway.SendAsync("OPTIONS", "/hello", null, null,
            ("Origin", "https://www.example.com"), ("Access-Control-Request-Method", "GET"));
        Assert.Equal(404, reply.Status);
    }

    [Fact]
    public async Task Throttle_StageBurstExhausted_Is429()
    {
        _gateway.DefaultStage = _gateway.DefaultStage with { DefaultRouteSettings = new RouteSettings { ThrottlingBurstLimit = 2, ThrottlingRateLimit = 1 } };
        SimpleApi();
        Assert.Equal(200, (await _gateway.GetAsync("/hello")).Status);
        Assert.Equal(200, (await _gateway.GetAsync("/hello")).Status);
        var reply = await _gateway.GetAsync("/hello");
        Assert.Equal(429, reply.Status);
        Assert.Equal("""{"message":"Too Many Requests"}""", reply.Body);
        // The bucket refills at the rate: one second later one more request passes.
        _gateway.Time.Now = _gateway.Time.Now.AddSeconds(1);
        Assert.Equal(200, (await _gateway.GetAsync("/hello")).Status);
    }

    [Fact]
    public async Task Throttle_RouteSettings_OverrideTheStageDefault()
    {
        _gateway.DefaultStage = _gateway.DefaultStage with
        {
            RouteSettings = ImmutableSortedDictionary<string, RouteSettings>.Empty.Add("POST /hello", new RouteSettings { ThrottlingBurstLimit = 0, ThrottlingRateLimit = 0 }),
        };
        SimpleApi();
        Assert.Equal(200, (await _gateway.GetAsync("/hello")).Status);
        Assert.Equal(429, (await _gateway.SendAsync("POST", "/hello", "{}", "application/json")).Status);
    }

    [Fact]
    public async Task StageVariables_InIntegrationUri_SelectTheFunction()
    {
        _gateway.Lambda(uri: "arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}");
        _gateway.Route("GET /hello");
        _gateway.NamedStages.Add(new Stage { StageName = "dev", StageVariables = ImmutableSortedDictionary<string, string>.Empty.Add("fn", "hello-dev") });
        _gateway.NamedStages.Add(new Stage { StageName = "prod", StageVariables = ImmutableSortedDictionary<string, string>.Empty.Add("fn", "hello-prod:live") });
        _gateway.Deploy();
        await _gateway.GetAsync("/dev/hello");
        await _gateway.GetAsync("/prod/hello");
        Assert.Equal(["arn:aws:lambda:us-east-1:123456789012:function:hello-dev", "arn:aws:lambda:us-east-1:123456789012:function:hello-prod:live"],
            _gateway.Functions.Calls.Select(c => c.FunctionName));
    }

    [Fact]
    public async Task Request_RouteWithoutIntegration_Is500()
    {
        _gateway.Route("GET /lonely", integrationId: null);
        _gateway.Deploy();
        Assert.Equal(500, (await _gateway.GetAsync("/lonely")).Status);
    }

    [Fact]
    public async Task Request_IamRoute_IsForbidden()
    {
        _gateway.Lambda();
        _gateway.Route("GET /hello", authorization: "AWS_IAM");
        _gateway.Deploy();
        Assert.Equal(403, (await _gateway.GetAsync("/hello")).Status);
        Assert.Empty(_gateway.Functions.Calls);
    }

    public void Dispose() => _gateway.Dispose();
}
