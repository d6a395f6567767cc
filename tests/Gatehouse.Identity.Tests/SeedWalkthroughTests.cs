using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests;

/// <summary>
/// The seed's Cognito steps (WALKTHROUGH §2 and §4) with the real AWS CLI against a started server,
/// then the tokens checked by an independent JWT library (npm jose) against the served JWKS.
/// </summary>
public sealed class SeedWalkthroughTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public SeedWalkthroughTests(GatehouseProcess server) => _server = server;

    [Fact]
    public async Task AdminInitiateAuth_SeedSteps_ReturnsAccessTokenVerifiableWithJwks()
    {
        const string email = "jane.doe@example.com";
        const string temporary = "Temp-Passw0rd!";
        const string password = "Final-Passw0rd!";

        var pool = (await _server.AwsAsync("cognito-idp", "create-user-pool", "--pool-name", "seed", "--username-attributes", "email")).EnsureSuccess().Json;
        var poolId = pool.Str("UserPool.Id");
        Assert.Matches("^us-east-1_[A-Za-z0-9]{9}$", poolId);

        var client = (await _server.AwsAsync("cognito-idp", "create-user-pool-client", "--user-pool-id", poolId, "--client-name", "spa")).EnsureSuccess().Json;
        var clientId = client.Str("UserPoolClient.ClientId");
        Assert.Null(client["UserPoolClient"]!["ClientSecret"]);
        // The post's edit: enable ALLOW_ADMIN_USER_PASSWORD_AUTH on the app client.
        (await _server.AwsAsync("cognito-idp", "update-user-pool-client", "--user-pool-id", poolId, "--client-id", clientId,
            "--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH")).EnsureSuccess();

        var created = (await _server.AwsAsync("cognito-idp", "admin-create-user", "--user-pool-id", poolId, "--username", email,
            "--temporary-password", temporary)).EnsureSuccess().Json;
        var username = created.Str("User.Username");
        Assert.True(Guid.TryParse(username, out _), "with email sign-in the username is a UUID");
        Assert.Equal("FORCE_CHANGE_PASSWORD", created.Str("User.UserStatus"));

        var first = (await _server.AwsAsync("cognito-idp", "admin-initiate-auth", "--user-pool-id", poolId, "--client-id", clientId,
            "--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", $"USERNAME={email},PASSWORD={temporary}")).EnsureSuccess().Json;
        Assert.Equal("NEW_PASSWORD_REQUIRED", first.Str("ChallengeName"));
        Assert.Equal(username, first.Str("ChallengeParameters.USER_ID_FOR_SRP"));
        Assert.Equal(email, JsonNode.Parse(first.Str("ChallengeParameters.userAttributes"))!["email"]!.GetValue<string>());

        (await _server.AwsAsync("cognito-idp", "admin-respond-to-auth-challenge", "--user-pool-id", poolId, "--client-id", clientId,
            "--challenge-name", "NEW_PASSWORD_REQUIRED", "--session", first.Str("Session"),
            "--challenge-responses", $"USERNAME={email},NEW_PASSWORD={password}")).EnsureSuccess();
        var user = (await _server.AwsAsync("cognito-idp", "admin-get-user", "--user-pool-id", poolId, "--username", email)).EnsureSuccess().Json;
        Assert.Equal("CONFIRMED", user.Str("UserStatus"));

        // The seed's exact command.
        var signIn = (await _server.AwsAsync("cognito-idp", "admin-initiate-auth", "--user-pool-id", poolId, "--client-id", clientId,
            "--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", $"USERNAME={email},PASSWORD={password}")).EnsureSuccess().Json;
        var accessToken = signIn.Str("AuthenticationResult.AccessToken");
        var idToken = signIn.Str("AuthenticationResult.IdToken");
        Assert.Equal("Bearer", signIn.Str("AuthenticationResult.TokenType"));
        Assert.Equal(3600, signIn["AuthenticationResult"]!["ExpiresIn"]!.GetValue<int>());
        Assert.Equal(5, signIn.Str("AuthenticationResult.RefreshToken").Split('.').Length);

        var issuer = $"{_server.Endpoint.ToString().TrimEnd('/')}/{poolId}";
        var discovery = JsonNode.Parse(await _server.CreateClient().GetStringAsync($"/{poolId}/.well-known/openid-configuration"))!;
        Assert.Equal(issuer, discovery.Str("issuer"));
        var verified = (await ProcessRunner.NodeAsync("identity/verify-tokens.mjs", null, issuer, discovery.Str("jwks_uri"), accessToken, idToken)).EnsureSuccess().Json;

        var access = verified[0]!["payload"]!;
        Assert.Equal("access", access.Str("token_use"));
        Assert.Equal(clientId, access.Str("client_id"));
        Assert.Equal(username, access.Str("username"));
        Assert.Equal(username, access.Str("sub"));
        Assert.Null(access["aud"]);
        var id = verified[1]!["payload"]!;
        Assert.Equal("id", id.Str("token_use"));
        Assert.Equal(clientId, id.Str("aud"));
        Assert.Equal(email, id.Str("email"));
        Assert.Equal(username, id.Str("cognito:username"));
        Assert.NotEqual(verified[0]!["header"]!.Str("kid"), verified[1]!["header"]!.Str("kid"));
    }

    [Fact]
    public async Task AdminInitiateAuth_WrongPassword_CliShowsNotAuthorized()
    {
        var poolId = (await _server.AwsAsync("cognito-idp", "create-user-pool", "--pool-name", "wrong")).EnsureSuccess().Json.Str("UserPool.Id");
        var clientId = (await _server.AwsAsync("cognito-idp", "create-user-pool-client", "--user-pool-id", poolId, "--client-name", "c",
            "--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH")).EnsureSuccess().Json.Str("UserPoolClient.ClientId");
        (await _server.AwsAsync("cognito-idp", "admin-create-user", "--user-pool-id", poolId, "--username", "bob",
            "--temporary-password", "Temp-Passw0rd!", "--message-action", "SUPPRESS")).EnsureSuccess();

        var result = await _server.AwsAsync("cognito-idp", "admin-initiate-auth", "--user-pool-id", poolId, "--client-id", clientId,
            "--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=bob,PASSWORD=Wrong-Passw0rd!");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("(NotAuthorizedException)", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("Incorrect username or password.", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerLog_AfterSignIns_HoldsNoPasswordOrToken()
    {
        await AdminInitiateAuth_SeedSteps_ReturnsAccessTokenVerifiableWithJwks();
        Assert.DoesNotContain("Passw0rd", _server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", _server.Output, StringComparison.Ordinal);
    }
}
