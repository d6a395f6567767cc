using System.Text.Json.Nodes;
using Gatehouse.Identity.Auth;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests;

/// <summary>Password and refresh sign-in against a started server: every answer as Cognito gives it (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html).</summary>
public sealed class SignInTests : IClassFixture<GatehouseProcess>, IDisposable
{
    private const string Password = "Correct-Passw0rd!";
    private readonly CognitoWire _wire;

    public SignInTests(GatehouseProcess server) => _wire = new CognitoWire(server);

    public void Dispose() => _wire.Dispose();

    private async Task<(string Pool, string Client)> PoolWithUserAsync(string username = "alice", JsonObject? clientSettings = null, bool emailSignIn = false)
    {
        var pool = await _wire.CreatePoolAsync(emailSignIn);
        var client = await _wire.CreateClientAsync(pool, clientSettings, "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH");
        await _wire.CreateConfirmedUserAsync(pool, username, Password);
        return (pool, client["ClientId"]!.GetValue<string>());
    }

    [Fact]
    public async Task InitiateAuth_UserPasswordAuth_ReturnsTokens()
    {
        var (pool, client) = await PoolWithUserAsync();
        var result = (await _wire.CallAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = client,
            ["AuthFlow"] = "USER_PASSWORD_AUTH",
            ["AuthParameters"] = new JsonObject { ["USERNAME"] = "alice", ["PASSWORD"] = Password },
        })).Ok();
        Assert.Empty(result["ChallengeParameters"]!.AsObject());
        var access = Jwt.Payload(result["AuthenticationResult"]!["AccessToken"]!.GetValue<string>());
        Assert.Equal("alice", access["username"]!.GetValue<string>());
        Assert.EndsWith("/" + pool, access["iss"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminInitiateAuth_WrongPassword_NotAuthorized()
    {
        var (pool, client) = await PoolWithUserAsync();
        (await _wire.AdminPasswordSignInAsync(pool, client, "alice", "Wrong-Passw0rd!")).Fails("NotAuthorizedException", "Incorrect username or password.");
    }

    [Fact]
    public async Task AdminInitiateAuth_UnknownUserLegacy_UserNotFound()
    {
        var (pool, client) = await PoolWithUserAsync();
        (await _wire.AdminPasswordSignInAsync(pool, client, "nobody", Password)).Fails("UserNotFoundException", "User does not exist.");
    }

    [Fact]
    public async Task AdminInitiateAuth_UnknownUserPrevented_LooksLikeWrongPassword()
    {
        var (pool, client) = await PoolWithUserAsync(clientSettings: new JsonObject { ["PreventUserExistenceErrors"] = "ENABLED" });
        (await _wire.AdminPasswordSignInAsync(pool, client, "nobody", Password)).Fails("NotAuthorizedException", "Incorrect username or password.");
    }

    [Fact]
    public async Task AdminInitiateAuth_DisabledUser_UserIsDisabled()
    {
        var (pool, client) = await PoolWithUserAsync();
        (await _wire.CallAsync("AdminDisableUser", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "alice" })).Ok();
        (await _wire.AdminPasswordSignInAsync(pool, client, "alice", Password)).Fails("NotAuthorizedException", "User is disabled.");
        (await _wire.CallAsync("AdminEnableUser", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "alice" })).Ok();
        (await _wire.AdminPasswordSignInAsync(pool, client, "alice", Password)).Ok();
    }

    [Fact]
    public async Task InitiateAuth_FlowsNotEnabled_InvalidParameterWithCognitosWording()
    {
        var pool = await _wire.CreatePoolAsync();
        var client = (await _wire.CreateClientAsync(pool))["ClientId"]!.GetValue<string>();
        await _wire.CreateConfirmedUserAsync(pool, "alice", Password);

        (await _wire.AdminPasswordSignInAsync(pool, client, "alice", Password)).Fails("InvalidParameterException", "Auth flow not enabled for this client");
        (await _wire.CallAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = client,
            ["AuthFlow"] = "USER_PASSWORD_AUTH",
            ["AuthParameters"] = new JsonObject { ["USERNAME"] = "alice", ["PASSWORD"] = Password },
        })).Fails("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client");

        var passwordOnly = (await _wire.CreateClientAsync(pool, null, "ALLOW_USER_PASSWORD_AUTH"))["ClientId"]!.GetValue<string>();
        (await _wire.CallAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = passwordOnly,
            ["AuthFlow"] = "USER_SRP_AUTH",
            ["AuthParameters"] = new JsonObject { ["USERNAME"] = "alice", ["SRP_A"] = "abc" },
        })).Fails("InvalidParameterException", "USER_SRP_AUTH is not enabled for the client.");
    }

    [Fact]
    public async Task AdminInitiateAuth_UnknownPoolOrClient_ResourceNotFound()
    {
        var (pool, _) = await PoolWithUserAsync();
        (await _wire.AdminPasswordSignInAsync("us-east-1_Nope12345", "abc", "alice", Password))
            .Fails("ResourceNotFoundException", "User pool us-east-1_Nope12345 does not exist.");
        (await _wire.AdminPasswordSignInAsync(pool, "doesnotexist123", "alice", Password))
            .Fails("ResourceNotFoundException", "User pool client doesnotexist123 does not exist.");
    }

    [Fact]
    public async Task AdminInitiateAuth_MissingPassword_InvalidParameter()
    {
        var (pool, client) = await PoolWithUserAsync();
        (await _wire.CallAsync("AdminInitiateAuth", new JsonObject
        {
            ["UserPoolId"] = pool,
            ["ClientId"] = client,
            ["AuthFlow"] = "ADMIN_USER_PASSWORD_AUTH",
            ["AuthParameters"] = new JsonObject { ["USERNAME"] = "alice" },
        })).Fails("InvalidParameterException", "Missing required parameter PASSWORD");
    }

    [Fact]
    public async Task AdminInitiateAuth_UnknownAuthFlow_ValidationError()
    {
        var (pool, client) = await PoolWithUserAsync();
        var result = await _wire.CallAsync("AdminInitiateAuth", new JsonObject { ["UserPoolId"] = pool, ["ClientId"] = client, ["AuthFlow"] = "MAGIC" });
        result.Fails("InvalidParameterException");
        Assert.Contains("Member must satisfy enum value set", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminInitiateAuth_ClientWithSecret_RequiresAndChecksSecretHash()
    {
        var pool = await _wire.CreatePoolAsync(emailSignIn: true);
        var client = await _wire.CreateClientAsync(pool, new JsonObject { ["GenerateSecret"] = true }, "ALLOW_ADMIN_USER_PASSWORD_AUTH");
        var clientId = client["ClientId"]!.GetValue<string>();
        var secret = client["ClientSecret"]!.GetValue<string>();
        await _wire.CreateConfirmedUserAsync(pool, "sec@example.com", Password);

        (await _wire.AdminPasswordSignInAsync(pool, clientId, "sec@example.com", Password))
            .Fails("NotAuthorizedException", $"Client {clientId} is configured for secret but secret was not received");
        (await _wire.AdminPasswordSignInAsync(pool, clientId, "sec@example.com", Password, SecretHash.Compute("wrong", "sec@example.com", clientId)))
            .Fails("NotAuthorizedException", $"Unable to verify secret hash for client {clientId}");
        (await _wire.AdminPasswordSignInAsync(pool, clientId, "sec@example.com", Password, SecretHash.Compute(secret, "sec@example.com", clientId))).Ok();
    }

    [Fact]
    public async Task AdminInitiateAuth_SixWrongPasswords_PasswordAttemptsExceeded()
    {
        var (pool, client) = await PoolWithUserAsync();
        for (var i = 0; i < 6; i++)
            (await _wire.AdminPasswordSignInAsync(pool, client, "alice", "Wrong-Passw0rd!")).Fails("NotAuthorizedException", "Incorrect username or password.");
        (await _wire.AdminPasswordSignInAsync(pool, client, "alice", Password)).Fails("NotAuthorizedException", "Password attempts exceeded");
    }

    [Fact]
    public async Task RefreshTokenAuth_AfterSignIn_NewTokensKeepAuthTimeAndOrigin()
    {
        var (pool, client) = await PoolWithUserAsync();
        var signIn = (await _wire.AdminPasswordSignInAsync(pool, client, "alice", Password)).Ok()["AuthenticationResult"]!;
        var refresh = signIn["RefreshToken"]!.GetValue<string>();
        var result = (await _wire.CallAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = client,
            ["AuthFlow"] = "REFRESH_TOKEN_AUTH",
            ["AuthParameters"] = new JsonObject { ["REFRESH_TOKEN"] = refresh },
        })).Ok()["AuthenticationResult"]!;

        Assert.Null(result["RefreshToken"]);
        var before = Jwt.Payload(signIn["IdToken"]!.GetValue<string>());
        var after = Jwt.Payload(result["IdToken"]!.GetValue<string>());
        Assert.Equal(before["auth_time"]!.GetValue<long>(), after["auth_time"]!.GetValue<long>());
        Assert.Equal(before["origin_jti"]!.GetValue<string>(), after["origin_jti"]!.GetValue<string>());
        Assert.NotEqual(before["jti"]!.GetValue<string>(), after["jti"]!.GetValue<string>());
    }

    [Fact]
    public async Task RefreshTokenAuth_GarbledOrOtherClientsToken_InvalidRefreshToken()
    {
        var (pool, client) = await PoolWithUserAsync();
        var other = (await _wire.CreateClientAsync(pool, null, "ALLOW_REFRESH_TOKEN_AUTH"))["ClientId"]!.GetValue<string>();
        var refresh = (await _wire.AdminPasswordSignInAsync(pool, client, "alice", Password)).Ok()["AuthenticationResult"]!["RefreshToken"]!.GetValue<string>();

        foreach (var (clientId, token) in new[] { (client, "not-a-token"), (client, refresh[..^4] + "AAAA"), (other, refresh) })
        {
            (await _wire.CallAsync("InitiateAuth", new JsonObject
            {
                ["ClientId"] = clientId,
                ["AuthFlow"] = "REFRESH_TOKEN_AUTH",
                ["AuthParameters"] = new JsonObject { ["REFRESH_TOKEN"] = token },
            })).Fails("NotAuthorizedException", "Invalid Refresh Token");
        }
    }

    [Fact]
    public async Task RevokeToken_RefreshToken_RefreshAndAccessTokensRevoked()
    {
        var (pool, client) = await PoolWithUserAsync();
        var signIn = (await _wire.AdminPasswordSignInAsync(pool, client, "alice", Password)).Ok()["AuthenticationResult"]!;
        var refresh = signIn["RefreshToken"]!.GetValue<string>();
        var other = (await _wire.AdminPasswordSignInAsync(pool, client, "alice", Password)).Ok()["AuthenticationResult"]!;

        (await _wire.CallAsync("RevokeToken", new JsonObject { ["ClientId"] = client, ["Token"] = refresh })).Ok();

        (await _wire.CallAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = client,
            ["AuthFlow"] = "REFRESH_TOKEN_AUTH",
            ["AuthParameters"] = new JsonObject { ["REFRESH_TOKEN"] = refresh },
        })).Fails("NotAuthorizedException", "Refresh Token has been revoked");
        (await _wire.CallAsync("GetUser", new JsonObject { ["AccessToken"] = signIn["AccessToken"]!.GetValue<string>() }))
            .Fails("NotAuthorizedException", "Access Token has been revoked");
        // Another sign-in of the same user is untouched.
        (await _wire.CallAsync("GetUser", new JsonObject { ["AccessToken"] = other["AccessToken"]!.GetValue<string>() })).Ok();
        (await _wire.CallAsync("RevokeToken", new JsonObject { ["ClientId"] = client, ["Token"] = signIn["AccessToken"]!.GetValue<string>() }))
            .Fails("UnsupportedTokenTypeException");
    }

    [Fact]
    public async Task GlobalSignOut_AccessToken_RevokesEverySignInOfTheUser()
    {
        var (pool, client) = await PoolWithUserAsync();
        var first = (await _wire.AdminPasswordSignInAsync(pool, client, "alice", Password)).Ok()["AuthenticationResult"]!;
        var second = (await _wire.AdminPasswordSignInAsync(pool, client, "alice", Password)).Ok()["AuthenticationResult"]!;

        (await _wire.CallAsync("GlobalSignOut", new JsonObject { ["AccessToken"] = first["AccessToken"]!.GetValue<string>() })).Ok();

        (await _wire.CallAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = client,
            ["AuthFlow"] = "REFRESH_TOKEN_AUTH",
            ["AuthParameters"] = new JsonObject { ["REFRESH_TOKEN"] = second["RefreshToken"]!.GetValue<string>() },
        })).Fails("NotAuthorizedException", "Refresh Token has been revoked");
        (await _wire.CallAsync("GetUser", new JsonObject { ["AccessToken"] = second["AccessToken"]!.GetValue<string>() }))
            .Fails("NotAuthorizedException", "Access Token has been revoked");
        // Signing in again afterwards works.
        var fresh = (await _wire.AdminPasswordSignInAsync(pool, client, "alice", Password)).Ok()["AuthenticationResult"]!;
        (await _wire.CallAsync("GetUser", new JsonObject { ["AccessToken"] = fresh["AccessToken"]!.GetValue<string>() })).Ok();
    }

    [Fact]
    public async Task RespondToAuthChallenge_ReplayedSession_InvalidSession()
    {
        var pool = await _wire.CreatePoolAsync();
        var client = (await _wire.CreateClientAsync(pool, null, "ALLOW_ADMIN_USER_PASSWORD_AUTH"))["ClientId"]!.GetValue<string>();
        (await _wire.CallAsync("AdminCreateUser", new JsonObject
        {
            ["UserPoolId"] = pool,
            ["Username"] = "carol",
            ["TemporaryPassword"] = "Temp-Passw0rd!",
            ["MessageAction"] = "SUPPRESS",
        })).Ok();
        var challenge = (await _wire.AdminPasswordSignInAsync(pool, client, "carol", "Temp-Passw0rd!")).Ok();
        var session = challenge["Session"]!.GetValue<string>();
        JsonObject Answer(string password) => new()
        {
            ["UserPoolId"] = pool,
            ["ClientId"] = client,
            ["ChallengeName"] = "NEW_PASSWORD_REQUIRED",
            ["Session"] = session,
            ["ChallengeResponses"] = new JsonObject { ["USERNAME"] = "carol", ["NEW_PASSWORD"] = password },
        };

        (await _wire.CallAsync("AdminRespondToAuthChallenge", Answer("weak")))
            .Fails("InvalidPasswordException", "Password does not conform to policy: Password not long enough");
        (await _wire.CallAsync("AdminRespondToAuthChallenge", Answer("New-Passw0rd!"))).Ok();
        (await _wire.CallAsync("AdminRespondToAuthChallenge", Answer("Other-Passw0rd!")))
            .Fails("NotAuthorizedException", "Invalid session for the user, session is expired.");
        (await _wire.AdminPasswordSignInAsync(pool, client, "carol", "New-Passw0rd!")).Ok();
        (await _wire.AdminPasswordSignInAsync(pool, client, "carol", "Temp-Passw0rd!")).Fails("NotAuthorizedException", "Incorrect username or password.");
    }

    [Fact]
    public async Task AdminSetUserPassword_NotPermanent_ForcesNewPasswordChallenge()
    {
        var (pool, client) = await PoolWithUserAsync();
        (await _wire.CallAsync("AdminSetUserPassword", new JsonObject
        {
            ["UserPoolId"] = pool,
            ["Username"] = "alice",
            ["Password"] = "Reset-Passw0rd!",
            ["Permanent"] = false,
        })).Ok();
        var result = (await _wire.AdminPasswordSignInAsync(pool, client, "alice", "Reset-Passw0rd!")).Ok();
        Assert.Equal("NEW_PASSWORD_REQUIRED", result["ChallengeName"]!.GetValue<string>());
        // The cached check of the old password must not survive the change.
        (await _wire.AdminPasswordSignInAsync(pool, client, "alice", Password)).Fails("NotAuthorizedException", "Incorrect username or password.");
    }

    [Fact]
    public async Task GetTokensFromRefreshToken_ClientSecret_RequiredAndChecked()
    {
        var pool = await _wire.CreatePoolAsync();
        var client = await _wire.CreateClientAsync(pool, new JsonObject { ["GenerateSecret"] = true }, "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH");
        var clientId = client["ClientId"]!.GetValue<string>();
        var secret = client["ClientSecret"]!.GetValue<string>();
        await _wire.CreateConfirmedUserAsync(pool, "gt", Password);
        var refresh = (await _wire.AdminPasswordSignInAsync(pool, clientId, "gt", Password, SecretHash.Compute(secret, "gt", clientId)))
            .Ok()["AuthenticationResult"]!["RefreshToken"]!.GetValue<string>();

        (await _wire.CallAsync("GetTokensFromRefreshToken", new JsonObject { ["ClientId"] = clientId, ["RefreshToken"] = refresh, ["ClientSecret"] = new string('a', 51) }))
            .Fails("NotAuthorizedException");
        var result = (await _wire.CallAsync("GetTokensFromRefreshToken", new JsonObject { ["ClientId"] = clientId, ["RefreshToken"] = refresh, ["ClientSecret"] = secret })).Ok();
        Assert.Equal("gt", Jwt.Payload(result["AuthenticationResult"]!["AccessToken"]!.GetValue<string>())["username"]!.GetValue<string>());
    }

    [Fact]
    public async Task AdminCreateUser_Resend_NewTemporaryPasswordInOutbox()
    {
        var pool = await _wire.CreatePoolAsync(emailSignIn: true);
        var client = (await _wire.CreateClientAsync(pool, null, "ALLOW_ADMIN_USER_PASSWORD_AUTH"))["ClientId"]!.GetValue<string>();
        (await _wire.CallAsync("AdminCreateUser", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "invite@example.com", ["TemporaryPassword"] = "First-Passw0rd!" })).Ok();
        (await _wire.CallAsync("AdminCreateUser", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "invite@example.com", ["MessageAction"] = "RESEND" })).Ok();

        var outbox = JsonNode.Parse(await (await _wire.GetAsync($"/_gatehouse/outbox?poolId={pool}")).Content.ReadAsStringAsync())!["messages"]!.AsArray();
        Assert.Equal(2, outbox.Count(m => m!["purpose"]!.GetValue<string>() == "invitation"));
        var body = outbox.Last()!["body"]!.GetValue<string>();
        var temporary = System.Text.RegularExpressions.Regex.Match(body, "temporary password is (\\S+)\\.$").Groups[1].Value;
        Assert.Contains("invite@example.com", body, StringComparison.Ordinal);

        Assert.Equal("NEW_PASSWORD_REQUIRED", (await _wire.AdminPasswordSignInAsync(pool, client, "invite@example.com", temporary)).Ok()["ChallengeName"]!.GetValue<string>());
        (await _wire.AdminPasswordSignInAsync(pool, client, "invite@example.com", "First-Passw0rd!")).Fails("NotAuthorizedException", "Incorrect username or password.");
        (await _wire.CallAsync("AdminCreateUser", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "nobody@example.com", ["MessageAction"] = "RESEND" }))
            .Fails("UserNotFoundException");
    }
}
