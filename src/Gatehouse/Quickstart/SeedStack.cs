using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core;

namespace Gatehouse.Quickstart;

/// <summary>
/// Creates the seed's stack (../docs/seed.md): the Python hello function, a user pool with email
/// sign-in and a SPA client, a user with a temporary password, and an HTTP API whose
/// <c>GET /hello</c> sits behind a JWT authorizer for that pool and a Lambda proxy integration.
/// Idempotent: every piece is looked up by name first and reused when it exists.
/// </summary>
internal sealed class SeedStack
{
    public const string Name = "gatehouse-quickstart";
    public const string FunctionName = "hello";
    public const string UserEmail = "user@example.com";

    private const string Cognito = "AWSCognitoIdentityProviderService";

    public const string HandlerCode = """
        import json

        def lambda_handler(event, context):
            # TODO implement
            return {
                'statusCode': 200,
                'body': json.dumps('Hello from Lambda!')
            }
        """;

    private readonly LocalAwsClient _aws;
    private readonly GatehouseOptions _options;

    public SeedStack(LocalAwsClient aws, GatehouseOptions options)
    {
        _aws = aws;
        _options = options;
    }

    public sealed record Result(
        string FunctionArn, string UserPoolId, string ClientId, string Issuer, string JwksUrl,
        string? LoginUrl, string ApiId, string ApiEndpoint, string Email, string? TemporaryPassword, string UserStatus);

    public async Task<Result> EnsureAsync()
    {
        var functionArn = await EnsureFunctionAsync().ConfigureAwait(false);
        var poolId = await EnsurePoolAsync().ConfigureAwait(false);
        var clientId = await EnsureClientAsync(poolId).ConfigureAwait(false);
        var loginUrl = await EnsureDomainAsync(poolId, clientId).ConfigureAwait(false);
        var (password, status) = await EnsureUserAsync(poolId).ConfigureAwait(false);
        // The pool's own discovery document says which issuer its tokens carry.
        var discovery = await _aws.GetAsync($"/{poolId}/.well-known/openid-configuration").ConfigureAwait(false);
        var issuer = discovery["issuer"]!.GetValue<string>();
        var (apiId, endpoint) = await EnsureApiAsync(functionArn, issuer, clientId).ConfigureAwait(false);
        return new Result(functionArn, poolId, clientId, issuer, $"{_options.EffectivePublicUrl}/{poolId}/.well-known/jwks.json",
            loginUrl, apiId, endpoint, UserEmail, password, status);
    }

    private async Task<string> EnsureFunctionAsync()
    {
        try
        {
            var existing = await _aws.RestAsync(HttpMethod.Get, $"/2015-03-31/functions/{FunctionName}/configuration", "lambda", "GetFunctionConfiguration").ConfigureAwait(false);
            return existing["FunctionArn"]!.GetValue<string>();
        }
        catch (LocalAwsException e) when (e.Code == "ResourceNotFoundException")
        {
        }
        var created = await _aws.RestAsync(HttpMethod.Post, "/2015-03-31/functions", "lambda", "CreateFunction", new JsonObject
        {
            ["FunctionName"] = FunctionName,
            ["Runtime"] = "python3.13",
            ["Handler"] = "lambda_function.lambda_handler",
            ["Role"] = $"arn:aws:iam::{_options.Account}:role/service-role/{FunctionName}-role",
            ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(Zip("lambda_function.py", HandlerCode)) },
            ["Description"] = "The seed's hello function",
        }).ConfigureAwait(false);
        return created["FunctionArn"]!.GetValue<string>();
    }

    private async Task<string> EnsurePoolAsync()
    {
        var pools = await _aws.JsonAsync(Cognito, "cognito-idp", "ListUserPools", new JsonObject { ["MaxResults"] = 60 }).ConfigureAwait(false);
        var existing = pools["UserPools"]?.AsArray().FirstOrDefault(p => p?["Name"]?.GetValue<string>() == Name);
        if (existing is not null)
            return existing["Id"]!.GetValue<string>();
        var created = await _aws.JsonAsync(Cognito, "cognito-idp", "CreateUserPool", new JsonObject
        {
            ["PoolName"] = Name,
            ["UsernameAttributes"] = new JsonArray("email"),
            ["AutoVerifiedAttributes"] = new JsonArray("email"),
        }).ConfigureAwait(false);
        return created["UserPool"]!["Id"]!.GetValue<string>();
    }

    private async Task<string> EnsureClientAsync(string poolId)
    {
        var clients = await _aws.JsonAsync(Cognito, "cognito-idp", "ListUserPoolClients", new JsonObject { ["UserPoolId"] = poolId, ["MaxResults"] = 60 }).ConfigureAwait(false);
        var existing = clients["UserPoolClients"]?.AsArray().FirstOrDefault(c => c?["ClientName"]?.GetValue<string>() == "spa");
        if (existing is not null)
            return existing["ClientId"]!.GetValue<string>();
        var created = await _aws.JsonAsync(Cognito, "cognito-idp", "CreateUserPoolClient", new JsonObject
        {
            ["UserPoolId"] = poolId,
            ["ClientName"] = "spa",
            ["GenerateSecret"] = false,
            ["ExplicitAuthFlows"] = new JsonArray("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
            ["AllowedOAuthFlows"] = new JsonArray("code"),
            ["AllowedOAuthFlowsUserPoolClient"] = true,
            ["AllowedOAuthScopes"] = new JsonArray("openid", "email", "phone"),
            ["CallbackURLs"] = new JsonArray("http://localhost:3000/callback"),
            ["SupportedIdentityProviders"] = new JsonArray("COGNITO"),
        }).ConfigureAwait(false);
        return created["UserPoolClient"]!["ClientId"]!.GetValue<string>();
    }

    /// <summary>The hosted login page needs a domain (skipped on a build without domains).</summary>
    private async Task<string?> EnsureDomainAsync(string poolId, string clientId)
    {
        var prefix = "quickstart-" + poolId.Split('_')[1].ToLowerInvariant();
        try
        {
            var pool = await _aws.JsonAsync(Cognito, "cognito-idp", "DescribeUserPool", new JsonObject { ["UserPoolId"] = poolId }).ConfigureAwait(false);
            if (pool["UserPool"]?["Domain"] is null)
                await _aws.JsonAsync(Cognito, "cognito-idp", "CreateUserPoolDomain", new JsonObject { ["UserPoolId"] = poolId, ["Domain"] = prefix }).ConfigureAwait(false);
            // "View login page": the same URL Gatehouse gives for any client (its domain, first callback, all its scopes).
            var page = await _aws.GetAsync($"/_gatehouse/login-page?clientId={clientId}").ConfigureAwait(false);
            return page["loginPageUrl"]!.GetValue<string>();
        }
        catch (LocalAwsException e) when (e.Code == "NotImplementedException")
        {
            return null;
        }
    }

    private async Task<(string? Password, string Status)> EnsureUserAsync(string poolId)
    {
        try
        {
            var user = await _aws.JsonAsync(Cognito, "cognito-idp", "AdminGetUser", new JsonObject { ["UserPoolId"] = poolId, ["Username"] = UserEmail }).ConfigureAwait(false);
            return (null, user["UserStatus"]?.GetValue<string>() ?? "UNKNOWN");
        }
        catch (LocalAwsException e) when (e.Code == "UserNotFoundException")
        {
        }
        var password = TemporaryPassword();
        var created = await _aws.JsonAsync(Cognito, "cognito-idp", "AdminCreateUser", new JsonObject
        {
            ["UserPoolId"] = poolId,
            ["Username"] = UserEmail,
            ["TemporaryPassword"] = password,
            ["MessageAction"] = "SUPPRESS",
            ["UserAttributes"] = new JsonArray(
                new JsonObject { ["Name"] = "email", ["Value"] = UserEmail },
                new JsonObject { ["Name"] = "email_verified", ["Value"] = "true" }),
        }).ConfigureAwait(false);
        return (password, created["User"]?["UserStatus"]?.GetValue<string>() ?? "FORCE_CHANGE_PASSWORD");
    }

    private async Task<(string ApiId, string Endpoint)> EnsureApiAsync(string functionArn, string issuer, string clientId)
    {
        var apis = await _aws.RestAsync(HttpMethod.Get, "/v2/apis", "apigateway", "GetApis").ConfigureAwait(false);
        var existing = apis["items"]?.AsArray().FirstOrDefault(a => a?["name"]?.GetValue<string>() == Name);
        if (existing is not null)
        {
            var existingId = existing["apiId"]!.GetValue<string>();
            await ReconcileIssuerAsync(existingId, issuer).ConfigureAwait(false);
            return (existingId, existing["apiEndpoint"]!.GetValue<string>());
        }

        var api = await _aws.RestAsync(HttpMethod.Post, "/v2/apis", "apigateway", "CreateApi", new JsonObject
        {
            ["name"] = Name,
            ["protocolType"] = "HTTP",
        }).ConfigureAwait(false);
        var apiId = api["apiId"]!.GetValue<string>();
        var authorizer = await _aws.RestAsync(HttpMethod.Post, $"/v2/apis/{apiId}/authorizers", "apigateway", "CreateAuthorizer", new JsonObject
        {
            ["name"] = "cognito",
            ["authorizerType"] = "JWT",
            ["identitySource"] = new JsonArray("$request.header.Authorization"),
            ["jwtConfiguration"] = new JsonObject { ["issuer"] = issuer, ["audience"] = new JsonArray(clientId) },
        }).ConfigureAwait(false);
        var integration = await _aws.RestAsync(HttpMethod.Post, $"/v2/apis/{apiId}/integrations", "apigateway", "CreateIntegration", new JsonObject
        {
            ["integrationType"] = "AWS_PROXY",
            ["integrationUri"] = functionArn,
            ["payloadFormatVersion"] = "2.0",
        }).ConfigureAwait(false);
        await _aws.RestAsync(HttpMethod.Post, $"/v2/apis/{apiId}/routes", "apigateway", "CreateRoute", new JsonObject
        {
            ["routeKey"] = "GET /hello",
            ["authorizationType"] = "JWT",
            ["authorizerId"] = authorizer["authorizerId"]!.GetValue<string>(),
            ["target"] = "integrations/" + integration["integrationId"]!.GetValue<string>(),
        }).ConfigureAwait(false);
        await _aws.RestAsync(HttpMethod.Post, $"/v2/apis/{apiId}/stages", "apigateway", "CreateStage", new JsonObject
        {
            ["stageName"] = "$default",
            ["autoDeploy"] = true,
        }).ConfigureAwait(false);
        return (apiId, api["apiEndpoint"]!.GetValue<string>());
    }

    /// <summary>
    /// The issuer contains the public URL, so it changes when the server moves to another port or
    /// address; point the authorizer at the pool's current issuer so the stack keeps working.
    /// </summary>
    private async Task ReconcileIssuerAsync(string apiId, string issuer)
    {
        var authorizers = await _aws.RestAsync(HttpMethod.Get, $"/v2/apis/{apiId}/authorizers", "apigateway", "GetAuthorizers").ConfigureAwait(false);
        foreach (var authorizer in authorizers["items"]?.AsArray() ?? [])
        {
            if (authorizer?["name"]?.GetValue<string>() != "cognito" || authorizer["jwtConfiguration"]?["issuer"]?.GetValue<string>() == issuer)
                continue;
            await _aws.RestAsync(HttpMethod.Patch, $"/v2/apis/{apiId}/authorizers/{authorizer["authorizerId"]!.GetValue<string>()}", "apigateway", "UpdateAuthorizer",
                new JsonObject { ["jwtConfiguration"] = new JsonObject { ["issuer"] = issuer, ["audience"] = authorizer["jwtConfiguration"]!["audience"]!.DeepClone() } }).ConfigureAwait(false);
        }
    }

    private static byte[] Zip(string name, string content)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = archive.CreateEntry(name);
            using var stream = entry.Open();
            stream.Write(Encoding.UTF8.GetBytes(content.ReplaceLineEndings("\n") + "\n"));
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// A temporary password that satisfies Cognito's default policy (the '-' is its symbol) and is
    /// safe to paste into a shell: no '!', '$' or quotes.
    /// </summary>
    private static string TemporaryPassword() =>
        "Tmp-" + AwsIds.Random("ABCDEFGHJKLMNPQRSTUVWXYZ", 3)
        + AwsIds.Random("abcdefghijkmnopqrstuvwxyz", 4)
        + AwsIds.Random("23456789", 3);
}
