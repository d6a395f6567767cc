using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests.OAuth;

/// <summary>A pool with a domain, an OAuth app client and a user, made with the real AWS CLI.</summary>
internal sealed record HostedSetup(string PoolId, string Domain, string ClientId, string? ClientSecret, string Callback, string Email, string Password);

/// <summary>
/// Helpers for the hosted-UI tests: set-up through the AWS CLI, and a cookie-keeping HTTP client
/// that signs in through the HTML forms exactly as a browser without JavaScript would.
/// </summary>
internal static partial class OAuthTestKit
{
    public const string Temporary = "Temp-Passw0rd!";
    public const string Final = "Final-Passw0rd!";

    public static string Base(GatehouseProcess server, string domain) => $"{server.Endpoint.ToString().TrimEnd('/')}/_aws/auth/{domain}";

    public static async Task<HostedSetup> CreateAsync(GatehouseProcess server, string callback = "http://localhost:3000/callback",
        string flows = "code", string scopes = "openid email", bool secret = false, bool confirmedUser = true, string[]? extraScopes = null)
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var poolId = (await server.AwsAsync("cognito-idp", "create-user-pool", "--pool-name", "hosted-" + tag, "--username-attributes", "email"))
            .EnsureSuccess().Json.Str("UserPool.Id");
        var domain = "app-" + tag;
        (await server.AwsAsync("cognito-idp", "create-user-pool-domain", "--user-pool-id", poolId, "--domain", domain)).EnsureSuccess();
        var arguments = new List<string>
        {
            "cognito-idp", "create-user-pool-client", "--user-pool-id", poolId, "--client-name", "web",
            "--allowed-o-auth-flows-user-pool-client", "--supported-identity-providers", "COGNITO",
            // JSON list form: the CLI would try to download a bare http:// parameter value.
            "--callback-urls", $"[\"{callback}\"]", "--logout-urls", "[\"http://localhost:3000/signed-out\"]",
            "--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH",
            "--allowed-o-auth-flows",
        };
        arguments.AddRange(flows.Split(' '));
        arguments.Add("--allowed-o-auth-scopes");
        arguments.AddRange(scopes.Split(' '));
        if (extraScopes is not null)
            arguments.AddRange(extraScopes);
        if (secret)
            arguments.Add("--generate-secret");
        var client = (await server.AwsAsync([.. arguments])).EnsureSuccess().Json;
        var email = $"user-{tag}@example.com";
        (await server.AwsAsync("cognito-idp", "admin-create-user", "--user-pool-id", poolId, "--username", email,
            "--temporary-password", Temporary, "--message-action", "SUPPRESS")).EnsureSuccess();
        if (confirmedUser)
        {
            (await server.AwsAsync("cognito-idp", "admin-set-user-password", "--user-pool-id", poolId, "--username", email,
                "--password", Final, "--permanent")).EnsureSuccess();
        }
        return new HostedSetup(poolId, domain, client.Str("UserPoolClient.ClientId"), client["UserPoolClient"]!["ClientSecret"]?.GetValue<string>(),
            callback, email, confirmedUser ? Final : Temporary);
    }

    /// <summary>A browser-like client: keeps cookies, never follows redirects (tests read Location).</summary>
    public static HttpClient Browser() => new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    public static (string Verifier, string Challenge) NewPkce()
    {
        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string AuthorizeQuery(HostedSetup setup, string scope = "openid email", string responseType = "code", string? state = "st-1",
        string? challenge = null, string? nonce = null, string? redirectUri = null)
    {
        var query = $"client_id={setup.ClientId}&response_type={responseType}&scope={Uri.EscapeDataString(scope)}&redirect_uri={Uri.EscapeDataString(redirectUri ?? setup.Callback)}";
        if (state is not null)
            query += "&state=" + Uri.EscapeDataString(state);
        if (challenge is not null)
            query += "&code_challenge=" + challenge + "&code_challenge_method=S256";
        if (nonce is not null)
            query += "&nonce=" + nonce;
        return query;
    }

    public static string Csrf(string html) => CsrfField().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("No CSRF field in:\n" + html);

    public static string? Hidden(string html, string name) =>
        Regex.Match(html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"") is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    /// <summary>GET /login, POST the form; returns the response (a 302 to the callback when the sign-in completed).</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string baseUrl, string query, string email, string password)
    {
        var page = await browser.GetStringAsync($"{baseUrl}/login?{query}");
        return await browser.PostAsync($"{baseUrl}/login?{query}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_csrf"] = Csrf(page),
            ["username"] = email,
            ["password"] = password,
        }));
    }

    /// <summary>The code from a 302 to the callback.</summary>
    public static string Code(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        return Parameter(location, "code") ?? throw new InvalidOperationException("No code in " + location);
    }

    public static string? Parameter(string url, string name)
    {
        var index = url.IndexOfAny(['?', '#']);
        if (index < 0)
            return null;
        foreach (var pair in url[(index + 1)..].Split('&'))
        {
            var parts = pair.Split('=', 2);
            if (parts[0] == name)
                return Uri.UnescapeDataString(parts.Length > 1 ? parts[1] : "");
        }
        return null;
    }

    public static async Task<(HttpStatusCode Status, JsonNode Body)> TokenAsync(string baseUrl, Dictionary<string, string> form, (string Id, string Secret)? basic = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + "/oauth2/token") { Content = new FormUrlEncodedContent(form) };
        if (basic is { } credentials)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.Id + ":" + credentials.Secret)));
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text.Length == 0 ? "{}" : text)!);
    }

    public static JsonNode Payload(string jwt)
    {
        var part = jwt.Split('.')[1];
        return JsonNode.Parse(Base64Url.DecodeFromChars(part))!;
    }

    [GeneratedRegex("name=\"_csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
