using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Identity.Tests.OAuth;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests.HostedUi;

/// <summary>
/// The seed's first sign-in (WALKTHROUGH §2, last step) in a real browser: headless Chromium opens
/// the login page at the Host-routed domain, the admin-created user is made to replace the
/// temporary password, and lands on the app's callback with a code that the app exchanges.
/// Screenshots of every page go to the test output folder (artifacts/hosted-ui).
/// </summary>
public sealed class BrowserFirstSignInTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public BrowserFirstSignInTests(GatehouseProcess server) => _server = server;

    [Fact]
    public async Task Login_AdminCreatedUserInChromium_ForcedNewPasswordThenCodeForTokensAndConfirmed()
    {
        Assert.True(File.Exists("/usr/bin/chromium"), "Debian's chromium is required (scripts/install-test-deps.sh installs it).");
        var callbackPort = FreePort.Next();
        var setup = await OAuthTestKit.CreateAsync(_server, callback: $"http://localhost:{callbackPort}/callback", scopes: "openid email phone", confirmedUser: false);
        var (verifier, challenge) = OAuthTestKit.NewPkce();
        var nonce = "n-" + Guid.NewGuid().ToString("N");
        var state = "s-" + Guid.NewGuid().ToString("N");
        var loginUrl = $"http://{setup.Domain}.auth.localhost:{_server.Port}/login?" +
            OAuthTestKit.AuthorizeQuery(setup, "openid email phone", state: state, challenge: challenge, nonce: nonce);
        var screenshots = Path.Combine(AppContext.BaseDirectory, "artifacts", "hosted-ui");

        var run = (await ProcessRunner.NodeAsync("hosted-ui/first-sign-in.cjs", new Dictionary<string, string>
        {
            ["LOGIN_URL"] = loginUrl,
            ["EMAIL"] = setup.Email,
            ["TEMP_PASSWORD"] = OAuthTestKit.Temporary,
            ["NEW_PASSWORD"] = OAuthTestKit.Final,
            ["CALLBACK_PORT"] = callbackPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SCREENSHOT_DIR"] = screenshots,
        })).EnsureSuccess().Json;

        var pages = run["pages"]!.AsArray();
        Assert.Equal("Sign in", pages[0]!.Str("heading"));
        Assert.Equal("username", pages[0]!.Str("focused"));
        Assert.Equal("Incorrect username or password.", pages[1]!.Str("alert"));
        Assert.Equal("Change your password", pages[2]!.Str("heading"));
        var policy = pages[2]!["listItems"]!.AsArray().Select(i => i!.GetValue<string>()).ToList();
        Assert.Contains("At least 8 characters", policy);
        Assert.Contains("An uppercase letter", policy);
        Assert.Equal("Password does not conform to policy: Password not long enough", pages[3]!.Str("alert"));
        Assert.Equal("Callback received", pages[4]!.Str("heading"));
        foreach (var page in pages)
            Assert.True(new FileInfo(page!.Str("screenshot")).Length > 1000, "screenshot " + page!.Str("name"));

        var callback = run.Str("callbackUrl");
        Assert.StartsWith($"http://localhost:{callbackPort}/callback?", callback, StringComparison.Ordinal);
        Assert.Equal(state, OAuthTestKit.Parameter(callback, "state"));
        var code = OAuthTestKit.Parameter(callback, "code")!;

        // The app exchanges the code (PKCE) at the token endpoint.
        var baseUrl = OAuthTestKit.Base(_server, setup.Domain);
        var (status, tokens) = await OAuthTestKit.TokenAsync(baseUrl, new()
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = setup.ClientId,
            ["code"] = code,
            ["redirect_uri"] = setup.Callback,
            ["code_verifier"] = verifier,
        });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Bearer", tokens.Str("token_type"));
        Assert.Equal(5, tokens.Str("refresh_token").Split('.').Length);
        var id = OAuthTestKit.Payload(tokens.Str("id_token"));
        Assert.Equal(nonce, id.Str("nonce"));
        Assert.Equal(setup.Email, id.Str("email"));
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(tokens.Str("access_token")));
        Assert.Equal(Base64Url.EncodeToString(hash.AsSpan(0, 16)), id.Str("at_hash"));
        Assert.Equal("openid email phone", OAuthTestKit.Payload(tokens.Str("access_token")).Str("scope"));

        // The seed's check: the user is now Confirmed.
        var user = (await _server.AwsAsync("cognito-idp", "admin-get-user", "--user-pool-id", setup.PoolId, "--username", setup.Email)).EnsureSuccess().Json;
        Assert.Equal("CONFIRMED", user.Str("UserStatus"));

        // And the access token works at userInfo.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + "/oauth2/userInfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Str("access_token"));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var info = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(setup.Email, info.Str("email"));
        Assert.Equal(user.Str("Username"), info.Str("sub"));

        // Nothing secret reached the server's log: passwords, the code, tokens.
        Assert.DoesNotContain(OAuthTestKit.Temporary, _server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(OAuthTestKit.Final, _server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(code, _server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", _server.Output, StringComparison.Ordinal);
    }
}
