using System.Text;
using Gatehouse.Core;
using Gatehouse.Identity.HostedUi;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.Tokens;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Identity.OAuth;

/// <summary>
/// GET /oauth2/authorize: Validate → (signed-in browser? answer : send to /login). Answering is
/// a redirect to the registered callback with a code (or, for implicit, tokens in the fragment).
/// </summary>
internal static class AuthorizeEndpoint
{
    public static async Task GetAsync(HostedRequest r)
    {
        var validation = AuthorizeRequestValidator.Validate(r.State, r.Http.Request.Query);
        if (validation.Request is not { } request)
        {
            await RejectAsync(r, validation).ConfigureAwait(false);
            return;
        }
        if (r.Identity.HostedSessions.Get(r.SessionId) is { } session && session.PoolId == r.State.Pool.Id
            && r.Grants.ActiveUser(r.State, session.UserKey, session.Sub) is { } user && user.CredentialStamp == session.CredentialStamp)
        {
            await AnswerAsync(r, request, session.UserKey, user, session.AuthTime).ConfigureAwait(false);
            return;
        }
        r.Redirect(r.Path("/login") + "?" + request.ToQuery());
    }

    /// <summary>An invalid request: to the client when its redirect URI is known good, else on a page.</summary>
    public static Task RejectAsync(HostedRequest r, AuthorizeValidation validation)
    {
        var error = validation.Error!;
        if (validation.RedirectUri is { } redirectUri)
        {
            var parameters = new List<(string, string)> { ("error", error.Error), ("error_description", error.Description) };
            if (validation.State is { } state)
                parameters.Add(("state", state));
            r.Redirect(Append(redirectUri, '?', parameters));
            return Task.CompletedTask;
        }
        return Pages.WriteAsync(r.Http, Pages.Message("Something went wrong",
            $"This sign-in link is not valid ({error.Error}: {error.Description}) Contact the application's owner."), StatusCodes.Status400BadRequest);
    }

    public static async Task AnswerAsync(HostedRequest r, AuthorizeRequest request, string key, User user, long authTime)
    {
        var parameters = new List<(string, string)>();
        if (request.ResponseType == "code")
        {
            var code = r.Identity.Codes.Add(new AuthorizationGrant(r.State.Pool.Id, request.Client.Id, key, user.Sub, request.RedirectUri, request.Scope,
                request.Nonce, request.CodeChallenge, request.CodeChallengeMethod, authTime, r.Identity.Now + AuthorizationCodes.Lifetime));
            parameters.Add(("code", code));
            if (request.State is { } state)
                parameters.Add(("state", state));
            r.Redirect(Append(request.RedirectUri, '?', parameters));
            return;
        }

        // Implicit: tokens in the fragment, which browsers never send to servers; never a refresh token.
        IssuedTokens tokens;
        try
        {
            tokens = await r.Grants.IssueHostedAsync(r.State, request.Client, key, user, authTime, request.Scope, request.Nonce, withRefreshToken: false,
                r.Http.RequestAborted).ConfigureAwait(false);
        }
        catch (AwsException trigger)
        {
            // The pre token generation trigger failed: the client hears it as an OAuth error (RFC 6749 §4.2.2.1).
            var failure = new List<(string, string)> { ("error", "server_error"), ("error_description", trigger.Message) };
            if (request.State is { } failedState)
                failure.Add(("state", failedState));
            r.Redirect(Append(request.RedirectUri, '#', failure));
            return;
        }
        if (request.Scopes.Contains("openid"))
            parameters.Add(("id_token", tokens.IdToken));
        parameters.Add(("access_token", tokens.AccessToken));
        parameters.Add(("expires_in", tokens.ExpiresIn.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        parameters.Add(("token_type", "Bearer"));
        if (request.State is { } implicitState)
            parameters.Add(("state", implicitState));
        r.Redirect(Append(request.RedirectUri, '#', parameters));
    }

    /// <summary>Adds parameters to a registered URI (which may already carry a query).</summary>
    public static string Append(string uri, char separator, IEnumerable<(string Name, string Value)> parameters)
    {
        var text = new StringBuilder(uri);
        var first = separator == '#' || !uri.Contains('?', StringComparison.Ordinal);
        foreach (var (name, value) in parameters)
        {
            text.Append(first ? separator : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }
        return text.ToString();
    }
}
