using Gatehouse.Core;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.Tokens;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Microsoft.AspNetCore.Http;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Identity.OAuth;

/// <summary>How a hosted sign-in step ended: signed in, a new password is needed, or a message for the page.</summary>
internal sealed record HostedSignInResult(string? UserKey, User? User, string? ChallengeSession, IReadOnlyList<string> MissingAttributes, string? Message)
{
    public static HostedSignInResult SignedIn(string key, User user) => new(key, user, null, [], null);
    public static HostedSignInResult NewPasswordRequired(string session, IReadOnlyList<string> missing) => new(null, null, session, missing, null);
    public static HostedSignInResult Failed(string message) => new(null, null, null, [], message);
}

/// <summary>
/// The service side of the hosted pages and OAuth endpoints: the same password checks, lockout,
/// NEW_PASSWORD_REQUIRED completion, token minting and revocation as the API flows, returning
/// values instead of throwing, so the HTTP steps decide how a failure is shown.
/// </summary>
internal sealed class OAuthGrants(IdentityState identity, UserChanges users, SignInChecks signIn, IEnumerable<AwsServiceDefinition> definitions,
    Triggers.TokenGenerationTrigger tokenTrigger)
{
    private readonly Triggers.TokenGenerationTrigger _tokenTrigger = tokenTrigger;
    private readonly IdentityState _state = identity;
    private readonly UserChanges _users = users;
    private readonly SignInChecks _signIn = signIn;
    private readonly AwsServiceDefinition _api = definitions.Single(d => d.ModelName == CognitoIdentityProvider.ModelName);

    /// <summary>
    /// A password sign-in from the login page, in the API flows' order: unknown
    /// user, lockout, password, then the user's state. The page never tells unknown users from
    /// wrong passwords, whatever the client's PreventUserExistenceErrors says.
    /// </summary>
    internal HostedSignInResult HostedPasswordSignIn(PoolState state, AppClient client, string name, string password)
    {
        if (name.Length == 0 || password.Length == 0)
            return HostedSignInResult.Failed("Enter your username and password.");
        var found = state.Find(name);
        switch (_signIn.CheckPassword(state, name, found, password))
        {
            case PasswordCheck.LockedOut:
                return HostedSignInResult.Failed(IdentityErrors.PasswordAttemptsExceeded().Message);
            case PasswordCheck.Wrong:
                Log.HostedSignInFailed(_state.Logger, state.Pool.Id, client.Id);
                return HostedSignInResult.Failed(IdentityErrors.IncorrectCredentials().Message);
        }
        var (key, user) = found!.Value;
        if (!user.Enabled)
            return HostedSignInResult.Failed(IdentityErrors.UserDisabled().Message);
        switch (user.Status)
        {
            case UserStatus.Unconfirmed:
                return HostedSignInResult.Failed(IdentityErrors.UserNotConfirmed().Message);
            case UserStatus.ResetRequired:
                return HostedSignInResult.Failed(IdentityErrors.ResetRequired().Message);
            case UserStatus.ForceChangePassword:
                if (user.TemporaryPasswordExpiresAt is { } expires && expires <= _state.Now)
                    return HostedSignInResult.Failed(IdentityErrors.TemporaryPasswordExpired().Message);
                var session = _state.Sessions.Add(new ChallengeSession(state.Pool.Id, client.Id, key, user.Username, "NEW_PASSWORD_REQUIRED", user.CredentialStamp, _state.Now + client.AuthSessionValidity));
                return HostedSignInResult.NewPasswordRequired(session, MissingRequiredAttributes(state, user));
        }
        return HostedSignInResult.SignedIn(key, user);
    }

    private static List<string> MissingRequiredAttributes(PoolState state, User user) =>
        state.Pool.Schema.Values.Where(a => a.Required && a.Name != "sub" && user.Attribute(a.Name) is null).Select(a => a.Name).ToList();

    /// <summary>The attributes the new-password form must ask for (required by the pool, not yet set).</summary>
    internal IReadOnlyList<string> PendingRequiredAttributes(PoolState state, string sessionToken) =>
        _state.Sessions.Get(sessionToken) is { } session && state.Users.TryGetValue(session.UserKey, out var user) ? MissingRequiredAttributes(state, user) : [];

    /// <summary>
    /// Completes NEW_PASSWORD_REQUIRED from the form, as RespondToAuthChallenge does: policy check,
    /// required attributes, the user becomes CONFIRMED. A policy failure keeps the session, so the
    /// user can try another password on the same form.
    /// </summary>
    internal async Task<HostedSignInResult> HostedCompleteNewPasswordAsync(PoolState state, AppClient client, string sessionToken, string password,
        IReadOnlyList<KeyValuePair<string, string>> attributes, CancellationToken ct)
    {
        var session = _state.Sessions.Get(sessionToken);
        if (session is null || session.PoolId != state.Pool.Id || session.ClientId != client.Id || session.Challenge != "NEW_PASSWORD_REQUIRED")
            return HostedSignInResult.Failed(IdentityErrors.InvalidSession().Message);
        if (PasswordPolicyChecker.Problem(password, state.Pool.PasswordPolicy) is { } problem)
            return HostedSignInResult.Failed(PasswordPolicyChecker.ChangePrefix + problem);
        if (!state.Users.TryGetValue(session.UserKey, out var user))
            return HostedSignInResult.Failed(IdentityErrors.InvalidSession().Message);
        try
        {
            var updated = await _users.ReplaceTemporaryPasswordAsync(state, session, user, password, attributes, ct).ConfigureAwait(false);
            _state.Sessions.Remove(sessionToken);
            return updated.Enabled ? HostedSignInResult.SignedIn(session.UserKey, updated) : HostedSignInResult.Failed(IdentityErrors.UserDisabled().Message);
        }
        catch (AwsException e)
        {
            return HostedSignInResult.Failed(e.Message);
        }
    }

    /// <summary>The user a hosted session or code names, if they may still receive tokens.</summary>
    internal User? ActiveUser(PoolState state, string key, string sub) =>
        state.Users.TryGetValue(key, out var user) && user.Sub == sub && user.Enabled && user.Status == UserStatus.Confirmed ? user : null;

    /// <summary>
    /// Tokens for a hosted sign-in: a new origin_jti, the granted scopes and the client's nonce in
    /// them, after the pre token generation trigger (TokenGeneration_HostedAuth).
    /// </summary>
    internal async Task<IssuedTokens> IssueHostedAsync(PoolState state, AppClient client, string key, User user, long authTime, string scope, string? nonce,
        bool withRefreshToken, CancellationToken ct)
    {
        var groups = state.GroupsOf(key);
        var overrides = await _tokenTrigger.RunAsync(state.Pool, client, user, groups, "TokenGeneration_HostedAuth", scope, null, ct).ConfigureAwait(false);
        var originJti = Guid.CreateVersion7(_state.Now).ToString();
        return _state.Tokens.Issue(state.Pool, state.Keys, client, user, groups, authTime, originJti, withRefreshToken, new OAuthGrantClaims(scope, nonce), overrides);
    }

    /// <summary>The refresh_token grant: the same checks as REFRESH_TOKEN_AUTH, with the scopes the sign-in was granted.</summary>
    internal async Task<(IssuedTokens? Tokens, string Scope, OAuthError? Error)> RefreshHostedAsync(PoolState state, AppClient client, string token, CancellationToken ct)
    {
        var claims = TokenService.OpenRefresh(state.Keys, token);
        if (claims is null || claims.PoolId != state.Pool.Id || claims.ClientId != client.Id)
            return (null, "", OAuthErrors.InvalidGrant(IdentityErrors.InvalidRefreshToken().Message));
        if (claims.ExpiresAt <= _state.Now.ToUnixTimeSeconds())
            return (null, "", OAuthErrors.InvalidGrant(IdentityErrors.RefreshTokenExpired().Message));
        var key = state.Pool.UserKey(claims.Username);
        if (!state.Users.TryGetValue(key, out var user) || user.Sub != claims.Sub)
            return (null, "", OAuthErrors.InvalidGrant(IdentityErrors.InvalidRefreshToken().Message));
        if (SignInChecks.IsRevoked(state, user, claims.OriginJti))
            return (null, "", OAuthErrors.InvalidGrant(IdentityErrors.RefreshTokenRevoked().Message));
        if (!user.Enabled)
            return (null, "", OAuthErrors.InvalidGrant(IdentityErrors.UserDisabled().Message));
        var scope = claims.Scope ?? "aws.cognito.signin.user.admin";
        var groups = state.GroupsOf(key);
        var overrides = await _tokenTrigger.RunAsync(state.Pool, client, user, groups, "TokenGeneration_RefreshTokens", scope, null, ct).ConfigureAwait(false);
        var tokens = _state.Tokens.Issue(state.Pool, state.Keys, client, user, groups, claims.AuthTime, claims.OriginJti, withRefreshToken: false,
            new OAuthGrantClaims(scope, null), overrides);
        return (tokens, scope, null);
    }

    /// <summary>Verifies a bearer access token for /oauth2/userInfo.</summary>
    internal (User? User, AccessClaims? Claims, OAuthError? Error) AuthenticateBearer(PoolState state, string token)
    {
        try
        {
            var (tokenState, _, user, claims) = _signIn.Authenticate(token);
            if (tokenState != state)
                return (null, null, OAuthErrors.InvalidToken());
            return (user, claims, null);
        }
        catch (AwsException)
        {
            return (null, null, OAuthErrors.InvalidToken());
        }
    }

    /// <summary>/oauth2/revoke (RFC 7009): an unknown token is answered as revoked; an access token is not revocable here.</summary>
    internal async Task<OAuthError?> RevokeHostedAsync(PoolState state, AppClient client, string token, CancellationToken ct)
    {
        if (!client.EnableTokenRevocation)
            return OAuthErrors.InvalidRequest(IdentityErrors.RevocationDisabled().Message);
        var claims = TokenService.OpenRefresh(state.Keys, token);
        if (claims is null)
            return token.Split('.').Length == 3 ? OAuthErrors.UnsupportedTokenType() : null;
        if (claims.ClientId != client.Id)
            return OAuthErrors.InvalidClientUnauthorized("The token was not issued to this client.");
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var expires = DateTimeOffset.FromUnixTimeSeconds(claims.ExpiresAt);
            await _state.WriteAsync((c, t) => IdentityStore.SaveRevocationAsync(c, t, state.Pool.Id, claims.OriginJti, expires), ct).ConfigureAwait(false);
            state.Revoked[claims.OriginJti] = expires;
        }
        return null;
    }

    /// <summary>The scopes resource servers currently define (<c>{identifier}/{scope}</c>).</summary>
    internal static HashSet<string> CustomScopes(PoolState state) =>
        state.ResourceServers.Values.SelectMany(s => s.FullScopeNames).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Runs one of the pool's unauthenticated client operations (SignUp, ConfirmSignUp,
    /// ForgotPassword, …) for a hosted page, exactly as a first-party client of the API would: the
    /// same handler, checks and outbox. The page knows the client's secret, so it adds SECRET_HASH.
    /// </summary>
    internal async Task<(JsonObject? Output, string? Error)> HostedCallAsync(PoolState state, AppClient client, string operation, JsonObject input, HttpContext http)
    {
        input["ClientId"] = client.Id;
        if (client.Secret is not null && input["Username"]?.GetValue<string>() is { } username)
            input["SecretHash"] = SecretHash.Compute(client.Secret, username, client.Id);
        var context = new AwsRequestContext(state.Pool.Account, state.Pool.Region, Guid.NewGuid().ToString());
        try
        {
            var response = await _api.Handlers[operation](new AwsRequest(context, operation, input, default, http), http.RequestAborted).ConfigureAwait(false);
            return (response.Output, null);
        }
        catch (AwsException e)
        {
            return (null, e.Message);
        }
    }

    internal void LogHosted(string what, string poolId, string clientId) => Log.HostedEvent(_state.Logger, what, poolId, clientId);
}
