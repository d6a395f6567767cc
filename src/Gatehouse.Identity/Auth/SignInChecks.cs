using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.Tokens;
using Gatehouse.Protocol;
using Op = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Operations;

namespace Gatehouse.Identity.Auth;

/// <summary>
/// The checks every sign-in path shares (the API flows, the user's own operations and the hosted
/// pages): required parameters, SECRET_HASH, the password with its short-lived cache, lockout keys,
/// and whether a token's sign-in was revoked.
/// </summary>
internal sealed class SignInChecks(IdentityState identity)
{
    private readonly IdentityState _state = identity;

    internal static string Required(Dictionary<string, string> parameters, string name) =>
        parameters.TryGetValue(name, out var value) && value.Length > 0 ? value : throw IdentityErrors.MissingParameter(name);

    internal static void CheckSecretHash(AppClient client, string? supplied, params ReadOnlySpan<string?> usernames)
    {
        if (client.Secret is null)
            return;
        if (string.IsNullOrEmpty(supplied))
            throw IdentityErrors.SecretMissing(client.Id);
        if (!SecretHash.Matches(supplied, client.Secret, client.Id, usernames))
            throw IdentityErrors.SecretHashMismatch(client.Id);
    }

    internal static string ThrottleKey(PoolState state, string userKey) => state.Pool.Id + "/" + userKey;

    /// <summary>
    /// Where a name that is no user keeps its failures: unknown names are locked out like users, so a
    /// client that hides user existence answers both alike. NUL never occurs in a username.
    /// </summary>
    internal static string UnknownThrottleKey(PoolState state, string name) => state.Pool.Id + "/\0" + name.ToLowerInvariant();

    /// <summary>
    /// The password check of every sign-in path, in this order: a lockout refuses at once (without
    /// hashing, so it does not extend itself); a password verified for this user and credential stamp
    /// minutes ago is accepted from the cache; otherwise a hashing slot is taken, the attempt reserved
    /// (<see cref="SignInThrottle.TryBegin"/>) and the slow hash computed — against a decoy for an
    /// unknown user, so that answer costs the same time as a wrong password.
    /// </summary>
    internal PasswordCheck CheckPassword(PoolState state, string name, (string Key, User User)? found, string password)
    {
        var throttleKey = found is { } hit ? ThrottleKey(state, hit.Key) : UnknownThrottleKey(state, name);
        if (_state.Throttle.IsLockedOut(throttleKey))
            return PasswordCheck.LockedOut;
        var user = found?.User;
        if (user is { PasswordHash: not null } && _state.Credentials.Contains(state.Pool.Id, user.Username, user.CredentialStamp, password))
        {
            _state.Throttle.RecordSuccess(throttleKey);
            return PasswordCheck.Correct;
        }
        bool correct;
        using (PasswordHasher.EnterSlot())
        {
            if (!_state.Throttle.TryBegin(throttleKey))
                return PasswordCheck.LockedOut;
            correct = user?.PasswordHash is { } hash ? PasswordHasher.Verify(password, hash) : PasswordHasher.VerifyDecoy(password);
        }
        if (!correct)
        {
            _state.Throttle.RecordFailure(throttleKey);
            return PasswordCheck.Wrong;
        }
        _state.Throttle.RecordSuccess(throttleKey);
        _state.Credentials.Add(state.Pool.Id, user!.Username, user.CredentialStamp, password);
        return PasswordCheck.Correct;
    }

    /// <summary>
    /// A sign-in is revoked when RevokeToken named it, or when it predates the user's last global
    /// sign-out. origin_jti is a version-7 UUID, so it carries the sign-in time to the millisecond.
    /// </summary>
    internal static bool IsRevoked(PoolState state, User user, string originJti)
    {
        if (state.Revoked.ContainsKey(originJti))
            return true;
        if (user.TokensValidAfter is not { } after)
            return false;
        return !Guid.TryParse(originJti, out var guid) || guid.Version != 7 || SignInTime(guid) <= after;
    }

    private static DateTimeOffset SignInTime(Guid v7)
    {
        Span<byte> bytes = stackalloc byte[16];
        v7.TryWriteBytes(bytes, bigEndian: true, out _);
        long ms = 0;
        for (var i = 0; i < 6; i++)
            ms = (ms << 8) | bytes[i];
        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }

    /// <summary>Verifies an access token for the user-facing operations (GetUser, ChangePassword, GlobalSignOut, ...).</summary>
    internal (PoolState State, string Key, User User, AccessClaims Claims) Authenticate(string token)
    {
        var payload = TokenService.PeekPayload(token, out var kid);
        if (payload is not { } claims || kid is null
            || !claims.TryGetProperty("iss", out var iss) || iss.ValueKind != JsonValueKind.String
            || !claims.TryGetProperty("token_use", out var use) || use.GetString() != "access")
            throw IdentityErrors.InvalidAccessToken();
        var issuer = iss.GetString()!;
        var poolId = issuer[(issuer.LastIndexOf('/') + 1)..];
        if (!_state.PoolsById.TryGetValue(poolId, out var state) || _state.Tokens.Issuer(poolId, state.Pool.Region) != issuer
            || !state.Keys.ByKid.TryGetValue(kid, out var key) || key.Purpose != "access" || !TokenService.VerifySignature(token, key.PublicKey))
            throw IdentityErrors.InvalidAccessToken();
        try
        {
            var access = new AccessClaims(poolId, claims.GetProperty("client_id").GetString()!, claims.GetProperty("username").GetString()!,
                claims.GetProperty("sub").GetString()!, claims.GetProperty("origin_jti").GetString()!, claims.GetProperty("iat").GetInt64(),
                claims.GetProperty("exp").GetInt64(), claims.GetProperty("scope").GetString()!);
            if (access.ExpiresAt <= _state.Now.ToUnixTimeSeconds())
                throw IdentityErrors.AccessTokenExpired();
            var userKey = state.Pool.UserKey(access.Username);
            if (!state.Users.TryGetValue(userKey, out var user) || user.Sub != access.Sub)
                throw IdentityErrors.UserNotFound();
            if (IsRevoked(state, user, access.OriginJti))
                throw IdentityErrors.AccessTokenRevoked();
            if (!user.Enabled)
                throw IdentityErrors.UserDisabled();
            return (state, userKey, user, access);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw IdentityErrors.InvalidAccessToken();
        }
    }

    internal static bool FixedEquals(string? a, string b) =>
        a is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));
}

internal enum PasswordCheck
{
    Correct,
    Wrong,
    LockedOut,
}
