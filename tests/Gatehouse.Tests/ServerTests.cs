using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Tests;

/// <summary>The built server as a process: health, reset, bad input, the AWS CLI.</summary>
public sealed class ServerTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public ServerTests(GatehouseProcess server) => _server = server;

    [Fact]
    public async Task Health_NamesVersionStoreAndEachService()
    {
        using var client = _server.CreateClient();
        var health = JsonNode.Parse(await client.GetStringAsync("/_gatehouse/health"))!;

        Assert.Equal("running", health["status"]!.GetValue<string>());
        Assert.Matches(@"^\d+\.\d+\.\d+", health["version"]!.GetValue<string>());
        Assert.Equal("memory", health["store"]!["provider"]!.GetValue<string>());
        Assert.Equal("ok", health["store"]!["state"]!.GetValue<string>());
        Assert.True(health["store"]!["freeBytes"]!.GetValue<long>() > 0);
        foreach (var service in new[] { "cognito-idp", "lambda", "apigatewayv2" })
        {
            Assert.Equal("running", health["services"]![service]!["state"]!.GetValue<string>());
            Assert.True(health["services"]![service]!["operations"]!.GetValue<int>() > 50);
        }
    }

    [Fact]
    public async Task Reset_InMemoryStore_Allowed()
    {
        using var client = _server.CreateClient();
        var response = await client.PostAsync("/_gatehouse/reset", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["reset"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ReadyLine_PrintedWithAddress()
    {
        Assert.Contains($"Gatehouse ready on http://127.0.0.1:{_server.Port}", _server.Output, StringComparison.Ordinal);
        using var client = _server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/_gatehouse/health")).StatusCode);
    }

    [Fact]
    public async Task AwsCli_UnimplementedOperation_CleanAwsError()
    {
        var result = await _server.AwsAsync("apigatewayv2", "get-vpc-links");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("An error occurred (NotImplementedException) when calling the GetVpcLinks operation", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("DELETE", "/v2/apis/../../x")]
    [InlineData("PUT", "/2015-03-31/functions/%ZZ/code")]
    [InlineData("POST", "/_gatehouse/health")]
    public async Task OddRequests_AwsShapedErrorNeverBare500(string method, string path)
    {
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        var response = await client.SendAsync(request);

        Assert.True((int)response.StatusCode is >= 400 and < 500 or 501, $"{method} {path}: {(int)response.StatusCode}");
        Assert.NotEmpty(response.Headers.GetValues("x-amzn-ErrorType").Single());
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.False(string.IsNullOrEmpty((body["message"] ?? body["Message"])?.GetValue<string>()));
    }

    [Fact]
    public async Task HugeBody_RefusedWith413()
    {
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new ByteArrayContent(new byte[8 * 1024 * 1024]),
        };
        request.Headers.Add("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools");
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("RequestEntityTooLargeException", response.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    [Fact]
    public async Task BadSignatureHeader_IncompleteSignatureException()
    {
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=broken");
        request.Headers.Add("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools");
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("IncompleteSignatureException", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["__type"]!.GetValue<string>());
    }
}
