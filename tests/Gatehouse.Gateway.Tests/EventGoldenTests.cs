using System.Text.Json.Nodes;
using Gatehouse.Gateway.Tests.Support;

namespace Gatehouse.Gateway.Tests;

/// <summary>The Lambda proxy events, field by field, against hand-written expectations from AWS's documentation.</summary>
public sealed class EventGoldenTests : IDisposable
{
    private const string Issuer = "http://127.0.0.1:4566/us-east-1_AbCdEf123";
    private const string ClientId = "57cbishk4j24pabc1234567890";

    private readonly GatewayHarness _gateway = new();
    private readonly TestIssuer _issuer = new(Issuer);
    private string _token = "";

    private void Setup(string payloadFormatVersion)
    {
        _gateway.Issuers.Add(_issuer);
        _gateway.Lambda(payloadFormatVersion: payloadFormatVersion);
        _gateway.Jwt(Issuer, ClientId);
        _gateway.Route("GET /pets/{id}", authorization: "JWT", authorizerId: "auth01");
        _gateway.Route("POST /pets");
        _gateway.NamedStages.Add(new Model.Stage { StageName = "dev", StageVariables = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add("table", "pets-dev") });
        _gateway.Deploy();
        var claims = new JsonObject
        {
            ["sub"] = "0a1b2c3d",
            ["iss"] = Issuer,
            ["client_id"] = ClientId,
            ["token_use"] = "access",
            ["scope"] = "aws.cognito.signin.user.admin",
            ["exp"] = 1732593600,
            ["cognito:groups"] = new JsonArray("admin"),
            ["username"] = "janedoe",
        };
        _token = _issuer.Sign(claims);
    }

    private Task<GatewayReply> SendExample() =>
        _gateway.GetAsync("/dev/pets/7?tag=a&tag=b",
            ("Authorization", "Bearer " + _token), ("Accept", "*/*"), ("User-Agent", "curl/8.5.0"), ("Cookie", "session=abc; theme=dark"));

    private const string ExpectedClaims =
        """{"sub":"0a1b2c3d","iss":"http://127.0.0.1:4566/us-east-1_AbCdEf123","client_id":"57cbishk4j24pabc1234567890","token_use":"access","scope":"aws.cognito.signin.user.admin","exp":"1732593600","cognito:groups":"[admin]","username":"janedoe"}""";

    [Fact]
    public async Task Event_V2NamedStageWithJwt_MatchesTheDocumentedShape()
    {
        Setup("2.0");
        var reply = await SendExample();
        Assert.Equal(200, reply.Status);
        var actual = JsonText.Parse(_gateway.Functions.LastEvent);
        var requestId = reply.Header("apigw-requestid");
        var expected = JsonText.Parse(/*lang=json*/ $$"""
            {
              "version": "2.0",
              "routeKey": "GET /pets/{id}",
              "rawPath": "/dev/pets/7",
              "rawQueryString": "tag=a&tag=b",
              "cookies": ["session=abc", "theme=dark"],
              "headers": {
                "accept": "*/*",
                "authorization": "Bearer {{_token}}",
                "host": "a1b2c3d4e5.execute-api.localhost:4566",
                "user-agent": "curl/8.5.0",
                "x-forwarded-for": "203.0.113.7",
                "x-forwarded-port": "4566",
                "x-forwarded-proto": "http"
              },
              "queryStringParameters": {"tag": "a,b"},
              "pathParameters": {"id": "7"},
              "stageVariables": {"table": "pets-dev"},
              "requestContext": {
                "accountId": "123456789012",
                "apiId": "a1b2c3d4e5",
                "authorizer": {"jwt": {"claims": CLAIMS, "scopes": null} },
                "domainName": "a1b2c3d4e5.execute-api.localhost",
                "domainPrefix": "a1b2c3d4e5",
                "http": {"method": "GET", "path": "/dev/pets/7", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0" },
                "requestId": "{{requestId}}",
                "routeKey": "GET /pets/{id}",
                "stage": "dev",
                "time": "26/Nov/2024:03:23:00 +0000",
                "timeEpoch": 1732591380123
              },
              "isBase64Encoded": false
            }
            """.Replace("CLAIMS", ExpectedClaims, StringComparison.Ordinal));
        Assert.True(JsonNode.DeepEquals(expected, actual), actual.ToJsonString());
    }

    [Fact]
    public async Task Event_V1NamedStageWithJwt_MatchesTheDocumentedShape()
    {
        Setup("1.0");
        var reply = await SendExample();
        Assert.Equal(200, reply.Status);
        var actual = JsonText.Parse(_gateway.Functions.LastEvent);
        var requestId = reply.Header("apigw-requestid");
        var expected = JsonText.Parse(/*lang=json*/ $$"""
            {
              "version": "1.0",
              "resource": "/pets/{id}",
              "path": "/dev/pets/7",
              "httpMethod": "GET",
              "headers": {
                "accept": "*/*",
                "authorization": "Bearer {{_token}}",
                "cookie": "session=abc; theme=dark",
                "host": "a1b2c3d4e5.execute-api.localhost:4566",
                "user-agent": "curl/8.5.0",
                "x-forwarded-for": "203.0.113.7",
                "x-forwarded-port": "4566",
                "x-forwarded-proto": "http"
              },
              "multiValueHeaders": {
                "accept": ["*/*"],
                "authorization": ["Bearer {{_token}}"],
                "cookie": ["session=abc; theme=dark"],
                "host": ["a1b2c3d4e5.execute-api.localhost:4566"],
                "user-agent": ["curl/8.5.0"],
                "x-forwarded-for": ["203.0.113.7"],
                "x-forwarded-port": ["4566"],
                "x-forwarded-proto": ["http"]
              },
              "queryStringParameters": {"tag": "b"},
              "multiValueQueryStringParameters": {"tag": ["a", "b"]},
              "requestContext": {
                "accountId": "123456789012",
                "apiId": "a1b2c3d4e5",
                "authorizer": {"claims": CLAIMS, "scopes": null},
                "domainName": "a1b2c3d4e5.execute-api.localhost",
                "domainPrefix": "a1b2c3d4e5",
                "extendedRequestId": "{{requestId}}",
                "httpMethod": "GET",
                "identity": {"accessKey": null, "accountId": null, "caller": null, "cognitoAuthenticationProvider": null,
                  "cognitoAuthenticationType": null, "cognitoIdentityId": null, "cognitoIdentityPoolId": null,
                  "principalOrgId": null, "sourceIp": "203.0.113.7", "user": null, "userAgent": "curl/8.5.0", "userArn": null},
                "path": "/dev/pets/7",
                "protocol": "HTTP/1.1",
                "requestId": "{{requestId}}",
                "requestTime": "26/Nov/2024:03:23:00 +0000",
                "requestTimeEpoch": 1732591380123,
                "resourceId": null,
                "resourcePath": "/pets/{id}",
                "stage": "dev"
              },
              "pathParameters": {"id": "7"},
              "stageVariables": {"table": "pets-dev"},
              "body": null,
              "isBase64Encoded": false
            }
            """.Replace("CLAIMS", ExpectedClaims, StringComparison.Ordinal));
        Assert.True(JsonNode.DeepEquals(expected, actual), actual.ToJsonString());
    }

    [Fact]
    public async Task Event_V2DefaultStageWithoutExtras_OmitsOptionalMembers()
    {
        Setup("2.0");
        var reply = await _gateway.SendAsync("POST", "/pets", "{\"name\":\"rex\"}", "application/json");
        Assert.Equal(200, reply.Status);
        var actual = JsonText.Parse(_gateway.Functions.LastEvent).AsObject();
        Assert.Equal("/pets", actual["rawPath"]!.GetValue<string>());
        Assert.Equal("", actual["rawQueryString"]!.GetValue<string>());
        Assert.Equal("$default", actual["requestContext"]!["stage"]!.GetValue<string>());
        foreach (var absent in new[] { "cookies", "queryStringParameters", "pathParameters", "stageVariables" })
            Assert.False(actual.ContainsKey(absent), absent);
        Assert.False(actual["requestContext"]!.AsObject().ContainsKey("authorizer"));
        Assert.Equal("{\"name\":\"rex\"}", actual["body"]!.GetValue<string>());
        Assert.False(actual["isBase64Encoded"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("application/octet-stream", true)]
    [InlineData("application/x-www-form-urlencoded", true)]
    [InlineData(null, true)]
    [InlineData("text/plain; charset=utf-8", false)]
    [InlineData("application/xml", false)]
    public async Task Event_V2Body_IsBase64UnlessTextual(string? contentType, bool base64)
    {
        Setup("2.0");
        await _gateway.SendAsync("POST", "/pets", "a=1&b=2", contentType);
        var actual = JsonText.Parse(_gateway.Functions.LastEvent);
        Assert.Equal(base64, actual["isBase64Encoded"]!.GetValue<bool>());
        Assert.Equal(base64 ? Convert.ToBase64String("a=1&b=2"u8.ToArray()) : "a=1&b=2", actual["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task Event_DuplicateHeaders_AreCommaJoinedInV2()
    {
        Setup("2.0");
        await _gateway.SendAsync("POST", "/pets", null, null, ("X-Multi", "a"), ("X-Multi", "b"));
        Assert.Equal("a,b", JsonText.Parse(_gateway.Functions.LastEvent)["headers"]!["x-multi"]!.GetValue<string>());
    }

    public void Dispose()
    {
        _gateway.Dispose();
        _issuer.Dispose();
    }
}
