using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests;

/// <summary>A server with a file store, restarted: pools, users, passwords and keys survive; secrets are not in the database in clear.</summary>
public sealed class PersistentGatehouse : GatehouseProcess
{
    public PersistentGatehouse() : this(Directory.CreateTempSubdirectory("gatehouse-identity-").FullName)
    {
    }

    private PersistentGatehouse(string directory) : base("--data", directory) => DataDirectory = directory;

    public string DataDirectory { get; }
}

public sealed class PersistenceTests : IClassFixture<PersistentGatehouse>
{
    private readonly PersistentGatehouse _server;

    public PersistenceTests(PersistentGatehouse server) => _server = server;

    [Fact]
    public async Task Restart_FileStore_UsersKeysAndRefreshTokensSurvive()
    {
        const string password = "Durable-Passw0rd!";
        string pool, client, refresh, jwks;
        using (var wire = new CognitoWire(_server))
        {
            pool = await wire.CreatePoolAsync(emailSignIn: true);
            client = (await wire.CreateClientAsync(pool, null, "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"))["ClientId"]!.GetValue<string>();
            await wire.CreateConfirmedUserAsync(pool, "durable@example.com", password, ("name", "Dee Urable"));
            (await wire.CallAsync("CreateGroup", new JsonObject { ["UserPoolId"] = pool, ["GroupName"] = "staff" })).Ok();
            (await wire.CallAsync("AdminAddUserToGroup", new JsonObject { ["UserPoolId"] = pool, ["GroupName"] = "staff", ["Username"] = "durable@example.com" })).Ok();
            refresh = (await wire.AdminPasswordSignInAsync(pool, client, "durable@example.com", password)).Ok()["AuthenticationResult"]!["RefreshToken"]!.GetValue<string>();
            jwks = await (await wire.GetAsync($"/{pool}/.well-known/jwks.json")).Content.ReadAsStringAsync();
        }

        Assert.Equal(0, _server.Terminate(TimeSpan.FromSeconds(20)));
        var database = await File.ReadAllBytesAsync(Path.Combine(_server.DataDirectory, "gatehouse.db"));
        Assert.DoesNotContain(password, Encoding.UTF8.GetString(database), StringComparison.Ordinal);
        _server.Start();

        using (var wire = new CognitoWire(_server))
        {
            Assert.Equal(jwks, await (await wire.GetAsync($"/{pool}/.well-known/jwks.json")).Content.ReadAsStringAsync());
            var signIn = (await wire.AdminPasswordSignInAsync(pool, client, "durable@example.com", password)).Ok();
            var id = Jwt.Payload(signIn["AuthenticationResult"]!["IdToken"]!.GetValue<string>());
            Assert.Equal("Dee Urable", id["name"]!.GetValue<string>());
            Assert.Equal(["staff"], id["cognito:groups"]!.AsArray().Select(g => g!.GetValue<string>()));
            (await wire.CallAsync("InitiateAuth", new JsonObject
            {
                ["ClientId"] = client,
                ["AuthFlow"] = "REFRESH_TOKEN_AUTH",
                ["AuthParameters"] = new JsonObject { ["REFRESH_TOKEN"] = refresh },
            })).Ok();
        }
    }
}
