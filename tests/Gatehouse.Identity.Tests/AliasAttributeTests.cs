using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests;

/// <summary>
/// Pools with alias attributes (email, preferred_username): an email counts as a sign-in alias only
/// once verified; a verified one another user holds raises AliasExistsException unless
/// ForceAliasCreation moves it (the previous holder's email_verified becomes false). Runs against a
/// file store, so the moved alias is also checked after a restart.
/// </summary>
public sealed class AliasAttributeTests : IClassFixture<PersistentGatehouse>
{
    private const string Password = "Alias-Passw0rd!";
    private readonly PersistentGatehouse _server;

    public AliasAttributeTests(PersistentGatehouse server) => _server = server;

    private static async Task<(string Pool, string Client)> SetUpAsync(CognitoWire wire)
    {
        var pool = await wire.CreatePoolAsync(extra: new JsonObject
        {
            ["AliasAttributes"] = new JsonArray("email", "preferred_username"),
            ["AutoVerifiedAttributes"] = new JsonArray("email"),
        });
        var client = (await wire.CreateClientAsync(pool, null, "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"))["ClientId"]!.GetValue<string>();
        return (pool, client);
    }

    private static JsonArray Attributes(params (string Name, string Value)[] attributes) =>
        new(attributes.Select(a => (JsonNode)new JsonObject { ["Name"] = a.Name, ["Value"] = a.Value }).ToArray());

    private static Task<WireResult> CreateUserAsync(CognitoWire wire, string pool, string username, bool force, params (string Name, string Value)[] attributes) =>
        wire.CallAsync("AdminCreateUser", new JsonObject
        {
            ["UserPoolId"] = pool,
            ["Username"] = username,
            ["MessageAction"] = "SUPPRESS",
            ["ForceAliasCreation"] = force,
            ["UserAttributes"] = Attributes(attributes),
        });

    private static async Task CreateConfirmedAsync(CognitoWire wire, string pool, string username, params (string Name, string Value)[] attributes)
    {
        (await CreateUserAsync(wire, pool, username, false, attributes)).Ok();
        (await wire.CallAsync("AdminSetUserPassword", new JsonObject { ["UserPoolId"] = pool, ["Username"] = username, ["Password"] = Password, ["Permanent"] = true })).Ok();
    }

    /// <summary>The username a sign-in with <paramref name="name"/> lands on (from the ID token).</summary>
    private static async Task<string> SignedInAsAsync(CognitoWire wire, string pool, string client, string name)
    {
        var tokens = (await wire.AdminPasswordSignInAsync(pool, client, name, Password)).Ok();
        return Jwt.Payload(tokens["AuthenticationResult"]!["IdToken"]!.GetValue<string>())["cognito:username"]!.GetValue<string>();
    }

    private static async Task<Dictionary<string, string>> AttributesOfAsync(CognitoWire wire, string pool, string username)
    {
        var user = (await wire.CallAsync("AdminGetUser", new JsonObject { ["UserPoolId"] = pool, ["Username"] = username })).Ok();
        return user["UserAttributes"]!.AsArray().ToDictionary(a => a!["Name"]!.GetValue<string>(), a => a!["Value"]!.GetValue<string>());
    }

    [Fact]
    public async Task SignIn_UnverifiedEmail_NotAnAliasUntilVerified()
    {
        using var wire = new CognitoWire(_server);
        var (pool, client) = await SetUpAsync(wire);
        await CreateConfirmedAsync(wire, pool, "alice", ("email", "alice@example.com"), ("preferred_username", "ally"));

        (await wire.AdminPasswordSignInAsync(pool, client, "alice@example.com", Password)).Fails("UserNotFoundException", "User does not exist.");
        // preferred_username needs no verification.
        Assert.Equal("alice", await SignedInAsAsync(wire, pool, client, "ally"));

        (await wire.CallAsync("AdminUpdateUserAttributes", new JsonObject
        {
            ["UserPoolId"] = pool, ["Username"] = "alice", ["UserAttributes"] = Attributes(("email_verified", "true")),
        })).Ok();
        Assert.Equal("alice", await SignedInAsAsync(wire, pool, client, "alice@example.com"));
    }

    [Fact]
    public async Task AdminCreateUser_SameUnverifiedEmail_BothCreatedAndVerifyingOneTakesTheAlias()
    {
        using var wire = new CognitoWire(_server);
        var (pool, client) = await SetUpAsync(wire);
        await CreateConfirmedAsync(wire, pool, "first", ("email", "shared@example.com"));
        await CreateConfirmedAsync(wire, pool, "second", ("email", "shared@example.com"));

        var verify = new JsonObject { ["UserPoolId"] = pool, ["Username"] = "second", ["UserAttributes"] = Attributes(("email_verified", "true")) };
        (await wire.CallAsync("AdminUpdateUserAttributes", verify)).Ok();
        Assert.Equal("second", await SignedInAsAsync(wire, pool, client, "shared@example.com"));

        // AdminUpdateUserAttributes has no ForceAliasCreation: the alias stays with its holder.
        verify["Username"] = "first";
        (await wire.CallAsync("AdminUpdateUserAttributes", verify)).Fails("AliasExistsException", "An account with the given email already exists.");
        Assert.Equal("second", await SignedInAsAsync(wire, pool, client, "shared@example.com"));
        Assert.False((await AttributesOfAsync(wire, pool, "first")).ContainsKey("email_verified"));
    }

    [Fact]
    public async Task AdminCreateUser_VerifiedEmailHeldByAnother_AliasExistsUnlessForcedThenMovesAndPersists()
    {
        string pool, client;
        using (var wire = new CognitoWire(_server))
        {
            (pool, client) = await SetUpAsync(wire);
            await CreateConfirmedAsync(wire, pool, "old", ("email", "moving@example.com"), ("email_verified", "true"));
            Assert.Equal("old", await SignedInAsAsync(wire, pool, client, "moving@example.com"));

            (await CreateUserAsync(wire, pool, "new", false, ("email", "Moving@example.com"), ("email_verified", "true")))
                .Fails("AliasExistsException", "An account with the given email already exists.");
            (await wire.CallAsync("AdminGetUser", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "new" })).Fails("UserNotFoundException");
            // Unverified, the same email is no alias: ForceAliasCreation is ignored and nothing moves.
            (await CreateUserAsync(wire, pool, "plain", true, ("email", "moving@example.com"))).Ok();
            Assert.Equal("true", (await AttributesOfAsync(wire, pool, "old"))["email_verified"]);

            (await CreateUserAsync(wire, pool, "new", true, ("email", "moving@example.com"), ("email_verified", "true"))).Ok();
            (await wire.CallAsync("AdminSetUserPassword", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "new", ["Password"] = Password, ["Permanent"] = true })).Ok();
            Assert.Equal("new", await SignedInAsAsync(wire, pool, client, "moving@example.com"));
            var old = await AttributesOfAsync(wire, pool, "old");
            Assert.Equal("moving@example.com", old["email"]);
            Assert.Equal("false", old["email_verified"]);
            Assert.Equal("old", await SignedInAsAsync(wire, pool, client, "old"));
        }

        Assert.Equal(0, _server.Terminate(TimeSpan.FromSeconds(20)));
        _server.Start();

        using (var wire = new CognitoWire(_server))
        {
            Assert.Equal("new", await SignedInAsAsync(wire, pool, client, "moving@example.com"));
            Assert.Equal("false", (await AttributesOfAsync(wire, pool, "old"))["email_verified"]);
        }
    }

    [Fact]
    public async Task ConfirmSignUp_EmailHeldByAnother_AliasExistsUnlessForceAliasCreation()
    {
        using var wire = new CognitoWire(_server);
        var (pool, client) = await SetUpAsync(wire);
        await CreateConfirmedAsync(wire, pool, "holder", ("email", "taken@example.com"), ("email_verified", "true"));

        // Sign-up itself succeeds: the new user's email is not verified, so not yet an alias.
        (await wire.CallAsync("SignUp", new JsonObject
        {
            ["ClientId"] = client, ["Username"] = "joiner", ["Password"] = Password, ["UserAttributes"] = Attributes(("email", "taken@example.com")),
        })).Ok();
        var outbox = JsonNode.Parse(await (await wire.GetAsync($"/_gatehouse/outbox?poolId={pool}&username=joiner")).Content.ReadAsStringAsync())!;
        var code = outbox["messages"]!.AsArray().Last(m => m!["purpose"]!.GetValue<string>() == "signup")!["code"]!.GetValue<string>();

        var confirm = new JsonObject { ["ClientId"] = client, ["Username"] = "joiner", ["ConfirmationCode"] = code };
        (await wire.CallAsync("ConfirmSignUp", confirm)).Fails("AliasExistsException", "An account with the given email already exists.");
        Assert.Equal("holder", await SignedInAsAsync(wire, pool, client, "taken@example.com"));

        // The refused confirmation left the code usable.
        confirm["ForceAliasCreation"] = true;
        (await wire.CallAsync("ConfirmSignUp", confirm)).Ok();
        Assert.Equal("joiner", await SignedInAsAsync(wire, pool, client, "taken@example.com"));
        Assert.Equal("false", (await AttributesOfAsync(wire, pool, "holder"))["email_verified"]);
        Assert.Equal("true", (await AttributesOfAsync(wire, pool, "joiner"))["email_verified"]);
    }
}
