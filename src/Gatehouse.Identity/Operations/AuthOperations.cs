using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.Tokens;
using Gatehouse.Protocol;
using Op = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Operations;

namespace Gatehouse.Identity;

/// <summary>Sign-in: the password, SRP and refresh flows, challenges, sign-out and revocation (reference §5–§8).</summary>
public sealed partial class IdentityService
{
    private void MapAuthOperations() => Definition
        .Map(Op.AdminInitiateAuth, AdminInitiateAuth)
        .Map(Op.InitiateAuth, InitiateAuth)
        .Map(Op.AdminRespondToAuthChallenge, AdminRespondToAuthChallengeAsync)
        .Map(Op.RespondToAuthChallenge, RespondToAuthChallengeAsync)
        .Map(Op.GetTokensFromRefreshToken, GetTokensFromRefreshToken)
        .Map(Op.GlobalSignOut, GlobalSignOutAsync)
        .Map(Op.AdminUserGlobalSignOut, AdminUserGlobalSignOutAsync)
        .Map(Op.RevokeToken, RevokeTokenAsync);

    private ValueTask<AwsResponse> AdminInitiateAuth(AwsRequest request, CancellationToken ct)
    {
        var state = Pool(request);
        var client = Client(state, request.Input.Req("ClientId"));
        return ValueTask.FromResult<AwsResponse>(Initiate(state, client, request.Input.Req("AuthFlow"), request.Input.StringMap("AuthParameters"), admin: true));
    }

    private ValueTask<AwsResponse> InitiateAuth(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = ClientById(request.Input.Req("ClientId"));
        return ValueTask.FromResult<AwsResponse>(Initiate(state, client, request.Input.Req("AuthFlow"), request.Input.StringMap("AuthParameters"), admin: false));
    }

    private JsonObject Initiate(PoolState state, AppClient client, string flow, Dictionary<string, string> parameters, bool admin)
    {
        switch (flow)
        {
            case "ADMIN_USER_PASSWORD_AUTH" or "ADMIN_NO_SRP_AUTH" when admin:
                if (!client.Allows("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"))
                    throw IdentityErrors.AuthFlowNotEnabled();
                return PasswordSignIn(state, client, parameters);
            case "USER_PASSWORD_AUTH" when !admin:
                if (!client.Allows("ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"))
                    throw IdentityErrors.UserPasswordAuthNotEnabled();
                return PasswordSignIn(state, client, parameters);
            case "USER_SRP_AUTH":
                if (!client.Allows("ALLOW_USER_SRP_AUTH"))
                    throw IdentityErrors.SrpNotEnabled();
                return StartSrp(state, client, parameters);
            case "REFRESH_TOKEN_AUTH" or "REFRESH_TOKEN":
                if (!client.Allows("ALLOW_REFRESH_TOKEN_AUTH"))
                    throw IdentityErrors.RefreshNotEnabled();
                return Refresh(state, client, Required(parameters, "REFRESH_TOKEN"), parameters.GetValueOrDefault("SECRET_HASH"), checkSecretHash: true);
            default:
                throw IdentityErrors.UnsupportedFlow(flow);
        }
    }

    private static string Required(Dictionary<string, string> parameters, string name) =>
        parameters.TryGetValue(name, out var value) && value.Length > 0 ? value : throw IdentityErrors.MissingParameter(name);

    private static void CheckSecretHash(AppClient client, string? supplied, params ReadOnlySpan<string?> usernames)
    {
        if (client.Secret is null)
            return;
        if (string.IsNullOrEmpty(supplied))
            throw IdentityErrors.SecretMissing(client.Id);
        if (!SecretHash.Matches(supplied, client.Secret, client.Id, usernames))
            throw IdentityErrors.SecretHashMismatch(client.Id);
    }

    private static string ThrottleKey(PoolState state, string userKey) => state.Pool.Id + "/" + userKey;

    private JsonObject PasswordSignIn(PoolState state, AppClient client, Dictionary<string, string> parameters)
    {
        var name = Required(parameters, "USERNAME");
        var password = Required(parameters, "PASSWORD");
        var found = state.Find(name);
        CheckSecretHash(client, parameters.GetValueOrDefault("SECRET_HASH"), name, found?.User.Username);
        if (found is not { } hit)
        {
            if (!client.PreventUserExistenceErrors)
                throw IdentityErrors.UserNotFound();
            // Pay for a hash anyway, so the answer's timing does not tell unknown users from wrong passwords.
            PasswordHasher.VerifyDecoy(password);
            throw IdentityErrors.IncorrectCredentials();
        }
        var (key, user) = hit;
        var throttleKey = ThrottleKey(state, key);
        if (Throttle.IsLockedOut(throttleKey))
            throw IdentityErrors.PasswordAttemptsExceeded();
        if (!CheckPassword(state, user, password))
        {
            Throttle.RecordFailure(throttleKey);
            throw IdentityErrors.IncorrectCredentials();
        }
        Throttle.RecordSuccess(throttleKey);
        return AfterPasswordVerified(state, client, key, user);
    }

    /// <summary>The slow hash, unless this exact password was verified for this user (and credential stamp) minutes ago.</summary>
    private bool CheckPassword(PoolState state, User user, string password)
    {
        if (user.PasswordHash is null)
            return false;
        if (Credentials.Contains(state.Pool.Id, user.Username, user.CredentialStamp, password))
            return true;
        if (!PasswordHasher.Verify(password, user.PasswordHash))
            return false;
        Credentials.Add(state.Pool.Id, user.Username, user.CredentialStamp, password);
        return true;
    }

    /// <summary>The state checks after a correct password (or SRP proof), in Cognito's order (reference §6.2 step 6).</summary>
    private JsonObject AfterPasswordVerified(PoolState state, AppClient client, string key, User user)
    {
        if (!user.Enabled)
            throw IdentityErrors.UserDisabled();
        switch (user.Status)
        {
            case UserStatus.Unconfirmed:
                throw IdentityErrors.UserNotConfirmed();
            case UserStatus.ResetRequired:
                throw IdentityErrors.ResetRequired();
            case UserStatus.ForceChangePassword:
                if (user.TemporaryPasswordExpiresAt is { } expires && expires <= Now)
                    throw IdentityErrors.TemporaryPasswordExpired();
                return NewPasswordChallenge(state, client, key, user);
        }
        return SignedIn(state, client, key, user);
    }

    private JsonObject SignedIn(PoolState state, AppClient client, string key, User user)
    {
        var now = Now;
        var originJti = Guid.CreateVersion7(now).ToString();
        var tokens = Tokens.Issue(state.Pool, state.Keys, client, user, state.GroupsOf(key), now.ToUnixTimeSeconds(), originJti, withRefreshToken: true);
        return new JsonObject { ["ChallengeParameters"] = new JsonObject(), ["AuthenticationResult"] = ResultJson(tokens) };
    }

    private static JsonObject ResultJson(IssuedTokens tokens)
    {
        var result = new JsonObject
        {
            ["AccessToken"] = tokens.AccessToken,
            ["ExpiresIn"] = tokens.ExpiresIn,
            ["TokenType"] = "Bearer",
        };
        if (tokens.RefreshToken is not null)
            result["RefreshToken"] = tokens.RefreshToken;
        result["IdToken"] = tokens.IdToken;
        return result;
    }

    private JsonObject NewPasswordChallenge(PoolState state, AppClient client, string key, User user)
    {
        var missing = state.Pool.Schema.Values
            .Where(a => a.Required && a.Name != "sub" && user.Attribute(a.Name) is null)
            .Select(a => "userAttributes." + a.Name).ToList();
        var attributes = new JsonObject();
        foreach (var (name, value) in user.Attributes)
        {
            if (name != "sub")
                attributes[name] = value;
        }
        var session = Sessions.Add(new ChallengeSession(state.Pool.Id, client.Id, key, user.Username, "NEW_PASSWORD_REQUIRED", user.CredentialStamp, Now + client.AuthSessionValidity));
        return new JsonObject
        {
            ["ChallengeName"] = "NEW_PASSWORD_REQUIRED",
            ["Session"] = session,
            ["ChallengeParameters"] = new JsonObject
            {
                ["USER_ID_FOR_SRP"] = user.Username,
                ["requiredAttributes"] = JsonSerializer.Serialize(missing),
                ["userAttributes"] = attributes.ToJsonString(),
            },
        };
    }

    private ValueTask<AwsResponse> AdminRespondToAuthChallengeAsync(AwsRequest request, CancellationToken ct)
    {
        var state = Pool(request);
        var client = Client(state, request.Input.Req("ClientId"));
        return RespondAsync(state, client, request, ct);
    }

    private ValueTask<AwsResponse> RespondToAuthChallengeAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = ClientById(request.Input.Req("ClientId"));
        return RespondAsync(state, client, request, ct);
    }

    private async ValueTask<AwsResponse> RespondAsync(PoolState state, AppClient client, AwsRequest request, CancellationToken ct)
    {
        var challenge = request.Input.Req("ChallengeName");
        var responses = request.Input.StringMap("ChallengeResponses");
        return challenge switch
        {
            "NEW_PASSWORD_REQUIRED" => await AnswerNewPasswordAsync(state, client, request.Input.Str("Session"), responses, ct).ConfigureAwait(false),
            "PASSWORD_VERIFIER" => AnswerPasswordVerifier(state, client, responses),
            _ => throw IdentityErrors.UnsupportedChallenge(challenge),
        };
    }

    private async Task<JsonObject> AnswerNewPasswordAsync(PoolState state, AppClient client, string? sessionToken, Dictionary<string, string> responses, CancellationToken ct)
    {
        var session = Sessions.Get(sessionToken);
        if (session is null || session.PoolId != state.Pool.Id || session.ClientId != client.Id || session.Challenge != "NEW_PASSWORD_REQUIRED")
            throw IdentityErrors.InvalidSession();
        var name = Required(responses, "USERNAME");
        if (state.Find(name) is not { } named || named.Key != session.UserKey)
            throw IdentityErrors.InvalidSession();
        CheckSecretHash(client, responses.GetValueOrDefault("SECRET_HASH"), name, session.Username);
        var password = Required(responses, "NEW_PASSWORD");
        PasswordPolicyChecker.Enforce(password, state.Pool.PasswordPolicy, PasswordPolicyChecker.ChangePrefix);
        var user = named.User;
        var updates = responses.Where(r => r.Key.StartsWith("userAttributes.", StringComparison.Ordinal))
            .Select(r => new KeyValuePair<string, string>(r.Key["userAttributes.".Length..], r.Value)).ToList();
        var merged = MergeAttributes(state.Pool, user.Attributes, updates, creating: false);
        CheckRequired(state.Pool, merged);
        var prepared = WithPassword(user, state.Pool, password, temporary: false);
        var updated = await UpdateUserAsync(state, session.UserKey, user.Sub, current =>
        {
            // The temporary password changed meanwhile (e.g. an administrator reset it): this session is stale.
            if (current.CredentialStamp != session.CredentialStamp || current.Status != UserStatus.ForceChangePassword)
                throw IdentityErrors.InvalidSession();
            var attributes = MergeAttributes(state.Pool, current.Attributes, updates, creating: false);
            return prepared with { Attributes = attributes, Enabled = current.Enabled, Status = UserStatus.Confirmed, Code = null };
        }, ct).ConfigureAwait(false);
        if (!Sessions.Remove(sessionToken!))
            throw IdentityErrors.InvalidSession();
        if (!updated.Enabled)
            throw IdentityErrors.UserDisabled();
        return SignedIn(state, client, session.UserKey, updated);
    }

    // ---- SRP (reference §6.3, §8) ----

    private JsonObject StartSrp(PoolState state, AppClient client, Dictionary<string, string> parameters)
    {
        var name = Required(parameters, "USERNAME");
        var aHex = Required(parameters, "SRP_A");
        if (aHex.Length > 2048 || !aHex.All(char.IsAsciiHexDigit))
            throw IdentityErrors.InvalidParameter("SRP_A is not a hexadecimal number.");
        var clientA = Srp.FromHex(aHex);
        if ((clientA % Srp.N).IsZero)
            throw IdentityErrors.InvalidParameter("SRP_A cannot be zero mod N.");
        var found = state.Find(name);
        CheckSecretHash(client, parameters.GetValueOrDefault("SECRET_HASH"), name, found?.User.Username);

        string? key;
        string username;
        BigInteger salt, verifier;
        if (found is { User.SrpVerifier: not null, User.SrpSalt: not null } hit)
        {
            key = hit.Key;
            username = hit.User.Username;
            salt = Srp.FromBytes(hit.User.SrpSalt);
            verifier = OpenVerifier(hit.User);
        }
        else if (found is null && !client.PreventUserExistenceErrors)
        {
            throw IdentityErrors.UserNotFound();
        }
        else
        {
            // Unknown user with existence errors prevented (or a user without a password): a decoy
            // exchange that looks like a real one and fails at the proof, as Cognito's does.
            key = null;
            username = found?.User.Username ?? name;
            salt = Srp.NewSalt();
            verifier = Srp.PowG(Srp.NewPrivateEphemeral());
        }

        BigInteger b, serverB;
        do
        {
            b = Srp.NewPrivateEphemeral();
            serverB = Srp.PublicEphemeral(verifier, b);
        }
        while ((serverB % Srp.N).IsZero || Srp.Scrambler(clientA, serverB).IsZero);

        var block = Sessions.AddSrp(new SrpSession(state.Pool.Id, client.Id, key, username, clientA, serverB, b, verifier, Now + client.AuthSessionValidity));
        return new JsonObject
        {
            ["ChallengeName"] = "PASSWORD_VERIFIER",
            ["ChallengeParameters"] = new JsonObject
            {
                ["SALT"] = Srp.ToHex(salt),
                ["SECRET_BLOCK"] = block,
                ["SRP_B"] = Srp.ToHex(serverB),
                ["USERNAME"] = username,
                ["USER_ID_FOR_SRP"] = username,
            },
        };
    }

    private JsonObject AnswerPasswordVerifier(PoolState state, AppClient client, Dictionary<string, string> responses)
    {
        var name = Required(responses, "USERNAME");
        var block = Required(responses, "PASSWORD_CLAIM_SECRET_BLOCK");
        var signatureText = Required(responses, "PASSWORD_CLAIM_SIGNATURE");
        var timestamp = Required(responses, "TIMESTAMP");
        var srp = Sessions.TakeSrp(block);
        if (srp is null || srp.PoolId != state.Pool.Id || srp.ClientId != client.Id)
            throw IdentityErrors.InvalidSession();
        CheckSecretHash(client, responses.GetValueOrDefault("SECRET_HASH"), name, srp.Username);
        if (srp.UserKey is null || !state.Users.TryGetValue(srp.UserKey, out var user) || user.Username != srp.Username)
            throw IdentityErrors.IncorrectCredentials();
        var throttleKey = ThrottleKey(state, srp.UserKey);
        if (Throttle.IsLockedOut(throttleKey))
            throw IdentityErrors.PasswordAttemptsExceeded();

        byte[] blockBytes, signature;
        try
        {
            blockBytes = Convert.FromBase64String(block);
            signature = Convert.FromBase64String(signatureText);
        }
        catch (FormatException)
        {
            throw IdentityErrors.IncorrectCredentials();
        }
        var u = Srp.Scrambler(srp.ClientA, srp.ServerB);
        var secret = Srp.ServerSecret(srp.ClientA, srp.Verifier, u, srp.ServerSecret);
        var sessionKey = Srp.SessionKey(secret, u);
        var expected = Srp.ClaimSignature(sessionKey, state.Pool.SrpPoolName, srp.Username, blockBytes, timestamp);
        CryptographicOperations.ZeroMemory(sessionKey);
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            Throttle.RecordFailure(throttleKey);
            throw IdentityErrors.IncorrectCredentials();
        }
        Throttle.RecordSuccess(throttleKey);
        return AfterPasswordVerified(state, client, srp.UserKey, user);
    }

    // ---- refresh, sign-out, revocation ----

    private JsonObject Refresh(PoolState state, AppClient client, string token, string? secretHash, bool checkSecretHash)
    {
        var claims = TokenService.OpenRefresh(state.Keys, token);
        if (claims is null || claims.PoolId != state.Pool.Id || claims.ClientId != client.Id)
            throw IdentityErrors.InvalidRefreshToken();
        if (checkSecretHash)
            CheckSecretHash(client, secretHash, claims.Username, claims.Sub);
        if (claims.ExpiresAt <= Now.ToUnixTimeSeconds())
            throw IdentityErrors.RefreshTokenExpired();
        var key = state.Pool.UserKey(claims.Username);
        if (!state.Users.TryGetValue(key, out var user) || user.Sub != claims.Sub)
            throw IdentityErrors.InvalidRefreshToken();
        if (IsRevoked(state, user, claims.OriginJti))
            throw IdentityErrors.RefreshTokenRevoked();
        if (!user.Enabled)
            throw IdentityErrors.UserDisabled();
        var tokens = Tokens.Issue(state.Pool, state.Keys, client, user, state.GroupsOf(key), claims.AuthTime, claims.OriginJti, withRefreshToken: false);
        return new JsonObject { ["ChallengeParameters"] = new JsonObject(), ["AuthenticationResult"] = ResultJson(tokens) };
    }

    /// <summary>
    /// A sign-in is revoked when RevokeToken named it, or when it predates the user's last global
    /// sign-out. origin_jti is a version-7 UUID, so it carries the sign-in time to the millisecond.
    /// </summary>
    private static bool IsRevoked(PoolState state, User user, string originJti)
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

    private ValueTask<AwsResponse> GetTokensFromRefreshToken(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = ClientById(request.Input.Req("ClientId"));
        if (!client.Allows("ALLOW_REFRESH_TOKEN_AUTH"))
            throw IdentityErrors.RefreshNotEnabled();
        if (client.Secret is not null && !FixedEquals(request.Input.Str("ClientSecret"), client.Secret))
            throw IdentityErrors.SecretHashMismatch(client.Id);
        var result = Refresh(state, client, request.Input.Req("RefreshToken"), null, checkSecretHash: false);
        return ValueTask.FromResult<AwsResponse>(new JsonObject { ["AuthenticationResult"] = result["AuthenticationResult"]!.DeepClone() });
    }

    private static bool FixedEquals(string? a, string b) =>
        a is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));

    /// <summary>Verifies an access token for the user-facing operations (GetUser, ChangePassword, GlobalSignOut, ...).</summary>
    private (PoolState State, string Key, User User, AccessClaims Claims) Authenticate(string token)
    {
        var payload = TokenService.PeekPayload(token, out var kid);
        if (payload is not { } claims || kid is null
            || !claims.TryGetProperty("iss", out var iss) || iss.ValueKind != JsonValueKind.String
            || !claims.TryGetProperty("token_use", out var use) || use.GetString() != "access")
            throw IdentityErrors.InvalidAccessToken();
        var issuer = iss.GetString()!;
        var poolId = issuer[(issuer.LastIndexOf('/') + 1)..];
        if (!_pools.TryGetValue(poolId, out var state) || Tokens.Issuer(poolId, state.Pool.Region) != issuer
            || !state.Keys.ByKid.TryGetValue(kid, out var key) || key.Purpose != "access" || !TokenService.VerifySignature(token, key.PublicKey))
            throw IdentityErrors.InvalidAccessToken();
        try
        {
            var access = new AccessClaims(poolId, claims.GetProperty("client_id").GetString()!, claims.GetProperty("username").GetString()!,
                claims.GetProperty("sub").GetString()!, claims.GetProperty("origin_jti").GetString()!, claims.GetProperty("iat").GetInt64(),
                claims.GetProperty("exp").GetInt64(), claims.GetProperty("scope").GetString()!);
            if (access.ExpiresAt <= Now.ToUnixTimeSeconds())
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

    private async ValueTask<AwsResponse> GlobalSignOutAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, key, user, _) = Authenticate(request.Input.Req("AccessToken"));
        await SignOutEverywhereAsync(state, key, user, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> AdminUserGlobalSignOutAsync(AwsRequest request, CancellationToken ct)
    {
        var state = Pool(request);
        var (key, user) = RequireUser(state, request.Input.Req("Username"));
        await SignOutEverywhereAsync(state, key, user, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private Task SignOutEverywhereAsync(PoolState state, string key, User user, CancellationToken ct) =>
        UpdateUserAsync(state, key, user.Sub, current => current with { TokensValidAfter = Now }, ct);

    private async ValueTask<AwsResponse> RevokeTokenAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = ClientById(request.Input.Req("ClientId"));
        if (client.Secret is not null && !FixedEquals(request.Input.Str("ClientSecret"), client.Secret))
            throw IdentityErrors.InvalidClientCredentials();
        if (!client.EnableTokenRevocation)
            throw IdentityErrors.RevocationDisabled();
        var token = request.Input.Req("Token");
        var claims = TokenService.OpenRefresh(state.Keys, token);
        if (claims is null)
        {
            if (token.Split('.').Length == 3)
                throw IdentityErrors.UnsupportedTokenType();
            // Like the OAuth revocation endpoint: an unknown token is already as revoked as it gets.
            return AwsResponse.Empty;
        }
        if (claims.ClientId != client.Id)
            throw IdentityErrors.InvalidClientCredentials();
        using (await GateAsync(ct).ConfigureAwait(false))
        {
            EnsureLive(state);
            var expires = DateTimeOffset.FromUnixTimeSeconds(claims.ExpiresAt);
            await WriteAsync((c, t) => IdentityStore.SaveRevocationAsync(c, t, state.Pool.Id, claims.OriginJti, expires), ct).ConfigureAwait(false);
            state.Revoked[claims.OriginJti] = expires;
        }
        return AwsResponse.Empty;
    }
}
