using System.Text.Json.Nodes;
using Gatehouse.Identity.Tests.OAuth;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests.HostedUi;

/// <summary>
/// A single-page app served from another origin, in headless Chromium, uses Gatehouse as browser apps
/// use Cognito: amazon-cognito-identity-js calls the unsigned Cognito API cross-origin (SRP sign-in,
/// GetUser, refresh, GlobalSignOut), jose checks the ID token against the pool's JWKS, and the
/// oauth4webapi OIDC client runs the code + PKCE flow through the hosted login (discovery, token,
/// userInfo, revoke from the page). The same page's drive-by requests at the control plane fail.
/// The page and the libraries it loads: tests/clients/hosted-ui/spa/ (see spa-cross-origin.cjs).
/// </summary>
public sealed class CrossOriginSpaTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public CrossOriginSpaTests(GatehouseProcess server) => _server = server;

    [Fact]
    public async Task SpaOnAnotherOrigin_CognitoSdkAndOidcPkceInChromium_SignInWhileDriveByRequestsFail()
    {
        Assert.True(File.Exists("/usr/bin/chromium"), "Debian's chromium is required (scripts/install-test-deps.sh installs it).");
        var appPort = FreePort.Next();
        var setup = await OAuthTestKit.CreateAsync(_server, callback: $"http://localhost:{appPort}/callback");
        var endpoint = _server.Endpoint.ToString();
        var issuer = endpoint.TrimEnd('/') + "/" + setup.PoolId;
        var driveByFunction = "drive-by-" + Guid.NewGuid().ToString("N")[..8];

        var run = (await ProcessRunner.NodeAsync("hosted-ui/spa-cross-origin.cjs", new Dictionary<string, string>
        {
            ["ENDPOINT"] = endpoint,
            ["POOL_ID"] = setup.PoolId,
            ["CLIENT_ID"] = setup.ClientId,
            ["ISSUER"] = issuer,
            ["EMAIL"] = setup.Email,
            ["PASSWORD"] = setup.Password,
            ["APP_PORT"] = appPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DRIVE_BY_FUNCTION"] = driveByFunction,
        })).EnsureSuccess().Json;

        // amazon-cognito-identity-js, cross-origin: Cognito's errors reach the page readable, tokens work, sign-out revokes.
        var sdk = run["sdk"]!;
        Assert.False(sdk["wrongPassword"]!["ok"]!.GetValue<bool>());
        Assert.Equal("NotAuthorizedException", sdk.Str("wrongPassword.code"));
        Assert.Equal("Incorrect username or password.", sdk.Str("wrongPassword.message"));
        Assert.Equal("access", sdk.Str("accessTokenUse"));
        Assert.Equal(setup.Email, sdk.Str("attributes.email"));
        Assert.True(sdk["refreshedSameSubject"]!.GetValue<bool>());
        Assert.Equal(issuer, sdk.Str("verifiedIdToken.iss"));
        Assert.Equal(setup.ClientId, sdk.Str("verifiedIdToken.aud"));
        Assert.Equal(setup.Email, sdk.Str("verifiedIdToken.email"));
        Assert.Equal("id", sdk.Str("verifiedIdToken.token_use"));
        Assert.False(sdk["afterSignOut"]!["ok"]!.GetValue<bool>());
        Assert.Equal("NotAuthorizedException", sdk.Str("afterSignOut.code"));

        // The hostile requests from the same page: the browser gets nothing it can read (fetch rejects),
        // and the text/plain "simple" POST created no function.
        foreach (var attempt in new[] { "createFunction", "listUserPools", "outbox" })
        {
            var result = run["driveBy"]![attempt]!;
            Assert.False(result["ok"]!.GetValue<bool>(), attempt + " was readable from a foreign origin: " + result.ToJsonString());
            Assert.Equal("TypeError", result.Str("name"));
        }
        var created = await _server.AwsAsync("lambda", "get-function", "--function-name", driveByFunction);
        Assert.NotEqual(0, created.ExitCode);
        Assert.Contains("ResourceNotFoundException", created.StandardError, StringComparison.Ordinal);

        // oauth4webapi in the page: code + PKCE through the hosted login, then token, userInfo and revoke cross-origin.
        Assert.StartsWith(OAuthTestKit.Base(_server, setup.Domain) + "/login?", run.Str("loginPageUrl"), StringComparison.Ordinal);
        var oidc = run["oidc"]!;
        Assert.True(oidc["ok"]!.GetValue<bool>(), oidc.ToJsonString());
        var flow = oidc["value"]!;
        Assert.Equal(OAuthTestKit.Base(_server, setup.Domain) + "/oauth2/token", flow.Str("tokenEndpoint"));
        Assert.Equal(issuer, flow.Str("claims.iss"));
        Assert.Equal(setup.ClientId, flow.Str("claims.aud"));
        Assert.Equal(setup.Email, flow.Str("claims.email"));
        Assert.Equal("bearer", flow.Str("tokenType").ToLowerInvariant());
        Assert.Equal(setup.Email, flow.Str("userInfo.email"));
        Assert.False(flow["refreshAfterRevoke"]!["ok"]!.GetValue<bool>(), "the revoked refresh token still worked");
    }
}
