using Gatehouse.Identity.HostedUi;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Identity.OAuth;

/// <summary>
/// GET or POST /oauth2/userInfo (OIDC Core 5.3): a bearer access token carrying <c>openid</c>;
/// answers the attributes the token's scopes and the client's ReadAttributes allow.
/// </summary>
internal static class UserInfoEndpoint
{
    public static async Task HandleAsync(HostedRequest r)
    {
        var authorization = r.Http.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || authorization.Length <= 7)
        {
            await ChallengeAsync(r.Http, OAuthErrors.InvalidRequest("The request has no bearer access token.")).ConfigureAwait(false);
            return;
        }
        var (user, claims, error) = r.Grants.AuthenticateBearer(r.State, authorization[7..].Trim());
        if (error is not null)
        {
            await ChallengeAsync(r.Http, error).ConfigureAwait(false);
            return;
        }
        var scopes = claims!.Scope.Split(' ');
        if (!scopes.Contains("openid"))
        {
            await ChallengeAsync(r.Http, OAuthErrors.InsufficientScope()).ConfigureAwait(false);
            return;
        }
        var readable = r.State.Clients.TryGetValue(claims.ClientId, out var client) ? client.ReadAttributes : null;
        // email/phone/profile narrow what openid alone returns (every readable attribute).
        var narrowed = scopes.Any(s => s is "email" or "phone" or "profile") && !scopes.Contains("profile");
        var body = new Dictionary<string, object> { ["sub"] = user!.Sub };
        foreach (var (name, value) in user.Attributes)
        {
            if (name == "sub" || (readable is not null && !readable.Contains(name)))
                continue;
            if (narrowed && !(scopes.Contains("email") && name is "email" or "email_verified")
                && !(scopes.Contains("phone") && name is "phone_number" or "phone_number_verified"))
                continue;
            body[name] = value;
        }
        body["username"] = user.Username;
        await TokenEndpoint.WriteJsonAsync(r.Http, 200, body).ConfigureAwait(false);
    }

    private static Task ChallengeAsync(HttpContext http, OAuthError error)
    {
        // RFC 6750 §3: the error travels in WWW-Authenticate as well as in the body.
        http.Response.Headers.WWWAuthenticate = $"Bearer error=\"{error.Error}\", error_description=\"{error.Description}\"";
        return TokenEndpoint.WriteJsonAsync(http, error.Status, new Dictionary<string, object> { ["error"] = error.Error, ["error_description"] = error.Description });
    }
}
