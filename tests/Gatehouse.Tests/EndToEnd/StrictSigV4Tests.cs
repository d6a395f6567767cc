using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core.Security;
using Gatehouse.Testing;

namespace Gatehouse.Tests.EndToEnd;

/// <summary>A server in strict mode (<c>--auth sigv4</c>) with a persistent store and a generated root key.</summary>
public sealed class StrictSigV4Server : GatehouseProcess
{
    public StrictSigV4Server() : base("--data", Directory.CreateTempSubdirectory("gatehouse-strict-").FullName, "--auth", "sigv4")
    {
    }

    public string CredentialsFile => Path.Combine(Arguments[1], "credentials");

    public (string Id, string Secret) Key
    {
        get
        {
            var lines = File.ReadAllLines(CredentialsFile);
            string Value(string name) => lines.Single(l => l.StartsWith(name, StringComparison.Ordinal)).Split('=', 2)[1].Trim();
            return (Value("aws_access_key_id"), Value("aws_secret_access_key"));
        }
    }
}

/// <summary>
/// Strict SigV4 verification driven by the real clients: the AWS CLI v2 and boto3 with the
/// generated key succeed and with a wrong secret are refused as AWS refuses them; presigned URLs
/// expire; unsigned calls AWS allows (InitiateAuth) still work while unsigned CreateFunction does not.
/// </summary>
public sealed class StrictSigV4Tests : IClassFixture<StrictSigV4Server>
{
    private readonly StrictSigV4Server _server;

    public StrictSigV4Tests(StrictSigV4Server server) => _server = server;

    [Fact]
    public void Start_NoCredentialsFile_GeneratesPrivateFileAndPrintsOnlyTheKeyId()
    {
        var (id, secret) = _server.Key;

        Assert.StartsWith("AKIA", id, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_server.CredentialsFile));
        Assert.Contains(id, _server.Output, StringComparison.Ordinal);
        Assert.Contains(_server.CredentialsFile, _server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, _server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwsCli_RightAndWrongSecret_SucceedsThenInvalidSignature()
    {
        var (id, secret) = _server.Key;

        (await Aws(id, secret, "lambda", "list-functions")).EnsureSuccess();
        var wrong = await Aws(id, secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A'), "lambda", "list-functions");
        var unknown = await Aws("AKIAUNKNOWNUNKNOWN00", secret, "cognito-idp", "list-user-pools", "--max-results", "5");

        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("InvalidSignatureException", wrong.StandardError, StringComparison.Ordinal);
        Assert.Contains("The request signature we calculated does not match", wrong.StandardError, StringComparison.Ordinal);
        Assert.Contains("UnrecognizedClientException", unknown.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Boto3_RightWrongAndPresigned()
    {
        var (id, secret) = _server.Key;
        var right = await Python(id, secret, "print(len(c.list_functions()['Functions']) >= 0)");
        var wrong = await Python(id, "not-the-secret", "c.list_functions()");
        var url = (await Python(id, secret, "print(c.generate_presigned_url('list_functions', ExpiresIn=300))")).EnsureSuccess().StandardOutput.Trim();
        var shortLived = (await Python(id, secret, "print(c.generate_presigned_url('list_functions', ExpiresIn=1))")).EnsureSuccess().StandardOutput.Trim();

        Assert.Equal("True", right.EnsureSuccess().StandardOutput.Trim());
        Assert.Contains("InvalidSignatureException", wrong.StandardError, StringComparison.Ordinal);
        using var http = new HttpClient();
        using (var response = await http.GetAsync(new Uri(url)))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using (var expired = await http.GetAsync(new Uri(shortLived)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
            var message = JsonNode.Parse(await expired.Content.ReadAsStringAsync())!["message"]!.GetValue<string>();
            Assert.StartsWith("Signature expired:", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UnsignedCreateFunction_Refused_UnsignedInitiateAuthWorks_AdminAuthWithGeneratedKey()
    {
        var (id, secret) = _server.Key;
        using var http = new HttpClient { BaseAddress = _server.Endpoint };
        using (var create = await http.PostAsync("/2015-03-31/functions", new StringContent("""{"FunctionName":"unsigned"}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
            Assert.Contains("MissingAuthenticationTokenException", create.Headers.GetValues("x-amzn-ErrorType").Single(), StringComparison.Ordinal);
        }

        var poolId = (await Aws(id, secret, "cognito-idp", "create-user-pool", "--pool-name", "strict")).EnsureSuccess().Json.Str("UserPool.Id");
        var clientId = (await Aws(id, secret, "cognito-idp", "create-user-pool-client", "--user-pool-id", poolId, "--client-name", "app",
            "--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")).EnsureSuccess().Json.Str("UserPoolClient.ClientId");
        (await Aws(id, secret, "cognito-idp", "admin-create-user", "--user-pool-id", poolId, "--username", "ada", "--message-action", "SUPPRESS")).EnsureSuccess();
        (await Aws(id, secret, "cognito-idp", "admin-set-user-password", "--user-pool-id", poolId, "--username", "ada", "--password", "Correct-Horse-9!", "--permanent")).EnsureSuccess();
        var admin = (await Aws(id, secret, "cognito-idp", "admin-initiate-auth", "--user-pool-id", poolId, "--client-id", clientId,
            "--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=ada,PASSWORD=Correct-Horse-9!")).EnsureSuccess().Json;
        Assert.NotEmpty(admin.Str("AuthenticationResult.AccessToken"));

        using var initiate = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent($$$"""{"ClientId":"{{{clientId}}}","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"ada","PASSWORD":"Correct-Horse-9!"}}"""),
        };
        initiate.Content.Headers.ContentType = new("application/x-amz-json-1.1");
        initiate.Headers.Add("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth");
        using var signIn = await http.SendAsync(initiate);
        var body = await signIn.Content.ReadAsStringAsync();
        Assert.True(signIn.IsSuccessStatusCode, body);
        Assert.NotEmpty(JsonNode.Parse(body)!.Str("AuthenticationResult.IdToken"));
    }

    [Fact]
    public async Task Outbox_NeedsAValidSignature()
    {
        var (id, secret) = _server.Key;
        using var http = new HttpClient { BaseAddress = _server.Endpoint };

        using var unsigned = await http.GetAsync("/_gatehouse/outbox");
        using var wrong = await http.SendAsync(Signed("/_gatehouse/outbox", id, "wrong-secret"));
        using var right = await http.SendAsync(Signed("/_gatehouse/outbox", id, secret));
        using var health = await http.GetAsync("/_gatehouse/health");

        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal("InvalidSignatureException", wrong.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private HttpRequestMessage Signed(string path, string id, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.Endpoint, path));
        SigV4Signer.Sign(request, [], id, secret, "us-east-1", "execute-api", DateTimeOffset.UtcNow);
        return request;
    }

    private Task<CliResult> Aws(string id, string secret, params string[] arguments) => AwsCli.RunAsAsync(_server.Endpoint, id, secret, arguments);

    private Task<CliResult> Python(string id, string secret, string statement)
    {
        var info = new ProcessStartInfo("python3");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"import boto3\nc = boto3.client('lambda', endpoint_url='{_server.Endpoint.ToString().TrimEnd('/')}')\n{statement}");
        AwsCli.SetEnvironment(info, id, secret);
        return ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(120));
    }
}
