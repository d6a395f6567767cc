using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gatehouse.Core;
using Gatehouse.Identity.HostedUi;
using Gatehouse.Identity.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Identity.OAuth;

/// <summary>The client a token or revocation request authenticated as.</summary>
internal sealed record AuthenticatedClient(AppClient Client, bool UsedSecret);

/// <summary>
/// POST /oauth2/token, as ordered steps: ReadForm → AuthenticateClient → the grant's own
/// validation → issue. Every failure is an <see cref="OAuthError"/> value written as RFC 6749 §5.2 JSON.
/// </summary>
internal static class TokenEndpoint
{
    public static async Task PostAsync(HostedRequest r)
    {
        var (form, formError) = await ReadFormAsync(r).ConfigureAwait(false);
        if (formError is not null)
        {
            await WriteErrorAsync(r.Http, formError).ConfigureAwait(false);
            return;
        }
        var (client, clientError) = AuthenticateClient(r, form!, basicStatus: 400);
        if (clientError is not null)
        {
            await WriteErrorAsync(r.Http, clientError).ConfigureAwait(false);
            return;
        }
        var grantType = form!["grant_type"].ToString();
        (Dictionary<string, object>? response, OAuthError? error) result;
        try
        {
            result = grantType switch
            {
                "authorization_code" => await AuthorizationCodeAsync(r, client!, form).ConfigureAwait(false),
                "refresh_token" => await RefreshAsync(r, client!, form).ConfigureAwait(false),
                "client_credentials" => ClientCredentials(r, client!, form),
                "" => (null, OAuthErrors.InvalidRequest("The request is missing grant_type.")),
                _ => (null, OAuthErrors.UnsupportedGrantType(grantType)),
            };
        }
        catch (AwsException trigger)
        {
            // A Lambda trigger refused or failed: the token request fails with its message.
            result = (null, OAuthErrors.InvalidRequest(trigger.Message));
        }
        var (response, error) = result;
        if (error is not null)
        {
            await WriteErrorAsync(r.Http, error).ConfigureAwait(false);
            return;
        }
        r.Grants.LogHosted("tokens issued (" + grantType + ")", r.State.Pool.Id, client!.Client.Id);
        await WriteJsonAsync(r.Http, 200, response!).ConfigureAwait(false);
    }

    public static async Task<(IFormCollection? Form, OAuthError? Error)> ReadFormAsync(HostedRequest r)
    {
        var (form, unreadable) = await r.ReadFormAsync().ConfigureAwait(false);
        if (unreadable)
            return (null, OAuthErrors.InvalidRequest("The request body could not be read as a form."));
        if (form is null)
            return (null, OAuthErrors.InvalidRequest("The request must be a POST with Content-Type application/x-www-form-urlencoded."));
        foreach (var (name, values) in form)
        {
            // RFC 6749 §3.2: parameters must not be repeated.
            if (values.Count > 1)
                return (null, OAuthErrors.InvalidRequest($"Parameter {name} is repeated."));
        }
        return (form, null);
    }

    /// <summary>
    /// Client authentication (RFC 6749 §2.3.1): HTTP Basic or client_id/client_secret in the body,
    /// never both; a client with a secret must present it; a public client just names itself.
    /// </summary>
    public static (AuthenticatedClient? Client, OAuthError? Error) AuthenticateClient(HostedRequest r, IFormCollection form, int basicStatus)
    {
        string? clientId = null, secret = null;
        var usedBasic = false;
        var authorization = r.Http.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            usedBasic = true;
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                    return (null, OAuthErrors.InvalidClient("The Basic credentials are malformed."));
                clientId = Uri.UnescapeDataString(decoded[..colon]);
                secret = Uri.UnescapeDataString(decoded[(colon + 1)..]);
            }
            catch (FormatException)
            {
                return (null, OAuthErrors.InvalidClient("The Basic credentials are malformed."));
            }
            if (form["client_secret"] is { Count: > 0 })
                return (null, OAuthErrors.InvalidRequest("Use one client authentication method, not both Basic and client_secret."));
            if (Value(form, "client_id") is { } bodyId && bodyId != clientId)
                return (null, OAuthErrors.InvalidRequest("client_id does not match the Basic credentials."));
        }
        else
        {
            clientId = Value(form, "client_id");
            secret = Value(form, "client_secret");
        }
        if (clientId is null)
            return (null, OAuthErrors.InvalidRequest("The request is missing client_id."));
        var failed = basicStatus == 401 && usedBasic ? OAuthErrors.InvalidClientUnauthorized() : OAuthErrors.InvalidClient();
        if (!r.State.Clients.TryGetValue(clientId, out var client))
            return (null, failed);
        if (client.Secret is null)
            return secret is null ? (new AuthenticatedClient(client, false), null) : (null, failed);
        if (secret is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(client.Secret)))
            return (null, failed);
        return (new AuthenticatedClient(client, true), null);
    }

    public static string? Value(IFormCollection form, string name) => form[name] is { Count: 1 } v && v[0] is { Length: > 0 } s ? s : null;

    private static async Task<(Dictionary<string, object>?, OAuthError?)> AuthorizationCodeAsync(HostedRequest r, AuthenticatedClient authenticated, IFormCollection form)
    {
        var client = authenticated.Client;
        if (!OAuthClientSettings.AllowsFlow(client, "code"))
            return (null, OAuthErrors.UnauthorizedClient("The app client does not allow the authorization code grant."));
        var code = Value(form, "code");
        var redirectUri = Value(form, "redirect_uri");
        if (code is null)
            return (null, OAuthErrors.InvalidRequest("The request is missing code."));
        if (redirectUri is null)
            return (null, OAuthErrors.InvalidRequest("The request is missing redirect_uri."));
        // Taking the code consumes it: a second exchange of the same code fails, whatever happens next.
        var grant = r.Identity.Codes.Take(code);
        if (grant is null || grant.PoolId != r.State.Pool.Id || grant.ClientId != client.Id)
            return (null, OAuthErrors.InvalidGrant("The authorization code is invalid, expired or already used."));
        if (grant.RedirectUri != redirectUri)
            return (null, OAuthErrors.InvalidGrant("redirect_uri does not match the one the code was issued for."));
        if (grant.CodeChallenge is { } challenge)
        {
            var verifier = Value(form, "code_verifier");
            if (verifier is null)
                return (null, OAuthErrors.InvalidRequest("The request is missing code_verifier."));
            if (!Pkce.Verify(challenge, grant.CodeChallengeMethod!, verifier))
                return (null, OAuthErrors.InvalidGrant("code_verifier does not match the code_challenge."));
        }
        if (r.Grants.ActiveUser(r.State, grant.UserKey, grant.Sub) is not { } user)
            return (null, OAuthErrors.InvalidGrant("The user can no longer sign in."));
        var tokens = await r.Grants.IssueHostedAsync(r.State, client, grant.UserKey, user, grant.AuthTime, grant.Scope, grant.Nonce, withRefreshToken: true,
            r.Http.RequestAborted).ConfigureAwait(false);
        var response = new Dictionary<string, object>();
        if (grant.Scope.Split(' ').Contains("openid"))
            response["id_token"] = tokens.IdToken;
        response["access_token"] = tokens.AccessToken;
        response["refresh_token"] = tokens.RefreshToken!;
        response["expires_in"] = tokens.ExpiresIn;
        response["token_type"] = "Bearer";
        return (response, null);
    }

    private static async Task<(Dictionary<string, object>?, OAuthError?)> RefreshAsync(HostedRequest r, AuthenticatedClient authenticated, IFormCollection form)
    {
        var client = authenticated.Client;
        if (!client.Allows("ALLOW_REFRESH_TOKEN_AUTH"))
            return (null, OAuthErrors.UnauthorizedClient("The app client does not allow refresh tokens."));
        if (Value(form, "refresh_token") is not { } token)
            return (null, OAuthErrors.InvalidRequest("The request is missing refresh_token."));
        var (tokens, scope, error) = await r.Grants.RefreshHostedAsync(r.State, client, token, r.Http.RequestAborted).ConfigureAwait(false);
        if (error is not null)
            return (null, error);
        var response = new Dictionary<string, object>();
        if (scope.Split(' ').Contains("openid"))
            response["id_token"] = tokens!.IdToken;
        response["access_token"] = tokens!.AccessToken;
        response["expires_in"] = tokens.ExpiresIn;
        response["token_type"] = "Bearer";
        return (response, null);
    }

    private static (Dictionary<string, object>?, OAuthError?) ClientCredentials(HostedRequest r, AuthenticatedClient authenticated, IFormCollection form)
    {
        var client = authenticated.Client;
        if (!authenticated.UsedSecret)
            return (null, OAuthErrors.InvalidClient("The client_credentials grant needs an app client with a secret."));
        if (!OAuthClientSettings.AllowsFlow(client, "client_credentials"))
            return (null, OAuthErrors.UnauthorizedClient("The app client does not allow the client_credentials grant."));
        // Only custom scopes: the client acts for itself, so user scopes (openid, email, ...) make no sense.
        var defined = OAuthGrants.CustomScopes(r.State);
        var allowed = OAuthClientSettings.Scopes(client).Where(s => !AuthorizeRequestValidator.IsStandard(s) && defined.Contains(s)).ToList();
        var requested = Value(form, "scope") is { } scope
            ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList()
            : allowed;
        if (requested.FirstOrDefault(s => !allowed.Contains(s)) is { } bad)
            return (null, OAuthErrors.InvalidScope($"Scope {bad} is not a resource server scope allowed for this app client."));
        if (requested.Count == 0)
            return (null, OAuthErrors.InvalidScope("The app client is allowed no resource server scopes."));
        var (token, expiresIn) = r.Identity.Tokens.IssueClientAccess(r.State.Pool, r.State.Keys, client, string.Join(' ', requested));
        return (new Dictionary<string, object> { ["access_token"] = token, ["expires_in"] = expiresIn, ["token_type"] = "Bearer" }, null);
    }

    public static Task WriteErrorAsync(HttpContext http, OAuthError error)
    {
        if (error.Status == 401 && error.Error == "invalid_client")
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"gatehouse\"";
        return WriteJsonAsync(http, error.Status, new Dictionary<string, object> { ["error"] = error.Error, ["error_description"] = error.Description });
    }

    public static async Task WriteJsonAsync(HttpContext http, int status, Dictionary<string, object> body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json;charset=UTF-8";
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = new StringValues("no-cache");
        await JsonSerializer.SerializeAsync(http.Response.Body, body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
    }
}
