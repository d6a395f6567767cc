using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests;

/// <summary>USER_SRP_AUTH driven by the real npm amazon-cognito-identity-js client against a started server.</summary>
public sealed class SrpClientTests : IClassFixture<GatehouseProcess>, IDisposable
{
    private readonly GatehouseProcess _server;
    private readonly CognitoWire _wire;

    public SrpClientTests(GatehouseProcess server)
    {
        _server = server;
        _wire = new CognitoWire(server);
    }

    public void Dispose() => _wire.Dispose();

    private Task<CliResult> SignInAsync(string pool, string client, string username, string password, string? newPassword = null)
    {
        var arguments = new List<string> { _server.Endpoint.ToString(), pool, client, username, password };
        if (newPassword is not null)
            arguments.Add(newPassword);
        return ProcessRunner.NodeAsync("identity/srp-sign-in.cjs", null, [.. arguments]);
    }

    private async Task<(string Pool, string Client)> SetUpAsync(JsonObject? clientSettings = null)
    {
        var pool = await _wire.CreatePoolAsync(emailSignIn: true);
        var client = (await _wire.CreateClientAsync(pool, clientSettings))["ClientId"]!.GetValue<string>();
        return (pool, client);
    }

    [Fact]
    public async Task UserSrpAuth_TemporaryThenNewPassword_JsClientGetsTokens()
    {
        var (pool, client) = await SetUpAsync();
        (await _wire.CallAsync("AdminCreateUser", new JsonObject
        {
            ["UserPoolId"] = pool,
            ["Username"] = "srp@example.com",
            ["TemporaryPassword"] = "Temp-Passw0rd!",
            ["MessageAction"] = "SUPPRESS",
        })).Ok();

        var first = (await SignInAsync(pool, client, "srp@example.com", "Temp-Passw0rd!", "Srp-Passw0rd!")).EnsureSuccess().Json;
        Assert.Equal("tokens", first.Str("result"));

        var second = (await SignInAsync(pool, client, "srp@example.com", "Srp-Passw0rd!")).EnsureSuccess().Json;
        Assert.Equal("tokens", second.Str("result"));
        var access = Jwt.Payload(second.Str("accessToken"));
        Assert.Equal(client, access["client_id"]!.GetValue<string>());
        var id = Jwt.Payload(second.Str("idToken"));
        Assert.Equal("srp@example.com", id["email"]!.GetValue<string>());
        Assert.Equal(5, second.Str("refreshToken").Split('.').Length);
    }

    [Fact]
    public async Task UserSrpAuth_WrongPassword_JsClientSeesNotAuthorized()
    {
        var (pool, client) = await SetUpAsync();
        await _wire.CreateConfirmedUserAsync(pool, "srp2@example.com", "Right-Passw0rd!");
        var result = (await SignInAsync(pool, client, "srp2@example.com", "Wrong-Passw0rd!")).EnsureSuccess().Json;
        Assert.Equal("failure", result.Str("result"));
        Assert.Equal("NotAuthorizedException", result.Str("code"));
        Assert.Equal("Incorrect username or password.", result.Str("message"));
    }

    [Fact]
    public async Task UserSrpAuth_UnknownUser_LegacyNotFoundOrPreventedNotAuthorized()
    {
        var (pool, legacy) = await SetUpAsync();
        var prevented = (await _wire.CreateClientAsync(pool, new JsonObject { ["PreventUserExistenceErrors"] = "ENABLED" }))["ClientId"]!.GetValue<string>();

        var one = (await SignInAsync(pool, legacy, "ghost@example.com", "Any-Passw0rd!")).EnsureSuccess().Json;
        Assert.Equal("UserNotFoundException", one.Str("code"));
        var two = (await SignInAsync(pool, prevented, "ghost@example.com", "Any-Passw0rd!")).EnsureSuccess().Json;
        Assert.Equal("NotAuthorizedException", two.Str("code"));
        Assert.Equal("Incorrect username or password.", two.Str("message"));
    }

    [Fact]
    public async Task PasswordVerifier_ReplayedSecretBlock_InvalidSession()
    {
        var (pool, client) = await SetUpAsync();
        await _wire.CreateConfirmedUserAsync(pool, "replay@example.com", "Right-Passw0rd!");
        var start = (await _wire.CallAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = client,
            ["AuthFlow"] = "USER_SRP_AUTH",
            ["AuthParameters"] = new JsonObject { ["USERNAME"] = "replay@example.com", ["SRP_A"] = "02" },
        })).Ok();
        Assert.Equal("PASSWORD_VERIFIER", start["ChallengeName"]!.GetValue<string>());
        var parameters = start["ChallengeParameters"]!;
        Assert.Equal(parameters["USERNAME"]!.GetValue<string>(), parameters["USER_ID_FOR_SRP"]!.GetValue<string>());
        Assert.True(Guid.TryParse(parameters["USER_ID_FOR_SRP"]!.GetValue<string>(), out _));
        JsonObject Answer() => new()
        {
            ["ClientId"] = client,
            ["ChallengeName"] = "PASSWORD_VERIFIER",
            ["ChallengeResponses"] = new JsonObject
            {
                ["USERNAME"] = parameters["USER_ID_FOR_SRP"]!.GetValue<string>(),
                ["PASSWORD_CLAIM_SECRET_BLOCK"] = parameters["SECRET_BLOCK"]!.GetValue<string>(),
                ["PASSWORD_CLAIM_SIGNATURE"] = Convert.ToBase64String(new byte[32]),
                ["TIMESTAMP"] = "Tue Nov 5 09:03:07 UTC 2024",
            },
        };
        (await _wire.CallAsync("RespondToAuthChallenge", Answer())).Fails("NotAuthorizedException", "Incorrect username or password.");
        (await _wire.CallAsync("RespondToAuthChallenge", Answer())).Fails("NotAuthorizedException", "Invalid session for the user, session is expired.");
    }
}
