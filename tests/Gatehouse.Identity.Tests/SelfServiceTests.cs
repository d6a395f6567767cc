using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests;

/// <summary>Sign-up and forgotten-password round trips through the local outbox; the user's own operations.</summary>
public sealed class SelfServiceTests : IClassFixture<GatehouseProcess>, IDisposable
{
    private readonly GatehouseProcess _server;
    private readonly CognitoWire _wire;

    public SelfServiceTests(GatehouseProcess server)
    {
        _server = server;
        _wire = new CognitoWire(server);
    }

    public void Dispose() => _wire.Dispose();

    private async Task<string> LatestCodeAsync(string pool, string purpose)
    {
        var outbox = JsonNode.Parse(await (await _wire.GetAsync($"/_gatehouse/outbox?poolId={pool}")).Content.ReadAsStringAsync())!;
        var message = outbox["messages"]!.AsArray().Last(m => m!["purpose"]!.GetValue<string>() == purpose)!;
        var code = message["code"]!.GetValue<string>();
        Assert.Contains(code, message["body"]!.GetValue<string>(), StringComparison.Ordinal);
        return code;
    }

    private async Task<(string Pool, string Client)> SetUpAsync()
    {
        var pool = await _wire.CreatePoolAsync(emailSignIn: true, new JsonObject { ["AutoVerifiedAttributes"] = new JsonArray("email") });
        var client = (await _wire.CreateClientAsync(pool, null, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"))["ClientId"]!.GetValue<string>();
        return (pool, client);
    }

    private Task<WireResult> SignInAsync(string client, string username, string password) =>
        _wire.CallAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = client,
            ["AuthFlow"] = "USER_PASSWORD_AUTH",
            ["AuthParameters"] = new JsonObject { ["USERNAME"] = username, ["PASSWORD"] = password },
        });

    [Fact]
    public async Task SignUp_CliWithCodeFromOutbox_ConfirmsAndSignsIn()
    {
        var (pool, client) = await SetUpAsync();
        var signUp = (await _server.AwsAsync("cognito-idp", "sign-up", "--client-id", client, "--username", "new@example.com",
            "--password", "SignUp-Passw0rd!", "--user-attributes", "Name=name,Value=New User")).EnsureSuccess().Json;
        Assert.False(signUp["UserConfirmed"]!.GetValue<bool>());
        Assert.Equal("n***@e***", signUp.Str("CodeDeliveryDetails.Destination"));
        Assert.Equal("EMAIL", signUp.Str("CodeDeliveryDetails.DeliveryMedium"));

        (await SignInAsync(client, "new@example.com", "SignUp-Passw0rd!")).Fails("UserNotConfirmedException", "User is not confirmed.");
        var code = await LatestCodeAsync(pool, "signup");
        var wrong = await _server.AwsAsync("cognito-idp", "confirm-sign-up", "--client-id", client, "--username", "new@example.com",
            "--confirmation-code", code == "000000" ? "111111" : "000000");
        Assert.Contains("CodeMismatchException", wrong.StandardError, StringComparison.Ordinal);
        (await _server.AwsAsync("cognito-idp", "confirm-sign-up", "--client-id", client, "--username", "new@example.com",
            "--confirmation-code", code)).EnsureSuccess();

        var tokens = (await SignInAsync(client, "new@example.com", "SignUp-Passw0rd!")).Ok();
        var id = Jwt.Payload(tokens["AuthenticationResult"]!["IdToken"]!.GetValue<string>());
        Assert.True(id["email_verified"]!.GetValue<bool>());
        Assert.Equal(signUp.Str("UserSub"), id["sub"]!.GetValue<string>());
        (await _wire.CallAsync("ConfirmSignUp", new JsonObject { ["ClientId"] = client, ["Username"] = "new@example.com", ["ConfirmationCode"] = code }))
            .Fails("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED");
    }

    [Fact]
    public async Task SignUp_ExistingEmail_UsernameExists()
    {
        var (_, client) = await SetUpAsync();
        var body = new JsonObject { ["ClientId"] = client, ["Username"] = "twice@example.com", ["Password"] = "SignUp-Passw0rd!" };
        (await _wire.CallAsync("SignUp", body)).Ok();
        (await _wire.CallAsync("SignUp", (JsonObject)body.DeepClone())).Fails("UsernameExistsException", "An account with the given email already exists.");
    }

    [Fact]
    public async Task SignUp_WeakPassword_InvalidPasswordAndNoUser()
    {
        var (pool, client) = await SetUpAsync();
        (await _wire.CallAsync("SignUp", new JsonObject { ["ClientId"] = client, ["Username"] = "weak@example.com", ["Password"] = "weakpassword" }))
            .Fails("InvalidPasswordException", "Password did not conform with policy: Password must have uppercase characters");
        var users = (await _wire.CallAsync("ListUsers", new JsonObject { ["UserPoolId"] = pool })).Ok();
        Assert.Empty(users["Users"]!.AsArray());
    }

    [Fact]
    public async Task ForgotPassword_CodeFromOutbox_SetsNewPassword()
    {
        var (pool, client) = await SetUpAsync();
        await _wire.CreateConfirmedUserAsync(pool, "forgot@example.com", "Old-Passw0rd!", ("email_verified", "true"));
        var sent = (await _wire.CallAsync("ForgotPassword", new JsonObject { ["ClientId"] = client, ["Username"] = "forgot@example.com" })).Ok();
        Assert.Equal("email", sent["CodeDeliveryDetails"]!["AttributeName"]!.GetValue<string>());
        var code = await LatestCodeAsync(pool, "reset");

        (await _wire.CallAsync("ConfirmForgotPassword", new JsonObject
        {
            ["ClientId"] = client, ["Username"] = "forgot@example.com", ["ConfirmationCode"] = code, ["Password"] = "short",
        })).Fails("InvalidPasswordException", "Password does not conform to policy: Password not long enough");
        (await _wire.CallAsync("ConfirmForgotPassword", new JsonObject
        {
            ["ClientId"] = client, ["Username"] = "forgot@example.com", ["ConfirmationCode"] = code, ["Password"] = "New-Passw0rd!",
        })).Ok();

        (await SignInAsync(client, "forgot@example.com", "New-Passw0rd!")).Ok();
        (await SignInAsync(client, "forgot@example.com", "Old-Passw0rd!")).Fails("NotAuthorizedException", "Incorrect username or password.");
        (await _wire.CallAsync("ConfirmForgotPassword", new JsonObject
        {
            ["ClientId"] = client, ["Username"] = "forgot@example.com", ["ConfirmationCode"] = code, ["Password"] = "Again-Passw0rd!",
        })).Fails("CodeMismatchException", "Invalid verification code provided, please try again.");
    }

    /// <summary>The repro: an invited user with an email (never verified) who completed NEW_PASSWORD_REQUIRED.</summary>
    private async Task<(string Pool, string Client)> InvitedUserWithUnverifiedEmailAsync(string username, JsonObject? clientSettings = null, params (string Name, string Value)[] extra)
    {
        var pool = await _wire.CreatePoolAsync();
        var client = (await _wire.CreateClientAsync(pool, clientSettings, "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"))["ClientId"]!.GetValue<string>();
        var attributes = new JsonArray(new JsonObject { ["Name"] = "email", ["Value"] = username + "@example.com" });
        foreach (var (name, value) in extra)
            attributes.Add(new JsonObject { ["Name"] = name, ["Value"] = value });
        (await _wire.CallAsync("AdminCreateUser", new JsonObject
        {
            ["UserPoolId"] = pool, ["Username"] = username, ["TemporaryPassword"] = "Temp-Passw0rd!", ["MessageAction"] = "SUPPRESS", ["UserAttributes"] = attributes,
        })).Ok();
        var session = (await _wire.AdminPasswordSignInAsync(pool, client, username, "Temp-Passw0rd!")).Ok()["Session"]!.GetValue<string>();
        (await _wire.CallAsync("AdminRespondToAuthChallenge", new JsonObject
        {
            ["UserPoolId"] = pool, ["ClientId"] = client, ["ChallengeName"] = "NEW_PASSWORD_REQUIRED", ["Session"] = session,
            ["ChallengeResponses"] = new JsonObject { ["USERNAME"] = username, ["NEW_PASSWORD"] = "Final-Passw0rd!" },
        })).Ok();
        return (pool, client);
    }

    private async Task<int> ResetMessagesAsync(string pool)
    {
        var outbox = JsonNode.Parse(await (await _wire.GetAsync($"/_gatehouse/outbox?poolId={pool}")).Content.ReadAsStringAsync())!;
        return outbox["messages"]!.AsArray().Count(m => m!["purpose"]!.GetValue<string>() == "reset");
    }

    [Fact]
    public async Task ForgotPassword_UnverifiedEmail_InvalidParameterAndNoCode()
    {
        var (pool, client) = await InvitedUserWithUnverifiedEmailAsync("unverified");
        var forgot = await _server.AwsAsync("cognito-idp", "forgot-password", "--client-id", client, "--username", "unverified");
        Assert.NotEqual(0, forgot.ExitCode);
        Assert.Contains("InvalidParameterException", forgot.StandardError, StringComparison.Ordinal);
        Assert.Contains("no registered/verified email or phone_number", forgot.StandardError, StringComparison.Ordinal);
        Assert.Equal(0, await ResetMessagesAsync(pool));

        // Once the email is verified, the code goes to it.
        (await _wire.CallAsync("AdminUpdateUserAttributes", new JsonObject
        {
            ["UserPoolId"] = pool, ["Username"] = "unverified",
            ["UserAttributes"] = new JsonArray(new JsonObject { ["Name"] = "email_verified", ["Value"] = "true" }),
        })).Ok();
        var sent = (await _wire.CallAsync("ForgotPassword", new JsonObject { ["ClientId"] = client, ["Username"] = "unverified" })).Ok();
        Assert.Equal("u***@e***", sent["CodeDeliveryDetails"]!["Destination"]!.GetValue<string>());
        Assert.Equal(1, await ResetMessagesAsync(pool));
    }

    [Fact]
    public async Task ForgotPassword_UnverifiedEmailPreventUserExistenceErrors_InvalidParameter()
    {
        var (pool, client) = await InvitedUserWithUnverifiedEmailAsync("hidden", new JsonObject { ["PreventUserExistenceErrors"] = "ENABLED" });
        (await _wire.CallAsync("ForgotPassword", new JsonObject { ["ClientId"] = client, ["Username"] = "hidden" }))
            .Fails("InvalidParameterException", "Cannot reset password for the user as there is no registered/verified email or phone_number");
        Assert.Equal(0, await ResetMessagesAsync(pool));
        // An unknown user still gets the simulated delivery.
        var fake = (await _wire.CallAsync("ForgotPassword", new JsonObject { ["ClientId"] = client, ["Username"] = "ghost" })).Ok();
        Assert.Equal("EMAIL", fake["CodeDeliveryDetails"]!["DeliveryMedium"]!.GetValue<string>());
    }

    [Fact]
    public async Task ForgotPassword_UnverifiedEmailVerifiedPhone_CodeToPhone()
    {
        var (pool, client) = await InvitedUserWithUnverifiedEmailAsync("phoned", null, ("phone_number", "+15555550123"), ("phone_number_verified", "true"));
        var sent = (await _wire.CallAsync("ForgotPassword", new JsonObject { ["ClientId"] = client, ["Username"] = "phoned" })).Ok();
        Assert.Equal("phone_number", sent["CodeDeliveryDetails"]!["AttributeName"]!.GetValue<string>());
        Assert.Equal("SMS", sent["CodeDeliveryDetails"]!["DeliveryMedium"]!.GetValue<string>());
        Assert.Equal(1, await ResetMessagesAsync(pool));
    }

    [Fact]
    public async Task ForgotPassword_UnknownUserLegacy_UserNotFound()
    {
        var (_, client) = await SetUpAsync();
        (await _wire.CallAsync("ForgotPassword", new JsonObject { ["ClientId"] = client, ["Username"] = "ghost@example.com" }))
            .Fails("UserNotFoundException", "Username/client id combination not found.");
    }

    [Fact]
    public async Task AdminResetUserPassword_ConfirmedUser_SignInNeedsReset()
    {
        var (pool, client) = await SetUpAsync();
        await _wire.CreateConfirmedUserAsync(pool, "reset@example.com", "Old-Passw0rd!");
        (await _wire.CallAsync("AdminResetUserPassword", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "reset@example.com" })).Ok();
        (await SignInAsync(client, "reset@example.com", "Old-Passw0rd!")).Fails("PasswordResetRequiredException", "Password reset required for the user");
        var code = await LatestCodeAsync(pool, "reset");
        (await _wire.CallAsync("ConfirmForgotPassword", new JsonObject
        {
            ["ClientId"] = client, ["Username"] = "reset@example.com", ["ConfirmationCode"] = code, ["Password"] = "New-Passw0rd!",
        })).Ok();
        (await SignInAsync(client, "reset@example.com", "New-Passw0rd!")).Ok();
    }

    [Fact]
    public async Task AccessTokenOperations_SignedInUser_ReadUpdateChangePasswordDelete()
    {
        var (pool, client) = await SetUpAsync();
        await _wire.CreateConfirmedUserAsync(pool, "self@example.com", "Self-Passw0rd!", ("name", "Self"));
        var access = (await SignInAsync(client, "self@example.com", "Self-Passw0rd!")).Ok()["AuthenticationResult"]!["AccessToken"]!.GetValue<string>();

        var user = (await _wire.CallAsync("GetUser", new JsonObject { ["AccessToken"] = access })).Ok();
        Assert.Contains(user["UserAttributes"]!.AsArray(), a => a!["Name"]!.GetValue<string>() == "name" && a["Value"]!.GetValue<string>() == "Self");

        (await _wire.CallAsync("UpdateUserAttributes", new JsonObject
        {
            ["AccessToken"] = access,
            ["UserAttributes"] = new JsonArray(new JsonObject { ["Name"] = "given_name", ["Value"] = "Selma" }),
        })).Ok();
        (await _wire.CallAsync("DeleteUserAttributes", new JsonObject { ["AccessToken"] = access, ["UserAttributeNames"] = new JsonArray("name") })).Ok();
        var after = (await _wire.CallAsync("GetUser", new JsonObject { ["AccessToken"] = access })).Ok()["UserAttributes"]!.AsArray();
        Assert.Contains(after, a => a!["Name"]!.GetValue<string>() == "given_name");
        Assert.DoesNotContain(after, a => a!["Name"]!.GetValue<string>() == "name");

        (await _wire.CallAsync("ChangePassword", new JsonObject { ["AccessToken"] = access, ["PreviousPassword"] = "Wrong-Passw0rd!", ["ProposedPassword"] = "Next-Passw0rd!" }))
            .Fails("NotAuthorizedException", "Incorrect username or password.");
        (await _wire.CallAsync("ChangePassword", new JsonObject { ["AccessToken"] = access, ["PreviousPassword"] = "Self-Passw0rd!", ["ProposedPassword"] = "Next-Passw0rd!" })).Ok();
        (await SignInAsync(client, "self@example.com", "Next-Passw0rd!")).Ok();

        (await _wire.CallAsync("DeleteUser", new JsonObject { ["AccessToken"] = access })).Ok();
        (await SignInAsync(client, "self@example.com", "Next-Passw0rd!")).Fails("UserNotFoundException", "User does not exist.");
    }

    [Fact]
    public async Task GetUser_ForgedOrGarbledToken_InvalidAccessToken()
    {
        var (pool, client) = await SetUpAsync();
        await _wire.CreateConfirmedUserAsync(pool, "forge@example.com", "Forge-Passw0rd!");
        var access = (await SignInAsync(client, "forge@example.com", "Forge-Passw0rd!")).Ok()["AuthenticationResult"]!["AccessToken"]!.GetValue<string>();
        var parts = access.Split('.');
        var forged = parts[0] + "." + parts[1] + "." + parts[2][..^4] + (parts[2].EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        foreach (var token in new[] { "garbage", forged, access.Replace(parts[1], parts[1][..^2] + "xx", StringComparison.Ordinal) })
            (await _wire.CallAsync("GetUser", new JsonObject { ["AccessToken"] = token })).Fails("NotAuthorizedException", "Invalid Access Token");
    }
}
