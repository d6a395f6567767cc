using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Tests.EndToEnd;

/// <summary>
/// The control plane as an attacker would try it: a web page in the user's browser sending
/// cross-site requests, a page on a rebinding host name, and requests without a signature.
/// Each attack was reproduced against the build before these defences; each must fail now, while
/// what browsers legitimately do against Cognito (unsigned sign-in calls, discovery, JWKS, the
/// token endpoint) keeps working from any origin.
/// </summary>
public sealed class ControlPlaneSecurityTests : IClassFixture<GatehouseProcess>
{
    private const string Evil = "https://evil.example";
    private readonly GatehouseProcess _server;

    public ControlPlaneSecurityTests(GatehouseProcess server) => _server = server;

    [Fact]
    public async Task CreateFunction_CrossSiteSimplePost_RefusedAndNothingCreated()
    {
        // What a page can send without a preflight: POST, text/plain, no custom headers.
        using var client = _server.CreateClient();
        var body = """{"FunctionName":"drive-by","Runtime":"python3.13","Handler":"app.handler","Role":"arn:aws:iam::000000000000:role/x","Code":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/2015-03-31/functions") { Content = new StringContent(body, Encoding.UTF8, "text/plain") };
        request.Headers.Add("Origin", Evil);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(response.Headers.Contains("Access-Control-Allow-Origin") ? "present" : null);
        var lookup = await _server.AwsAsync("lambda", "get-function", "--function-name", "drive-by");
        Assert.Contains("ResourceNotFoundException", lookup.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignedOperation_FromForeignOrigin_RefusedEvenWithSignature()
    {
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/2015-03-31/functions/");
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + new string('0', 64));
        request.Headers.Add("Origin", Evil);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("AccessDeniedException", response.Headers.GetValues("x-amzn-ErrorType").Single().Split(':')[0]);
    }

    [Fact]
    public async Task Preflight_ForLambdaFromForeignOrigin_NotAllowed()
    {
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/2015-03-31/functions");
        request.Headers.Add("Origin", Evil);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,x-amz-date");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task RebindingHost_Refused()
    {
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_gatehouse/health");
        request.Headers.Host = $"rebind.evil.example:{_server.Port}";

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("running", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("abc123defg.execute-api.localhost")]
    public async Task ServedHost_Answered(string host)
    {
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_gatehouse/health");
        request.Headers.Host = $"{host}:{_server.Port}";

        var response = await client.SendAsync(request);

        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task UnsignedSignedOperation_MissingAuthenticationToken()
    {
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{\"MaxResults\":10}", Encoding.UTF8, "application/x-amz-json-1.1") };
        request.Headers.Add("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools");
        request.Options.Set(SigningHandler.Unsigned, true);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.EndsWith("MissingAuthenticationTokenException", error["__type"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Missing Authentication Token", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnsignedCognitoSignIn_FromForeignOrigin_AnsweredWithCors()
    {
        // InitiateAuth is one of the operations AWS serves unsigned: browsers call it directly.
        using var client = _server.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/");
        preflight.Headers.Add("Origin", "http://app.example:3000");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent");
        var allowed = await client.SendAsync(preflight);
        Assert.True(allowed.IsSuccessStatusCode);
        Assert.Equal("*", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("x-amz-target", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent("""{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"nosuchclient0000000000000","AuthParameters":{"USERNAME":"a","PASSWORD":"b"}}""", Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        request.Headers.Add("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth");
        request.Headers.Add("Origin", "http://app.example:3000");
        request.Options.Set(SigningHandler.Unsigned, true);
        var response = await client.SendAsync(request);

        // Answered by Cognito's logic (an unknown client), not refused for want of a signature.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ResourceNotFoundException", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Outbox_FromForeignOrigin_Refused()
    {
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_gatehouse/outbox");
        request.Headers.Add("Origin", Evil);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("messages", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PoolDiscoveryJwksAndTokenEndpoint_AllowOtherOrigins()
    {
        var pool = (await _server.AwsAsync("cognito-idp", "create-user-pool", "--pool-name", "cors")).EnsureSuccess().Json.Str("UserPool.Id");
        using var client = _server.CreateClient();
        foreach (var path in new[] { $"/{pool}/.well-known/openid-configuration", $"/{pool}/.well-known/jwks.json" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("Origin", "http://app.example:3000");
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/oauth2/token");
        preflight.Headers.Add("Origin", "http://app.example:3000");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        var answer = await client.SendAsync(preflight);
        Assert.True(answer.IsSuccessStatusCode);
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", answer.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonLoopbackHost_WithoutAllowRemote_RefusesToStart()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Repository.ServerDll, "serve", "--in-memory", "--port", "0", "--host", "0.0.0.0" })
            info.ArgumentList.Add(argument);
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("GATEHOUSE_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);

        Assert.NotEqual(0, process.ExitCode);
        var text = await output + await error;
        Assert.Contains("--allow-remote", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ready on", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }
}
