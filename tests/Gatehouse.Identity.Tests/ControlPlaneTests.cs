using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests;

/// <summary>Pools, app clients, users and groups through the AWS CLI and the wire; bad input gets AWS errors, never a 500.</summary>
public sealed class ControlPlaneTests : IClassFixture<GatehouseProcess>, IDisposable
{
    private readonly GatehouseProcess _server;
    private readonly CognitoWire _wire;

    public ControlPlaneTests(GatehouseProcess server)
    {
        _server = server;
        _wire = new CognitoWire(server);
    }

    public void Dispose() => _wire.Dispose();

    [Fact]
    public async Task ListUserPools_CliPagination_ReturnsEveryPool()
    {
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
            created.Add(await _wire.CreatePoolAsync());
        // The CLI does not paginate when --max-results (the limit key) is given: follow NextToken by hand.
        var ids = new List<string>();
        string? next = null;
        do
        {
            string[] arguments = next is null
                ? ["cognito-idp", "list-user-pools", "--max-results", "1"]
                : ["cognito-idp", "list-user-pools", "--max-results", "1", "--next-token", next];
            var page = (await _server.AwsAsync(arguments)).EnsureSuccess().Json;
            var pools = page["UserPools"]!.AsArray();
            Assert.True(pools.Count <= 1);
            ids.AddRange(pools.Select(p => p!["Id"]!.GetValue<string>()));
            next = page["NextToken"]?.GetValue<string>();
        }
        while (next is not null);
        Assert.All(created, id => Assert.Contains(id, ids));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task CreateUserPool_PolicyAndCustomSchema_DescribedBack()
    {
        var pool = (await _server.AwsAsync("cognito-idp", "create-user-pool", "--pool-name", "described",
            "--policies", "PasswordPolicy={MinimumLength=10,RequireUppercase=false,RequireLowercase=true,RequireNumbers=false,RequireSymbols=false,TemporaryPasswordValidityDays=3}",
            "--schema", "Name=team,AttributeDataType=String,Mutable=true",
            "--username-configuration", "CaseSensitive=false", "--user-pool-tags", "env=test")).EnsureSuccess().Json;
        var id = pool.Str("UserPool.Id");
        var described = (await _server.AwsAsync("cognito-idp", "describe-user-pool", "--user-pool-id", id)).EnsureSuccess().Json["UserPool"]!;
        Assert.Equal(10, described["Policies"]!["PasswordPolicy"]!["MinimumLength"]!.GetValue<int>());
        Assert.False(described["Policies"]!["PasswordPolicy"]!["RequireUppercase"]!.GetValue<bool>());
        Assert.Contains(described["SchemaAttributes"]!.AsArray(), a => a!["Name"]!.GetValue<string>() == "custom:team");
        Assert.Equal("test", described["UserPoolTags"]!["env"]!.GetValue<string>());
        Assert.Equal($"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}", described.Str("Arn"));
        Assert.False(described["UsernameConfiguration"]!["CaseSensitive"]!.GetValue<bool>());

        // Case-insensitive usernames; the custom attribute is accepted, an unknown one is not.
        (await _wire.CallAsync("AdminCreateUser", new JsonObject
        {
            ["UserPoolId"] = id, ["Username"] = "MixedCase", ["MessageAction"] = "SUPPRESS",
            ["UserAttributes"] = new JsonArray(new JsonObject { ["Name"] = "custom:team", ["Value"] = "blue" }),
        })).Ok();
        Assert.Equal("MixedCase", (await _wire.CallAsync("AdminGetUser", new JsonObject { ["UserPoolId"] = id, ["Username"] = "mixedcase" })).Ok()["Username"]!.GetValue<string>());
        (await _wire.CallAsync("AdminCreateUser", new JsonObject
        {
            ["UserPoolId"] = id, ["Username"] = "other", ["MessageAction"] = "SUPPRESS",
            ["UserAttributes"] = new JsonArray(new JsonObject { ["Name"] = "custom:nope", ["Value"] = "x" }),
        })).Fails("InvalidParameterException", "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.");
        (await _wire.CallAsync("AdminGetUser", new JsonObject { ["UserPoolId"] = id, ["Username"] = "other" })).Fails("UserNotFoundException", "User does not exist.");
    }

    [Fact]
    public async Task DeleteUserPool_DeletionProtection_RefusedUntilInactive()
    {
        var pool = await _wire.CreatePoolAsync(extra: new JsonObject { ["DeletionProtection"] = "ACTIVE" });
        (await _wire.CallAsync("DeleteUserPool", new JsonObject { ["UserPoolId"] = pool })).Fails("InvalidParameterException");
        (await _wire.CallAsync("UpdateUserPool", new JsonObject { ["UserPoolId"] = pool, ["DeletionProtection"] = "INACTIVE" })).Ok();
        (await _wire.CallAsync("DeleteUserPool", new JsonObject { ["UserPoolId"] = pool })).Ok();
        (await _wire.CallAsync("DescribeUserPool", new JsonObject { ["UserPoolId"] = pool })).Fails("ResourceNotFoundException", $"User pool {pool} does not exist.");
        Assert.Equal(404, (int)(await _wire.GetAsync($"/{pool}/.well-known/jwks.json")).StatusCode);
    }

    [Fact]
    public async Task GetSigningCertificate_Pool_CertificateHoldsIdTokenKey()
    {
        var pool = await _wire.CreatePoolAsync();
        var certificate = (await _server.AwsAsync("cognito-idp", "get-signing-certificate", "--user-pool-id", pool)).EnsureSuccess().Json.Str("Certificate");
        using var x509 = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(certificate));
        using var rsa = x509.GetRSAPublicKey()!;
        var modulus = System.Buffers.Text.Base64Url.EncodeToString(rsa.ExportParameters(false).Modulus);
        var jwks = JsonNode.Parse(await (await _wire.GetAsync($"/{pool}/.well-known/jwks.json")).Content.ReadAsStringAsync())!;
        Assert.Contains(jwks["keys"]!.AsArray(), k => k!["n"]!.GetValue<string>() == modulus);
    }

    [Fact]
    public async Task UserPoolClient_CreateUpdateListDelete_AsCognito()
    {
        var pool = await _wire.CreatePoolAsync();
        var created = (await _server.AwsAsync("cognito-idp", "create-user-pool-client", "--user-pool-id", pool, "--client-name", "web",
            "--generate-secret", "--access-token-validity", "30", "--token-validity-units", "AccessToken=minutes")).EnsureSuccess().Json["UserPoolClient"]!;
        var clientId = created.Str("ClientId");
        Assert.Matches("^[a-z0-9]{26}$", clientId);
        Assert.Matches("^[a-z0-9]{51}$", created.Str("ClientSecret"));
        Assert.Equal(30, created["AccessTokenValidity"]!.GetValue<int>());
        Assert.True(created["EnableTokenRevocation"]!.GetValue<bool>());

        (await _wire.CallAsync("UpdateUserPoolClient", new JsonObject
        {
            ["UserPoolId"] = pool, ["ClientId"] = clientId, ["ClientName"] = "renamed",
            ["ExplicitAuthFlows"] = new JsonArray("ALLOW_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"),
        })).Fails("InvalidParameterException");
        var updated = (await _wire.CallAsync("UpdateUserPoolClient", new JsonObject { ["UserPoolId"] = pool, ["ClientId"] = clientId, ["ClientName"] = "renamed" })).Ok()["UserPoolClient"]!;
        Assert.Equal("renamed", updated["ClientName"]!.GetValue<string>());
        Assert.Null(updated["AccessTokenValidity"]);
        Assert.Equal(created.Str("ClientSecret"), updated["ClientSecret"]!.GetValue<string>());

        var listed = (await _server.AwsAsync("cognito-idp", "list-user-pool-clients", "--user-pool-id", pool)).EnsureSuccess().Json;
        Assert.Equal("renamed", listed["UserPoolClients"]![0]!["ClientName"]!.GetValue<string>());
        (await _wire.CallAsync("DeleteUserPoolClient", new JsonObject { ["UserPoolId"] = pool, ["ClientId"] = clientId })).Ok();
        (await _wire.CallAsync("DescribeUserPoolClient", new JsonObject { ["UserPoolId"] = pool, ["ClientId"] = clientId }))
            .Fails("ResourceNotFoundException", $"User pool client {clientId} does not exist.");
        (await _wire.CallAsync("CreateUserPoolClient", new JsonObject { ["UserPoolId"] = pool, ["ClientName"] = "x", ["AccessTokenValidity"] = 2, ["TokenValidityUnits"] = new JsonObject { ["AccessToken"] = "days" } }))
            .Fails("InvalidParameterException");
    }

    [Fact]
    public async Task AdminCreateUser_EmailPool_ValidatesAndRefusesDuplicates()
    {
        var pool = await _wire.CreatePoolAsync(emailSignIn: true);
        JsonObject Create(string username) => new() { ["UserPoolId"] = pool, ["Username"] = username, ["MessageAction"] = "SUPPRESS" };
        (await _wire.CallAsync("AdminCreateUser", Create("not-an-email"))).Fails("InvalidParameterException", "Username should be an email.");
        (await _wire.CallAsync("AdminCreateUser", Create("dup@example.com"))).Ok();
        (await _wire.CallAsync("AdminCreateUser", Create("DUP@example.com"))).Fails("UsernameExistsException", "An account with the given email already exists.");
        var oversize = Create("big@example.com");
        oversize["UserAttributes"] = new JsonArray(new JsonObject { ["Name"] = "name", ["Value"] = new string('x', 2049) });
        (await _wire.CallAsync("AdminCreateUser", oversize)).Fails("InvalidParameterException");
        var users = (await _wire.CallAsync("ListUsers", new JsonObject { ["UserPoolId"] = pool })).Ok()["Users"]!.AsArray();
        Assert.Single(users);
    }

    [Fact]
    public async Task ListUsers_FilterLimitAndAttributesToGet_AsCognito()
    {
        var pool = await _wire.CreatePoolAsync();
        foreach (var (name, email) in new[] { ("ann", "ann@corp.example"), ("bob", "bob@corp.example"), ("cid", "cid@home.example") })
        {
            (await _wire.CallAsync("AdminCreateUser", new JsonObject
            {
                ["UserPoolId"] = pool, ["Username"] = name, ["MessageAction"] = "SUPPRESS",
                ["UserAttributes"] = new JsonArray(new JsonObject { ["Name"] = "email", ["Value"] = email }),
            })).Ok();
        }
        var filtered = (await _server.AwsAsync("cognito-idp", "list-users", "--user-pool-id", pool, "--filter", "email ^= \"ann\"")).EnsureSuccess().Json;
        Assert.Equal(["ann"], filtered["Users"]!.AsArray().Select(u => u!["Username"]!.GetValue<string>()));

        var page = (await _wire.CallAsync("ListUsers", new JsonObject { ["UserPoolId"] = pool, ["Limit"] = 2, ["AttributesToGet"] = new JsonArray("email") })).Ok();
        Assert.Equal(2, page["Users"]!.AsArray().Count);
        Assert.All(page["Users"]!.AsArray(), u => Assert.Equal(["email"], u!["Attributes"]!.AsArray().Select(a => a!["Name"]!.GetValue<string>())));
        var rest = (await _wire.CallAsync("ListUsers", new JsonObject { ["UserPoolId"] = pool, ["PaginationToken"] = page["PaginationToken"]!.GetValue<string>() })).Ok();
        Assert.Single(rest["Users"]!.AsArray());
        Assert.Null(rest["PaginationToken"]);

        (await _wire.CallAsync("ListUsers", new JsonObject { ["UserPoolId"] = pool, ["Filter"] = "email = ann" })).Fails("InvalidParameterException", "Error while parsing filter.");
        var status = (await _wire.CallAsync("ListUsers", new JsonObject { ["UserPoolId"] = pool, ["Filter"] = "cognito:user_status = \"FORCE_CHANGE_PASSWORD\"" })).Ok();
        Assert.Equal(3, status["Users"]!.AsArray().Count);
    }

    [Fact]
    public async Task AdminUpdateAndDeleteUserAttributes_ChangedEmail_BecomesUnverified()
    {
        var pool = await _wire.CreatePoolAsync();
        (await _wire.CallAsync("AdminCreateUser", new JsonObject
        {
            ["UserPoolId"] = pool, ["Username"] = "dora", ["MessageAction"] = "SUPPRESS",
            ["UserAttributes"] = new JsonArray(
                new JsonObject { ["Name"] = "email", ["Value"] = "dora@example.com" },
                new JsonObject { ["Name"] = "email_verified", ["Value"] = "true" },
                new JsonObject { ["Name"] = "nickname", ["Value"] = "D" }),
        })).Ok();
        (await _wire.CallAsync("AdminUpdateUserAttributes", new JsonObject
        {
            ["UserPoolId"] = pool, ["Username"] = "dora",
            ["UserAttributes"] = new JsonArray(new JsonObject { ["Name"] = "email", ["Value"] = "dora@new.example" }),
        })).Ok();
        (await _wire.CallAsync("AdminDeleteUserAttributes", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "dora", ["UserAttributeNames"] = new JsonArray("nickname") })).Ok();
        (await _wire.CallAsync("AdminUpdateUserAttributes", new JsonObject
        {
            ["UserPoolId"] = pool, ["Username"] = "dora",
            ["UserAttributes"] = new JsonArray(new JsonObject { ["Name"] = "sub", ["Value"] = "x" }),
        })).Fails("InvalidParameterException");

        var user = (await _wire.CallAsync("AdminGetUser", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "dora" })).Ok();
        var attributes = user["UserAttributes"]!.AsArray().ToDictionary(a => a!["Name"]!.GetValue<string>(), a => a!["Value"]!.GetValue<string>());
        Assert.Equal("dora@new.example", attributes["email"]);
        Assert.Equal("false", attributes["email_verified"]);
        Assert.False(attributes.ContainsKey("nickname"));
    }

    [Fact]
    public async Task Groups_MembershipByPrecedence_InTokensAndListings()
    {
        var pool = await _wire.CreatePoolAsync();
        var client = (await _wire.CreateClientAsync(pool, null, "ALLOW_ADMIN_USER_PASSWORD_AUTH"))["ClientId"]!.GetValue<string>();
        await _wire.CreateConfirmedUserAsync(pool, "gus", "Group-Passw0rd!");
        (await _server.AwsAsync("cognito-idp", "create-group", "--user-pool-id", pool, "--group-name", "readers", "--precedence", "5")).EnsureSuccess();
        (await _server.AwsAsync("cognito-idp", "create-group", "--user-pool-id", pool, "--group-name", "admins", "--precedence", "1",
            "--role-arn", "arn:aws:iam::000000000000:role/admin")).EnsureSuccess();
        (await _wire.CallAsync("CreateGroup", new JsonObject { ["UserPoolId"] = pool, ["GroupName"] = "admins" })).Fails("GroupExistsException");
        foreach (var group in new[] { "readers", "admins" })
            (await _server.AwsAsync("cognito-idp", "admin-add-user-to-group", "--user-pool-id", pool, "--username", "gus", "--group-name", group)).EnsureSuccess();
        (await _wire.CallAsync("AdminAddUserToGroup", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "gus", ["GroupName"] = "nope" }))
            .Fails("ResourceNotFoundException", "Group not found.");

        var tokens = (await _wire.AdminPasswordSignInAsync(pool, client, "gus", "Group-Passw0rd!")).Ok()["AuthenticationResult"]!;
        var access = Jwt.Payload(tokens["AccessToken"]!.GetValue<string>());
        Assert.Equal(["admins", "readers"], access["cognito:groups"]!.AsArray().Select(g => g!.GetValue<string>()));
        var id = Jwt.Payload(tokens["IdToken"]!.GetValue<string>());
        Assert.Equal("arn:aws:iam::000000000000:role/admin", id["cognito:preferred_role"]!.GetValue<string>());

        var inGroup = (await _server.AwsAsync("cognito-idp", "list-users-in-group", "--user-pool-id", pool, "--group-name", "readers")).EnsureSuccess().Json;
        Assert.Equal("gus", inGroup["Users"]![0]!["Username"]!.GetValue<string>());
        (await _wire.CallAsync("AdminRemoveUserFromGroup", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "gus", ["GroupName"] = "readers" })).Ok();
        (await _wire.CallAsync("DeleteGroup", new JsonObject { ["UserPoolId"] = pool, ["GroupName"] = "admins" })).Ok();
        var groups = (await _wire.CallAsync("AdminListGroupsForUser", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "gus" })).Ok();
        Assert.Empty(groups["Groups"]!.AsArray());
        var after = Jwt.Payload((await _wire.AdminPasswordSignInAsync(pool, client, "gus", "Group-Passw0rd!")).Ok()["AuthenticationResult"]!["AccessToken"]!.GetValue<string>());
        Assert.Null(after["cognito:groups"]);
    }

    [Fact]
    public async Task MalformedRequests_AnyOperation_ClientErrorNeverServerError()
    {
        var pool = await _wire.CreatePoolAsync();
        var bodies = new (string Operation, string Body)[]
        {
            ("CreateUserPool", "{not json"),
            ("CreateUserPool", "[]"),
            ("CreateUserPool", "{\"PoolName\": 5}"),
            ("AdminCreateUser", $"{{\"UserPoolId\":\"{pool}\",\"Username\":\"\"}}"),
            ("AdminCreateUser", $"{{\"UserPoolId\":\"{pool}\",\"Username\":\"x\",\"UserAttributes\":[{{\"Value\":\"y\"}}]}}"),
            ("InitiateAuth", "{\"ClientId\":\"abc\",\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"AuthParameters\":{\"USERNAME\":1}}"),
            ("RespondToAuthChallenge", "{\"ClientId\":\"abc\",\"ChallengeName\":\"NEW_PASSWORD_REQUIRED\"}"),
            ("ListUsers", $"{{\"UserPoolId\":\"{pool}\",\"Limit\":1000}}"),
            ("ListUsers", $"{{\"UserPoolId\":\"{pool}\",\"PaginationToken\":\"!!!\"}}"),
            ("GetUser", "{\"AccessToken\":\"a.b.c\"}"),
            ("DescribeUserPool", "{\"UserPoolId\":\"bad id with spaces\"}"),
        };
        foreach (var (operation, body) in bodies)
        {
            var result = await _wire.CallRawAsync(operation, body);
            Assert.True(result.Status is >= 400 and < 500, $"{operation} {body} -> {result.Status} {result.Body.ToJsonString()}");
            Assert.NotNull(result.Body["__type"]);
        }
    }
}
