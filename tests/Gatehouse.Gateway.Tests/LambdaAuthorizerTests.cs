using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Gatehouse.Gateway.Tests.Support;

namespace Gatehouse.Gateway.Tests;

/// <summary>REQUEST (Lambda) authorizers: simple responses, IAM policies, identity sources and caching.</summary>
public sealed class LambdaAuthorizerTests : IDisposable
{
    private const string AuthorizerArn = "arn:aws:lambda:us-east-1:123456789012:function:authorizer";

    private readonly GatewayHarness _gateway = new();
    private int _authorizerCalls;

    private void Setup(bool simple = true, string version = "2.0", int ttl = 0, string? answer = null)
    {
        _gateway.Lambda();
        _gateway.Authorizers.Add(new Authorizer
        {
            AuthorizerId = "lam001",
            Name = "lambda",
            AuthorizerType = "REQUEST",
            AuthorizerUri = $"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{AuthorizerArn}/invocations",
            AuthorizerPayloadFormatVersion = version,
            EnableSimpleResponses = simple,
            AuthorizerResultTtlInSeconds = ttl,
            IdentitySource = ["$request.header.X-Api-Token"],
        });
        _gateway.Route("GET /hello", authorization: "CUSTOM", authorizerId: "lam001");
        _gateway.Deploy();
        _gateway.Functions.Handler = (invocation, _) =>
        {
            if (invocation.FunctionName != AuthorizerArn)
                return Task.FromResult(FakeFunctionInvoker.Ok("""{"statusCode":200,"body":"inside"}"""));
            Interlocked.Increment(ref _authorizerCalls);
            var token = JsonText.Parse(System.Text.Encoding.UTF8.GetString(invocation.Payload.Span))["headers"]!["x-api-token"]!.GetValue<string>();
            return Task.FromResult(FakeFunctionInvoker.Ok(answer ?? (token == "good"
                ? """{"isAuthorized":true,"context":{"user":"jane","level":3}}"""
                : """{"isAuthorized":false}""")));
        };
    }

    [Fact]
    public async Task Authorize_SimpleResponseAllows_ContextReachesTheIntegration()
    {
        Setup();
        var reply = await _gateway.GetAsync("/hello", ("X-Api-Token", "good"));
        Assert.Equal(200, reply.Status);
        Assert.Equal("inside", reply.Body);
        var authorizerEvent = JsonText.Parse(System.Text.Encoding.UTF8.GetString(_gateway.Functions.Calls[0].Payload.Span));
        Assert.Equal("REQUEST", authorizerEvent["type"]!.GetValue<string>());
        Assert.Equal("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/$default/GET/hello", authorizerEvent["routeArn"]!.GetValue<string>());
        Assert.Equal("good", authorizerEvent["identitySource"]![0]!.GetValue<string>());
        var lambda = JsonText.Parse(_gateway.Functions.LastEvent)["requestContext"]!["authorizer"]!["lambda"]!;
        Assert.Equal("jane", lambda["user"]!.GetValue<string>());
        Assert.Equal(3, lambda["level"]!.GetValue<int>());
    }

    [Fact]
    public async Task Authorize_SimpleResponseDenies_Is403()
    {
        Setup();
        var reply = await _gateway.GetAsync("/hello", ("X-Api-Token", "bad"));
        Assert.Equal(403, reply.Status);
        Assert.Equal("""{"message":"Forbidden"}""", reply.Body);
        Assert.Single(_gateway.Functions.Calls);
    }

    [Fact]
    public async Task Authorize_MissingIdentitySource_Is401WithoutInvoking()
    {
        Setup();
        var reply = await _gateway.GetAsync("/hello");
        Assert.Equal(401, reply.Status);
        Assert.Equal("""{"message":"Unauthorized"}""", reply.Body);
        Assert.Empty(_gateway.Functions.Calls);
    }

    [Fact]
    public async Task Authorize_InvalidAnswer_Is500()
    {
        Setup(answer: """{"allowed":"maybe"}""");
        Assert.Equal(500, (await _gateway.GetAsync("/hello", ("X-Api-Token", "good"))).Status);
    }

    [Fact]
    public async Task Authorize_FailingAuthorizer_Is500()
    {
        Setup();
        _gateway.Functions.Handler = (_, _) => Task.FromResult(new FunctionInvocationResult(FunctionInvocationStatus.FunctionError, "{}"u8.ToArray(), "Unhandled"));
        Assert.Equal(500, (await _gateway.GetAsync("/hello", ("X-Api-Token", "good"))).Status);
    }

    [Theory]
    [InlineData("Allow", 200)]
    [InlineData("Deny", 403)]
    public async Task Authorize_IamPolicyV1_DecidesByEffect(string effect, int status)
    {
        Setup(simple: false, version: "1.0", answer: $$"""
            {"principalId":"jane","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"{{effect}}","Resource":"*"} ]},"context":{"user":"jane"} }
            """);
        Assert.Equal(status, (await _gateway.GetAsync("/hello", ("X-Api-Token", "good"))).Status);
    }

    [Fact]
    public async Task Authorize_WithTtl_CachesTheDecisionByIdentity()
    {
        Setup(ttl: 300);
        Assert.Equal(200, (await _gateway.GetAsync("/hello", ("X-Api-Token", "good"))).Status);
        Assert.Equal(200, (await _gateway.GetAsync("/hello", ("X-Api-Token", "good"))).Status);
        Assert.Equal(1, _authorizerCalls);
        Assert.Equal(403, (await _gateway.GetAsync("/hello", ("X-Api-Token", "bad"))).Status);
        Assert.Equal(2, _authorizerCalls);
        _gateway.Time.Now = _gateway.Time.Now.AddSeconds(301);
        Assert.Equal(200, (await _gateway.GetAsync("/hello", ("X-Api-Token", "good"))).Status);
        Assert.Equal(3, _authorizerCalls);
    }

    [Fact]
    public async Task Authorize_WithoutTtl_InvokesEveryTime()
    {
        Setup();
        await _gateway.GetAsync("/hello", ("X-Api-Token", "good"));
        await _gateway.GetAsync("/hello", ("X-Api-Token", "good"));
        Assert.Equal(2, _authorizerCalls);
    }

    public void Dispose() => _gateway.Dispose();
}
