using System.Diagnostics;
using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests;

/// <summary>The AWS SDK for JavaScript v3 and boto3 against a started server: shapes and modeled exceptions as they parse them.</summary>
public sealed class SdkClientTests : IClassFixture<GatehouseProcess>, IDisposable
{
    private readonly GatehouseProcess _server;
    private readonly CognitoWire _wire;

    public SdkClientTests(GatehouseProcess server)
    {
        _server = server;
        _wire = new CognitoWire(server);
    }

    public void Dispose() => _wire.Dispose();

    [Fact]
    public async Task JavaScriptSdkV3_PasswordSignInGetUserRefresh_AsCognito()
    {
        var pool = await _wire.CreatePoolAsync(emailSignIn: true);
        var client = (await _wire.CreateClientAsync(pool, null, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"))["ClientId"]!.GetValue<string>();
        await _wire.CreateConfirmedUserAsync(pool, "js@example.com", "Js-Passw0rd!", ("name", "Jay Ess"));

        var seen = (await ProcessRunner.NodeAsync("identity/sdk-v3-flow.mjs", null, _server.Endpoint.ToString().TrimEnd('/'), client, "js@example.com", "Js-Passw0rd!"))
            .EnsureSuccess().Json;

        Assert.Equal(3600, seen["expiresIn"]!.GetValue<int>());
        Assert.True(Guid.TryParse(seen.Str("username"), out _));
        Assert.Contains(seen["attributes"]!.AsArray(), a => a!["Name"]!.GetValue<string>() == "name" && a["Value"]!.GetValue<string>() == "Jay Ess");
        Assert.True(seen["refreshedHasAccessToken"]!.GetValue<bool>());
        Assert.Null(seen["refreshedRefreshToken"]);
        Assert.Equal("NotAuthorizedException", seen["wrong"]!.Str("name"));
        Assert.Equal("Incorrect username or password.", seen["wrong"]!.Str("message"));
        Assert.True(seen["wrong"]!["modeled"]!.GetValue<bool>());
        Assert.Equal(400, seen["wrong"]!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task Boto3_AdminFlowAndPaginator_ModeledExceptions()
    {
        var pool = await _wire.CreatePoolAsync(emailSignIn: true);
        var client = (await _wire.CreateClientAsync(pool, null, "ALLOW_ADMIN_USER_PASSWORD_AUTH"))["ClientId"]!.GetValue<string>();
        await _wire.CreateConfirmedUserAsync(pool, "other@example.com", "Other-Passw0rd!");

        var info = new ProcessStartInfo("python3") { WorkingDirectory = Repository.NodeClients };
        foreach (var argument in new[] { "identity/boto3_flow.py", _server.Endpoint.ToString().TrimEnd('/'), pool, client })
            info.ArgumentList.Add(argument);
        info.Environment["AWS_CONFIG_FILE"] = "/nonexistent/gatehouse-config";
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/gatehouse-credentials";
        var seen = (await ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(120))).EnsureSuccess().Json;

        Assert.Equal("Bearer", seen.Str("tokenType"));
        Assert.Equal("Incorrect username or password.", seen.Str("wrongPassword"));
        Assert.Equal("User does not exist.", seen.Str("unknownUser"));
        Assert.Equal("User pool us-east-1_Missing00 does not exist.", seen.Str("unknownPool"));
        Assert.Equal(2, seen["listed"]!.AsArray().Count);
    }
}
