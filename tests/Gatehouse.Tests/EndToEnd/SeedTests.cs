using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Tests.EndToEnd;

/// <summary>
/// The seed (docs/seed.md) as written: every step through the APIs with the AWS CLI v2 and curl,
/// the only addition being --endpoint-url.
/// </summary>
public sealed class SeedTests : IClassFixture<GatehouseProcess>, IDisposable
{
    private const string Email = "seed.user@example.com";
    private const string TemporaryPassword = "Temp-Passw0rd!";
    private const string NewPassword = "Brand-new-Passw0rd!";
    private readonly GatehouseProcess _server;
    private readonly string _work = Directory.CreateTempSubdirectory("gatehouse-seed-").FullName;

    public SeedTests(GatehouseProcess server) => _server = server;

    [Fact]
    public async Task Seed_AsWritten_CurlAnswersHelloFromLambda()
    {
        // 1. Lambda: the console's default Python code.
        var zip = Path.Combine(_work, "function.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(archive.CreateEntry("lambda_function.py").Open());
            await writer.WriteAsync("import json\n\ndef lambda_handler(event, context):\n    return {\n        'statusCode': 200,\n        'body': json.dumps('Hello from Lambda!')\n    }\n");
        }
        var function = (await Aws("lambda", "create-function", "--function-name", "seed-hello", "--runtime", "python3.13",
            "--handler", "lambda_function.lambda_handler", "--role", "arn:aws:iam::000000000000:role/service-role/seed-hello-role",
            "--zip-file", "fileb://" + zip)).Json;
        await Aws("lambda", "wait", "function-active-v2", "--function-name", "seed-hello");

        // 2. Cognito: a pool with email sign-in, a SPA client with ALLOW_ADMIN_USER_PASSWORD_AUTH, a user.
        var poolId = (await Aws("cognito-idp", "create-user-pool", "--pool-name", "seed-pool", "--username-attributes", "email")).Json.Str("UserPool.Id");
        var clientId = (await Aws("cognito-idp", "create-user-pool-client", "--user-pool-id", poolId, "--client-name", "seed-spa",
            "--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")).Json.Str("UserPoolClient.ClientId");
        await Aws("cognito-idp", "admin-create-user", "--user-pool-id", poolId, "--username", Email,
            "--temporary-password", TemporaryPassword, "--user-attributes", $"Name=email,Value={Email}", "--message-action", "SUPPRESS");

        // First sign-in replaces the temporary password; the user is then Confirmed.
        var challenge = (await Aws("cognito-idp", "admin-initiate-auth", "--user-pool-id", poolId, "--client-id", clientId,
            "--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", $"USERNAME={Email},PASSWORD={TemporaryPassword}")).Json;
        Assert.Equal("NEW_PASSWORD_REQUIRED", challenge.Str("ChallengeName"));
        await Aws("cognito-idp", "admin-respond-to-auth-challenge", "--user-pool-id", poolId, "--client-id", clientId,
            "--challenge-name", "NEW_PASSWORD_REQUIRED", "--challenge-responses", $"USERNAME={Email},NEW_PASSWORD={NewPassword}",
            "--session", challenge.Str("Session"));
        Assert.Equal("CONFIRMED", (await Aws("cognito-idp", "admin-get-user", "--user-pool-id", poolId, "--username", Email)).Json.Str("UserStatus"));

        // The token signing key URL; the issuer is that URL without /.well-known/jwks.json.
        var jwksUrl = $"{_server.Endpoint.ToString().TrimEnd('/')}/{poolId}/.well-known/jwks.json";
        using (var http = _server.CreateClient())
            Assert.NotEmpty(JsonNode.Parse(await http.GetStringAsync(jwksUrl))!["keys"]!.AsArray());
        var issuer = jwksUrl[..^"/.well-known/jwks.json".Length];

        // 3. API Gateway: HTTP API, JWT authorizer, Lambda integration, GET /hello, $default stage.
        var api = (await Aws("apigatewayv2", "create-api", "--name", "seed-api", "--protocol-type", "HTTP")).Json;
        var apiId = api.Str("ApiId");
        var authorizerId = (await Aws("apigatewayv2", "create-authorizer", "--api-id", apiId, "--name", "seed-jwt", "--authorizer-type", "JWT",
            "--identity-source", "$request.header.Authorization", "--jwt-configuration", $"Audience={clientId},Issuer={issuer}")).Json.Str("AuthorizerId");
        var integrationId = (await Aws("apigatewayv2", "create-integration", "--api-id", apiId, "--integration-type", "AWS_PROXY",
            "--integration-uri", function.Str("FunctionArn"), "--payload-format-version", "2.0")).Json.Str("IntegrationId");
        await Aws("apigatewayv2", "create-route", "--api-id", apiId, "--route-key", "GET /hello", "--authorization-type", "JWT",
            "--authorizer-id", authorizerId, "--target", "integrations/" + integrationId);
        await Aws("apigatewayv2", "create-stage", "--api-id", apiId, "--stage-name", "$default", "--auto-deploy");

        // 4. Check it works.
        var accessToken = (await Aws("cognito-idp", "admin-initiate-auth", "--user-pool-id", poolId, "--client-id", clientId,
            "--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", $"USERNAME={Email},PASSWORD={NewPassword}")).Json.Str("AuthenticationResult.AccessToken");
        var endpoint = api.Str("ApiEndpoint");

        var hello = await Curl($"{endpoint}/hello", "-H", $"Authorization: Bearer {accessToken}");
        Assert.Equal("200", hello.Status);
        Assert.Equal("\"Hello from Lambda!\"", hello.Body);

        var anonymous = await Curl($"{endpoint}/hello");
        Assert.Equal("401", anonymous.Status);
        Assert.Equal("{\"message\":\"Unauthorized\"}", anonymous.Body);

        var tampered = await Curl($"{endpoint}/hello", "-H", $"Authorization: Bearer {accessToken[..^4]}AAAA");
        Assert.Equal("401", tampered.Status);
    }

    private async Task<CliResult> Aws(params string[] arguments) => (await _server.AwsAsync(arguments)).EnsureSuccess();

    /// <summary>Runs the real curl; returns the status code and the body.</summary>
    private static async Task<(string Status, string Body)> Curl(string url, params string[] arguments)
    {
        var info = new ProcessStartInfo("curl");
        foreach (var argument in new[] { "-s", "-w", "\n%{http_code}", url }.Concat(arguments))
            info.ArgumentList.Add(argument);
        var result = await ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(60));
        Assert.Equal(0, result.ExitCode);
        var newline = result.StandardOutput.LastIndexOf('\n');
        return (result.StandardOutput[(newline + 1)..], result.StandardOutput[..newline]);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
