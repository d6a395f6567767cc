using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests;

public sealed class AwsIssuerGatehouse : GatehouseProcess
{
    public AwsIssuerGatehouse() : base("--in-memory", "--aws-issuers")
    {
    }
}

/// <summary>With --aws-issuers, tokens name Cognito's issuer while Gatehouse still serves the keys.</summary>
public sealed class AwsIssuerTests : IClassFixture<AwsIssuerGatehouse>
{
    private readonly AwsIssuerGatehouse _server;

    public AwsIssuerTests(AwsIssuerGatehouse server) => _server = server;

    [Fact]
    public async Task AdminInitiateAuth_AwsIssuers_TokensVerifyAgainstGatehouseJwks()
    {
        using var wire = new CognitoWire(_server);
        var pool = await wire.CreatePoolAsync();
        var client = (await wire.CreateClientAsync(pool, null, "ALLOW_ADMIN_USER_PASSWORD_AUTH"))["ClientId"]!.GetValue<string>();
        await wire.CreateConfirmedUserAsync(pool, "awsy", "Awsy-Passw0rd!");
        var access = (await wire.AdminPasswordSignInAsync(pool, client, "awsy", "Awsy-Passw0rd!")).Ok()["AuthenticationResult"]!["AccessToken"]!.GetValue<string>();

        var issuer = $"https://cognito-idp.us-east-1.amazonaws.com/{pool}";
        var discovery = JsonNode.Parse(await (await wire.GetAsync($"/{pool}/.well-known/openid-configuration")).Content.ReadAsStringAsync())!;
        Assert.Equal(issuer, discovery.Str("issuer"));
        var jwks = $"{_server.Endpoint.ToString().TrimEnd('/')}/{pool}/.well-known/jwks.json";
        Assert.Equal(jwks, discovery.Str("jwks_uri"));

        var verified = (await ProcessRunner.NodeAsync("identity/verify-tokens.mjs", null, issuer, jwks, access)).EnsureSuccess().Json;
        Assert.Equal(issuer, verified[0]!["payload"]!.Str("iss"));
        // GetUser accepts the AWS-issued access token as well.
        (await wire.CallAsync("GetUser", new JsonObject { ["AccessToken"] = access })).Ok();
    }
}
