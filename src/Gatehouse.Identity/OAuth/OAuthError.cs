namespace Gatehouse.Identity.OAuth;

/// <summary>An OAuth 2.0 / OIDC protocol error as a value: the RFC 6749 code, a description and the HTTP status Cognito uses.</summary>
internal sealed record OAuthError(string Error, string Description, int Status = 400);

/// <summary>Every OAuth error the hosted endpoints answer with, in one place (RFC 6749 §4.1.2.1, §5.2; RFC 7009; RFC 6750).</summary>
internal static class OAuthErrors
{
    public static OAuthError InvalidRequest(string description) => new("invalid_request", description);
    public static OAuthError InvalidClient(string description = "Client authentication failed.") => new("invalid_client", description);
    public static OAuthError InvalidClientUnauthorized(string description = "Client authentication failed.") => new("invalid_client", description, 401);
    public static OAuthError InvalidGrant(string description) => new("invalid_grant", description);
    public static OAuthError UnauthorizedClient(string description) => new("unauthorized_client", description);
    public static OAuthError UnsupportedGrantType(string grantType) => new("unsupported_grant_type", $"Grant type {grantType} is not supported.");
    public static OAuthError UnsupportedResponseType(string responseType) => new("unsupported_response_type", $"Response type {responseType} is not supported.");
    public static OAuthError InvalidScope(string description) => new("invalid_scope", description);
    public static OAuthError UnsupportedTokenType() => new("unsupported_token_type", "Only refresh tokens can be revoked.");
    public static OAuthError InvalidToken() => new("invalid_token", "Access token is expired, disabled, or deleted, or the user has globally signed out.", 401);
    public static OAuthError InsufficientScope() => new("insufficient_scope", "The access token does not carry the openid scope.", 403);
}
