using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gatehouse.Identity.Model;

namespace Gatehouse.Identity.Tokens;

/// <summary>What the hosted (OAuth) flows add to a sign-in's tokens: the granted scopes and the client's nonce.</summary>
internal sealed record OAuthGrantClaims(string Scope, string? Nonce);

/// <summary>The OAuth-only tokens: hosted-flow ID token claims and client_credentials access tokens.</summary>
internal sealed partial class TokenService
{
    /// <summary>
    /// <c>at_hash</c> (OIDC Core 3.1.3.6): base64url of the left half of SHA-256 over the access
    /// token, so a client can tell the ID token and access token were issued together.
    /// </summary>
    public static string AccessTokenHash(string accessToken)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(accessToken));
        return B64(hash.AsSpan(0, hash.Length / 2));
    }

    private static void WriteOAuthIdClaims(Utf8JsonWriter w, OAuthGrantClaims oauth, string accessToken)
    {
        w.WriteString("at_hash", AccessTokenHash(accessToken));
        if (oauth.Nonce is not null)
            w.WriteString("nonce", oauth.Nonce);
    }

    /// <summary>
    /// A client_credentials access token: the client is the subject, there is no user, no ID token
    /// and no refresh token; <paramref name="scope"/> holds custom (resource server) scopes only.
    /// </summary>
    public (string AccessToken, int ExpiresIn) IssueClientAccess(UserPool pool, PoolKeys keys, AppClient client, string scope)
    {
        var iat = _time.GetUtcNow().ToUnixTimeSeconds();
        var token = Sign(keys.AccessKey, w =>
        {
            w.WriteString("sub", client.Id);
            w.WriteString("token_use", "access");
            w.WriteString("scope", scope);
            w.WriteNumber("auth_time", iat);
            w.WriteString("iss", Issuer(pool.Id, pool.Region));
            w.WriteNumber("exp", iat + (long)client.AccessTokenValidity.TotalSeconds);
            w.WriteNumber("iat", iat);
            w.WriteNumber("version", 2);
            w.WriteString("jti", Guid.NewGuid().ToString());
            w.WriteString("client_id", client.Id);
        });
        return (token, (int)client.AccessTokenValidity.TotalSeconds);
    }
}
