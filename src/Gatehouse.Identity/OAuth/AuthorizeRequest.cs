using System.Text;
using Gatehouse.Identity.Model;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Identity.OAuth;

/// <summary>A validated authorization request (/oauth2/authorize, and the /login page that continues it).</summary>
internal sealed record AuthorizeRequest(
    AppClient Client, string RedirectUri, string ResponseType, IReadOnlyList<string> Scopes, string? State, string? Nonce,
    string? CodeChallenge, string? CodeChallengeMethod)
{
    public string Scope => string.Join(' ', Scopes);

    /// <summary>The request as a query string, to carry it through the login forms and links.</summary>
    public string ToQuery()
    {
        var query = new StringBuilder();
        Add(query, "client_id", Client.Id);
        Add(query, "response_type", ResponseType);
        Add(query, "scope", Scope);
        Add(query, "redirect_uri", RedirectUri);
        Add(query, "state", State);
        Add(query, "nonce", Nonce);
        Add(query, "code_challenge", CodeChallenge);
        Add(query, "code_challenge_method", CodeChallengeMethod);
        return query.ToString();
    }

    private static void Add(StringBuilder query, string name, string? value)
    {
        if (value is null)
            return;
        query.Append(query.Length == 0 ? "" : "&").Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }
}

/// <summary>
/// The outcome of validating an authorization request. Until the client and redirect_uri are known
/// good, an error can only be shown on a page (<see cref="RedirectUri"/> null): sending it to an
/// unregistered address would make the endpoint an open redirector (RFC 6749 §4.1.2.1).
/// </summary>
internal sealed record AuthorizeValidation(AuthorizeRequest? Request, OAuthError? Error, string? RedirectUri, string? State);

/// <summary>Validates /oauth2/authorize parameters as small ordered steps; each returns an error value or passes.</summary>
internal static class AuthorizeRequestValidator
{
    private static readonly HashSet<string> StandardScopes = ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"];

    public static AuthorizeValidation Validate(PoolState pool, IQueryCollection query)
    {
        string? Param(string name) => query[name].Count == 1 && query[name][0] is { Length: > 0 } value ? value : null;

        // 1. The client, in this domain's pool.
        var clientId = Param("client_id");
        if (clientId is null)
            return Page(OAuthErrors.InvalidRequest("The request is missing client_id."));
        if (!pool.Clients.TryGetValue(clientId, out var client))
            return Page(OAuthErrors.InvalidRequest("The client_id does not name an app client of this user pool."));

        // 2. The redirect URI: registered exactly, or nothing is sent anywhere.
        var redirectUri = Param("redirect_uri");
        if (redirectUri is null)
            return Page(OAuthErrors.InvalidRequest("The request is missing redirect_uri."));
        if (!OAuthClientSettings.IsCallback(client, redirectUri))
            return Page(OAuthErrors.InvalidRequest("redirect_uri does not match any of the app client's callback URLs."));

        var state = Param("state");
        AuthorizeValidation Redirect(OAuthError error) => new(null, error, redirectUri, state);

        // 3. The client may use the hosted flows, with this response type.
        if (!OAuthClientSettings.OAuthEnabled(client))
            return Redirect(OAuthErrors.UnauthorizedClient("The app client is not enabled for OAuth flows with the COGNITO identity provider."));
        var responseType = Param("response_type");
        if (responseType is null)
            return Redirect(OAuthErrors.InvalidRequest("The request is missing response_type."));
        var flow = responseType switch { "code" => "code", "token" => "implicit", _ => null };
        if (flow is null)
            return Redirect(OAuthErrors.UnsupportedResponseType(responseType));
        if (!OAuthClientSettings.AllowsFlow(client, flow))
            return Redirect(OAuthErrors.UnauthorizedClient($"The app client does not allow the {flow} flow."));
        if (Param("identity_provider") is { } provider && provider != "COGNITO")
            return Redirect(OAuthErrors.InvalidRequest($"Identity provider {provider} is not configured for this app client."));

        // 4. Scopes: a subset of the client's; none asked means all of them.
        var allowed = OAuthClientSettings.Scopes(client);
        var requested = Param("scope") is { } scope
            ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList()
            : allowed.ToList();
        if (requested.FirstOrDefault(s => !allowed.Contains(s)) is { } notAllowed)
            return Redirect(OAuthErrors.InvalidScope($"Scope {notAllowed} is not allowed for this app client."));
        if (!requested.Contains("openid") && requested.Any(s => s is "email" or "phone" or "profile"))
            return Redirect(OAuthErrors.InvalidScope("The email, phone and profile scopes require the openid scope."));
        if (requested.Count == 0)
            return Redirect(OAuthErrors.InvalidScope("No scope was requested and the app client allows none."));

        // 5. PKCE (RFC 7636): S256 or plain; a method without a challenge is malformed.
        var challenge = Param("code_challenge");
        var method = Param("code_challenge_method");
        if (challenge is null && method is not null)
            return Redirect(OAuthErrors.InvalidRequest("code_challenge_method was given without code_challenge."));
        if (challenge is not null)
        {
            method ??= "plain";
            if (method is not ("S256" or "plain"))
                return Redirect(OAuthErrors.InvalidRequest("code_challenge_method must be S256 or plain."));
            if (!Pkce.IsWellFormed(challenge))
                return Redirect(OAuthErrors.InvalidRequest("code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~."));
        }

        var request = new AuthorizeRequest(client, redirectUri, responseType, requested, state, Param("nonce"), challenge, challenge is null ? null : method);
        return new AuthorizeValidation(request, null, redirectUri, state);
    }

    private static AuthorizeValidation Page(OAuthError error) => new(null, error, null, null);

    /// <summary>Whether a scope is one Cognito defines itself (the rest are resource-server scopes).</summary>
    public static bool IsStandard(string scope) => StandardScopes.Contains(scope);
}
