using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Gatehouse.Testing;
using static Gatehouse.Identity.Tests.OAuth.OAuthTestKit;

namespace Gatehouse.Identity.Tests.OAuth;

/// <summary>
/// The OAuth 2.0 endpoints over HTTP against a started server: the code grant with PKCE and its
/// failure modes, refresh, revocation, client_credentials with resource-server scopes, implicit,
/// userInfo, logout, and the CSRF and redirect checks of the login form.
/// </summary>
public sealed class OAuthEndpointTests : IClassFixture<OAuthServer>
{
    private readonly OAuthServer _server;

    public OAuthEndpointTests(OAuthServer server) => _server = server;

    private async Task<(HostedSetup Setup, string Base, string Code, string Verifier)> SignedInCodeAsync(string scope = "openid email")
    {
        var setup = await _server.DefaultAsync();
        var baseUrl = Base(_server, setup.Domain);
        var (verifier, challenge) = NewPkce();
        using var browser = Browser();
        var response = await SignInAsync(browser, baseUrl, AuthorizeQuery(setup, scope, challenge: challenge), setup.Email, setup.Password);
        return (setup, baseUrl, Code(response), verifier);
    }

    private static Dictionary<string, string> CodeExchange(HostedSetup setup, string code, string verifier, string? redirectUri = null) => new()
    {
        ["grant_type"] = "authorization_code",
        ["client_id"] = setup.ClientId,
        ["code"] = code,
        ["redirect_uri"] = redirectUri ?? setup.Callback,
        ["code_verifier"] = verifier,
    };

    [Fact]
    public async Task Token_CodeUsedTwice_SecondIsInvalidGrant()
    {
        var (setup, baseUrl, code, verifier) = await SignedInCodeAsync();
        var (first, tokens) = await TokenAsync(baseUrl, CodeExchange(setup, code, verifier));
        Assert.Equal(HttpStatusCode.OK, first);
        Assert.NotNull(tokens["access_token"]);

        var (second, error) = await TokenAsync(baseUrl, CodeExchange(setup, code, verifier));
        Assert.Equal(HttpStatusCode.BadRequest, second);
        Assert.Equal("invalid_grant", error.Str("error"));
    }

    [Fact]
    public async Task Token_RedirectUriDiffersFromAuthorize_InvalidGrant()
    {
        var (setup, baseUrl, code, verifier) = await SignedInCodeAsync();
        var (status, error) = await TokenAsync(baseUrl, CodeExchange(setup, code, verifier, "http://localhost:3000/other"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", error.Str("error"));
    }

    [Fact]
    public async Task Token_WrongCodeVerifier_InvalidGrant()
    {
        var (setup, baseUrl, code, _) = await SignedInCodeAsync();
        var (status, error) = await TokenAsync(baseUrl, CodeExchange(setup, code, NewPkce().Verifier));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", error.Str("error"));
    }

    [Fact]
    public async Task Token_MissingCodeVerifierForPkceCode_InvalidRequest()
    {
        var (setup, baseUrl, code, _) = await SignedInCodeAsync();
        var form = CodeExchange(setup, code, "x");
        form.Remove("code_verifier");
        var (status, error) = await TokenAsync(baseUrl, form);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_request", error.Str("error"));
    }

    [Fact]
    public async Task Token_UnknownGrantType_UnsupportedGrantType()
    {
        var setup = await _server.DefaultAsync();
        var (status, error) = await TokenAsync(Base(_server, setup.Domain), new() { ["grant_type"] = "password", ["client_id"] = setup.ClientId });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("unsupported_grant_type", error.Str("error"));
    }

    [Fact]
    public async Task Token_RefreshGrant_NewAccessTokenKeepsScopesThenRevokeEndsIt()
    {
        var (setup, baseUrl, code, verifier) = await SignedInCodeAsync();
        var (_, tokens) = await TokenAsync(baseUrl, CodeExchange(setup, code, verifier));
        var refreshToken = tokens.Str("refresh_token");

        var (status, refreshed) = await TokenAsync(baseUrl, new() { ["grant_type"] = "refresh_token", ["client_id"] = setup.ClientId, ["refresh_token"] = refreshToken });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(refreshed["refresh_token"]);
        var access = Payload(refreshed.Str("access_token"));
        Assert.Equal(Payload(tokens.Str("access_token")).Str("scope"), access.Str("scope"));
        Assert.Equal(Payload(tokens.Str("access_token")).Str("origin_jti"), access.Str("origin_jti"));

        using var http = new HttpClient();
        using var revoke = await http.PostAsync(baseUrl + "/oauth2/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = refreshToken,
            ["client_id"] = setup.ClientId,
        }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal("", await revoke.Content.ReadAsStringAsync());

        var (after, error) = await TokenAsync(baseUrl, new() { ["grant_type"] = "refresh_token", ["client_id"] = setup.ClientId, ["refresh_token"] = refreshToken });
        Assert.Equal(HttpStatusCode.BadRequest, after);
        Assert.Equal("invalid_grant", error.Str("error"));

        // Access tokens minted from the revoked sign-in no longer work at userInfo either.
        using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + "/oauth2/userInfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", refreshed.Str("access_token"));
        using var userInfo = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, userInfo.StatusCode);
        Assert.Contains("invalid_token", userInfo.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_AccessTokenInsteadOfRefreshToken_UnsupportedTokenType()
    {
        var (setup, baseUrl, code, verifier) = await SignedInCodeAsync();
        var (_, tokens) = await TokenAsync(baseUrl, CodeExchange(setup, code, verifier));
        using var http = new HttpClient();
        using var revoke = await http.PostAsync(baseUrl + "/oauth2/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = tokens.Str("access_token"),
            ["client_id"] = setup.ClientId,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, revoke.StatusCode);
        Assert.Equal("unsupported_token_type", JsonNode.Parse(await revoke.Content.ReadAsStringAsync())!.Str("error"));
    }

    [Fact]
    public async Task Token_ClientCredentialsWithResourceServerScope_AccessTokenCarriesScope()
    {
        var setup = await CreateClientCredentialsAsync();
        var baseUrl = Base(_server, setup.Domain);

        var (status, tokens) = await TokenAsync(baseUrl, new() { ["grant_type"] = "client_credentials", ["scope"] = "orders/read" }, (setup.ClientId, setup.ClientSecret!));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(tokens["refresh_token"]);
        Assert.Null(tokens["id_token"]);
        var access = Payload(tokens.Str("access_token"));
        Assert.Equal("orders/read", access.Str("scope"));
        Assert.Equal(setup.ClientId, access.Str("client_id"));
        Assert.Equal(setup.ClientId, access.Str("sub"));
        Assert.Equal("access", access.Str("token_use"));

        // Secret in the body works too, and no scope means every custom scope the client has.
        var (bodyStatus, bodyTokens) = await TokenAsync(baseUrl, new()
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = setup.ClientId,
            ["client_secret"] = setup.ClientSecret!,
        });
        Assert.Equal(HttpStatusCode.OK, bodyStatus);
        Assert.Equal("orders/read orders/write", Payload(bodyTokens.Str("access_token")).Str("scope"));
    }

    [Fact]
    public async Task Token_ClientCredentialsWrongSecret_InvalidClient()
    {
        var setup = await CreateClientCredentialsAsync();
        var (status, error) = await TokenAsync(Base(_server, setup.Domain), new() { ["grant_type"] = "client_credentials" }, (setup.ClientId, "not-the-secret"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_client", error.Str("error"));
    }

    [Fact]
    public async Task Token_ClientCredentialsScopeNotAllowed_InvalidScope()
    {
        var setup = await CreateClientCredentialsAsync();
        var (status, error) = await TokenAsync(Base(_server, setup.Domain), new() { ["grant_type"] = "client_credentials", ["scope"] = "openid" },
            (setup.ClientId, setup.ClientSecret!));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_scope", error.Str("error"));
    }

    private Task<HostedSetup> CreateClientCredentialsAsync() => _server.Shared("client_credentials", async () =>
    {
        var probe = await CreateAsync(_server);
        (await _server.AwsAsync("cognito-idp", "create-resource-server", "--user-pool-id", probe.PoolId, "--identifier", "orders", "--name", "Orders",
            "--scopes", "ScopeName=read,ScopeDescription=Read orders", "ScopeName=write,ScopeDescription=Write orders")).EnsureSuccess();
        var client = (await _server.AwsAsync("cognito-idp", "create-user-pool-client", "--user-pool-id", probe.PoolId, "--client-name", "backend",
            "--generate-secret", "--allowed-o-auth-flows", "client_credentials", "--allowed-o-auth-flows-user-pool-client",
            "--allowed-o-auth-scopes", "orders/read", "orders/write", "--supported-identity-providers", "COGNITO")).EnsureSuccess().Json;
        return probe with { ClientId = client.Str("UserPoolClient.ClientId"), ClientSecret = client.Str("UserPoolClient.ClientSecret") };
    });

    [Fact]
    public async Task Authorize_UnregisteredRedirectUri_ErrorPageWithoutRedirect()
    {
        var setup = await _server.DefaultAsync();
        using var browser = Browser();
        using var response = await browser.GetAsync($"{Base(_server, setup.Domain)}/oauth2/authorize?" + AuthorizeQuery(setup, redirectUri: "https://evil.example/steal"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("redirect_uri does not match", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_ScopeNotAllowedForClient_RedirectsWithInvalidScope()
    {
        var setup = await _server.DefaultAsync();
        using var browser = Browser();
        using var response = await browser.GetAsync($"{Base(_server, setup.Domain)}/oauth2/authorize?" + AuthorizeQuery(setup, scope: "openid profile"));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith(setup.Callback + "?", location, StringComparison.Ordinal);
        Assert.Equal("invalid_scope", Parameter(location, "error"));
        Assert.Equal("st-1", Parameter(location, "state"));
    }

    [Fact]
    public async Task Authorize_ImplicitNotAllowed_RedirectsWithUnauthorizedClient()
    {
        var setup = await _server.DefaultAsync();
        using var browser = Browser();
        using var response = await browser.GetAsync($"{Base(_server, setup.Domain)}/oauth2/authorize?" + AuthorizeQuery(setup, responseType: "token"));
        Assert.Equal("unauthorized_client", Parameter(response.Headers.Location!.ToString(), "error"));
    }

    [Fact]
    public async Task Authorize_WithSessionCookie_SkipsLoginAndIssuesCode()
    {
        var setup = await _server.DefaultAsync();
        var baseUrl = Base(_server, setup.Domain);
        using var browser = Browser();
        using var anonymous = await browser.GetAsync($"{baseUrl}/oauth2/authorize?{AuthorizeQuery(setup)}");
        Assert.StartsWith($"/_aws/auth/{setup.Domain}/login?", anonymous.Headers.Location!.ToString(), StringComparison.Ordinal);

        Code(await SignInAsync(browser, baseUrl, AuthorizeQuery(setup), setup.Email, setup.Password));
        using var again = await browser.GetAsync($"{baseUrl}/oauth2/authorize?{AuthorizeQuery(setup, state: "second")}");
        var location = again.Headers.Location!.ToString();
        Assert.StartsWith(setup.Callback + "?code=", location, StringComparison.Ordinal);
        Assert.Equal("second", Parameter(location, "state"));

        // /logout to a registered address ends the session: authorize asks for the login page again.
        using var logout = await browser.GetAsync($"{baseUrl}/logout?client_id={setup.ClientId}&logout_uri={Uri.EscapeDataString("http://localhost:3000/signed-out")}");
        Assert.Equal("http://localhost:3000/signed-out", logout.Headers.Location!.ToString());
        using var afterLogout = await browser.GetAsync($"{baseUrl}/oauth2/authorize?{AuthorizeQuery(setup)}");
        Assert.StartsWith($"/_aws/auth/{setup.Domain}/login?", afterLogout.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_UnregisteredLogoutUri_ErrorPageWithoutRedirect()
    {
        var setup = await _server.DefaultAsync();
        using var browser = Browser();
        using var response = await browser.GetAsync($"{Base(_server, setup.Domain)}/logout?client_id={setup.ClientId}&logout_uri={Uri.EscapeDataString("https://evil.example/")}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Login_PostWithoutCsrfToken_RefusedAndNoCode()
    {
        var setup = await _server.DefaultAsync();
        using var browser = Browser();
        using var response = await browser.PostAsync($"{Base(_server, setup.Domain)}/login?{AuthorizeQuery(setup)}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = setup.Email,
            ["password"] = setup.Password,
        }));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Login_Page_SessionAndCsrfCookiesAreHttpOnlyLax()
    {
        var setup = await _server.DefaultAsync();
        var baseUrl = Base(_server, setup.Domain);
        using var browser = Browser();
        using var page = await browser.GetAsync($"{baseUrl}/login?{AuthorizeQuery(setup)}");
        var csrfCookie = Assert.Single(page.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", csrfCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", csrfCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        using var signedIn = await browser.PostAsync($"{baseUrl}/login?{AuthorizeQuery(setup)}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_csrf"] = Csrf(await page.Content.ReadAsStringAsync()),
            ["username"] = setup.Email,
            ["password"] = setup.Password,
        }));
        var session = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("gatehouse-session=", StringComparison.Ordinal));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"path=/_aws/auth/{setup.Domain}/", session, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_ImplicitAllowed_TokensInFragmentWithoutRefreshToken()
    {
        var setup = await _server.Shared("implicit", () => CreateAsync(_server, flows: "implicit"));
        var baseUrl = Base(_server, setup.Domain);
        using var browser = Browser();
        var response = await SignInAsync(browser, baseUrl, AuthorizeQuery(setup, responseType: "token", nonce: "abc"), setup.Email, setup.Password);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith(setup.Callback + "#", location, StringComparison.Ordinal);
        Assert.Null(Parameter(location, "refresh_token"));
        Assert.Null(Parameter(location, "code"));
        Assert.Equal("abc", Payload(Parameter(location, "id_token")!).Str("nonce"));
        Assert.Equal("openid email", Payload(Parameter(location, "access_token")!).Str("scope"));
    }

    [Fact]
    public async Task UserInfo_ApiTokenWithoutOpenidScope_Refused()
    {
        var setup = await _server.DefaultAsync();
        var signIn = (await _server.AwsAsync("cognito-idp", "admin-initiate-auth", "--user-pool-id", setup.PoolId, "--client-id", setup.ClientId,
            "--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", $"USERNAME={setup.Email},PASSWORD={setup.Password}")).EnsureSuccess().Json;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Base(_server, setup.Domain) + "/oauth2/userInfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", signIn.Str("AuthenticationResult.AccessToken"));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("insufficient_scope", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_RepeatedWrongPasswords_LockedOutLikeTheApiFlows()
    {
        var setup = await CreateAsync(_server);
        var baseUrl = Base(_server, setup.Domain);
        using var browser = Browser();
        var messages = new List<string>();
        // Five failures are free; after that each one locks the user out for a while (1 s, doubling).
        for (var attempt = 0; attempt < 12 && !messages.Contains("Password attempts exceeded"); attempt++)
        {
            using var response = await SignInAsync(browser, baseUrl, AuthorizeQuery(setup), setup.Email, "Wrong-Passw0rd!");
            var html = await response.Content.ReadAsStringAsync();
            messages.Add(System.Text.RegularExpressions.Regex.Match(html, "role=\"alert\" id=\"error\">([^<]*)<").Groups[1].Value);
        }
        Assert.Equal(Enumerable.Repeat("Incorrect username or password.", 5), messages.Take(5));
        Assert.Contains("Password attempts exceeded", messages);
    }

    [Fact]
    public async Task Login_WrongPassword_PageShowsErrorAndNoRedirect()
    {
        var setup = await _server.DefaultAsync();
        using var browser = Browser();
        using var response = await SignInAsync(browser, Base(_server, setup.Domain), AuthorizeQuery(setup), setup.Email, "Wrong-Passw0rd!");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("Incorrect username or password.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>One server per test class, with the pools the tests share made once (each test signs in on its own).</summary>
public sealed class OAuthServer : GatehouseProcess
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<HostedSetup>>> _setups = new();

    internal Task<HostedSetup> DefaultAsync() => Shared("default", () => CreateAsync(this));

    internal Task<HostedSetup> Shared(string name, Func<Task<HostedSetup>> create) =>
        _setups.GetOrAdd(name, _ => new Lazy<Task<HostedSetup>>(create)).Value;
}
