using Gatehouse.Testing;
using static Gatehouse.Identity.Tests.OAuth.OAuthTestKit;

namespace Gatehouse.Identity.Tests.OAuth;

/// <summary>
/// A standard OpenID Connect client library (npm openid-client) finds Gatehouse from the pool's
/// /.well-known/openid-configuration and completes the authorization code flow with PKCE.
/// </summary>
public sealed class OidcClientTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public OidcClientTests(GatehouseProcess server) => _server = server;

    [Fact]
    public async Task Discovery_OpenIdClientCodeWithPkce_SignsInAndReadsUserInfo()
    {
        var setup = await CreateAsync(_server);
        var issuer = $"{_server.Endpoint.ToString().TrimEnd('/')}/{setup.PoolId}";

        var result = (await ProcessRunner.NodeAsync("hosted-ui/oidc-code-pkce.mjs", new Dictionary<string, string>
        {
            ["ISSUER"] = issuer,
            ["CLIENT_ID"] = setup.ClientId,
            ["REDIRECT_URI"] = setup.Callback,
            ["EMAIL"] = setup.Email,
            ["PASSWORD"] = setup.Password,
        })).EnsureSuccess().Json;

        Assert.Equal($"{Base(_server, setup.Domain)}/oauth2/authorize", result.Str("authorizationEndpoint"));
        Assert.Equal(setup.Callback, result.Str("callback"));
        Assert.Equal(issuer, result.Str("claims.iss"));
        Assert.Equal(setup.ClientId, result.Str("claims.aud"));
        Assert.Equal(setup.Email, result.Str("claims.email"));
        Assert.True(result["hasRefreshToken"]!.GetValue<bool>());
        Assert.Equal(result.Str("claims.sub"), result.Str("userinfo.sub"));
        Assert.Equal(setup.Email, result.Str("userinfo.email"));
    }

    [Fact]
    public async Task Discovery_PoolWithoutDomain_ListsNoAuthorizationEndpoint()
    {
        var poolId = (await _server.AwsAsync("cognito-idp", "create-user-pool", "--pool-name", "no-domain")).EnsureSuccess().Json.Str("UserPool.Id");
        using var http = _server.CreateClient();
        var discovery = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync($"/{poolId}/.well-known/openid-configuration"))!;
        Assert.Null(discovery["authorization_endpoint"]);
        Assert.Null(discovery["token_endpoint"]);
    }
}
