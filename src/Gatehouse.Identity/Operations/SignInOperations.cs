using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.Tokens;
using Gatehouse.Protocol;
using Op = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Operations;

namespace Gatehouse.Identity.Operations;

/// <summary>Sign-in: the password, SRP and refresh flows, challenges, sign-out and revocation.</summary>
internal sealed class SignInOperations(IdentityState identity, UserChanges users, SignInChecks signIn) : IAwsOperations
{
    private readonly IdentityState _state = identity;
    private readonly UserChanges _users = users;
    private readonly SignInChecks _signIn = signIn;

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Op.AdminInitiateAuth, AdminInitiateAuthAsync)
        .Map(Op.InitiateAuth, InitiateAuthAsync)
        .Map(Op.AdminRespondToAuthChallenge, AdminRespondToAuthChallengeAsync)
        .Map(Op.RespondToAuthChallenge, RespondToAuthChallengeAsync)
        .Map(Op.GetTokensFromRefreshToken, GetTokensFromRefreshTokenAsync)
        .Map(Op.GlobalSignOut, GlobalSignOutAsync)
        .Map(Op.AdminUserGlobalSignOut, AdminUserGlobalSignOutAsync)
        .Map(Op.RevokeToken, RevokeTokenAsync);

    private ValueTask<AwsResponse> AdminInitiateAuthAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var client = IdentityState.Client(state, request.Input.Req("ClientId"));
        return ValueTask.FromResult<AwsResponse>(Initiate(state, client, request.Input.Req("AuthFlow"), request.Input.StringMap("AuthParameters"), admin: true));
    }

    private ValueTask<AwsResponse> InitiateAuthAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = _state.ClientById(request.Input.Req("ClientId"));
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
                return Refresh(state, client, SignInChecks.Required(parameters, "REFRESH_TOKEN"), parameters.GetValueOrDefault("SECRET_HASH"), checkSecretHash: true);
            default:
                throw IdentityErrors.UnsupportedFlow(flow);
        }
    }

    private JsonObject PasswordSignIn(PoolState state, AppClient client, Dictionary<string, string> parameters)
    {
        var name = SignInChecks.Required(parameters, "USERNAME");
        var password = SignInChecks.Required(parameters, "PASSWORD");
        var found = state.Find(name);
        SignInChecks.CheckSecretHash(client, parameters.GetValueOrDefault("SECRET_HASH"), name, found?.User.Username);
        if (found is null && !client.PreventUserExistenceErrors)
            throw IdentityErrors.UserNotFound();
        switch (_signIn.CheckPassword(state, name, found, password))
        {
            case PasswordCheck.LockedOut:
                throw IdentityErrors.PasswordAttemptsExceeded();
            case PasswordCheck.Wrong:
                throw IdentityErrors.IncorrectCredentials();
        }
        var (key, user) = found!.Value;
        return AfterPasswordVerified(state, client, key, user);
    }

    /// <summary>The state checks after a correct password (or SRP proof), in Cognito's order: disabled, unconfirmed, reset required, then a temporary password.</summary>
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
                if (user.TemporaryPasswordExpiresAt is { } expires && expires <= _state.Now)
                    throw IdentityErrors.TemporaryPasswordExpired();
                return NewPasswordChallenge(state, client, key, user);
        }
        return SignedIn(state, client, key, user);
    }

    private JsonObject SignedIn(PoolState state, AppClient client, string key, User user)
    {
        var now = _state.Now;
        var originJti = Guid.CreateVersion7(now).ToString();
        var tokens = _state.Tokens.Issue(state.Pool, state.Keys, client, user, state.GroupsOf(key), now.ToUnixTimeSeconds(), originJti, withRefreshToken: true);
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
        var session = _state.Sessions.Add(new ChallengeSession(state.Pool.Id, client.Id, key, user.Username, "NEW_PASSWORD_REQUIRED", user.CredentialStamp, _state.Now + client.AuthSessionValidity));
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
        var state = _state.Pool(request);
        var client = IdentityState.Client(state, request.Input.Req("ClientId"));
        return RespondAsync(state, client, request, ct);
    }

    private ValueTask<AwsResponse> RespondToAuthChallengeAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = _state.ClientById(request.Input.Req("ClientId"));
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
        var session = _state.Sessions.Get(sessionToken);
        if (session is null || session.PoolId != state.Pool.Id || session.ClientId != client.Id || session.Challenge != "NEW_PASSWORD_REQUIRED")
            throw IdentityErrors.InvalidSession();
        var name = SignInChecks.Required(responses, "USERNAME");
        if (state.Find(name) is not { } named || named.Key != session.UserKey)
            throw IdentityErrors.InvalidSession();
        SignInChecks.CheckSecretHash(client, responses.GetValueOrDefault("SECRET_HASH"), name, session.Username);
        var password = SignInChecks.Required(responses, "NEW_PASSWORD");
        PasswordPolicyChecker.Enforce(password, state.Pool.PasswordPolicy, PasswordPolicyChecker.ChangePrefix);
        var user = named.User;
        var updates = responses.Where(r => r.Key.StartsWith("userAttributes.", StringComparison.Ordinal))
            .Select(r => new KeyValuePair<string, string>(r.Key["userAttributes.".Length..], r.Value)).ToList();
        var updated = await _users.ReplaceTemporaryPasswordAsync(state, session, user, password, updates, ct).ConfigureAwait(false);
        if (!_state.Sessions.Remove(sessionToken!))
            throw IdentityErrors.InvalidSession();
        if (!updated.Enabled)
            throw IdentityErrors.UserDisabled();
        return SignedIn(state, client, session.UserKey, updated);
    }

    // ---- SRP (USER_SRP_AUTH, then PASSWORD_VERIFIER) ----

    private JsonObject StartSrp(PoolState state, AppClient client, Dictionary<string, string> parameters)
    {
        var name = SignInChecks.Required(parameters, "USERNAME");
        var aHex = SignInChecks.Required(parameters, "SRP_A");
        if (aHex.Length > 2048 || !aHex.All(char.IsAsciiHexDigit))
            throw IdentityErrors.SrpANotHex();
        var clientA = Srp.FromHex(aHex);
        if ((clientA % Srp.N).IsZero)
            throw IdentityErrors.SrpAZero();
        var found = state.Find(name);
        SignInChecks.CheckSecretHash(client, parameters.GetValueOrDefault("SECRET_HASH"), name, found?.User.Username);

        string? key;
        string username;
        BigInteger salt, verifier;
        if (found is { User.SrpVerifier: not null, User.SrpSalt: not null } hit)
        {
            key = hit.Key;
            username = hit.User.Username;
            salt = Srp.FromBytes(hit.User.SrpSalt);
            verifier = _users.OpenVerifier(hit.User);
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

        var block = _state.Sessions.AddSrp(new SrpSession(state.Pool.Id, client.Id, key, username, clientA, serverB, b, verifier, _state.Now + client.AuthSessionValidity));
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
        var name = SignInChecks.Required(responses, "USERNAME");
        var block = SignInChecks.Required(responses, "PASSWORD_CLAIM_SECRET_BLOCK");
        var signatureText = SignInChecks.Required(responses, "PASSWORD_CLAIM_SIGNATURE");
        var timestamp = SignInChecks.Required(responses, "TIMESTAMP");
        var srp = _state.Sessions.TakeSrp(block);
        if (srp is null || srp.PoolId != state.Pool.Id || srp.ClientId != client.Id)
            throw IdentityErrors.InvalidSession();
        SignInChecks.CheckSecretHash(client, responses.GetValueOrDefault("SECRET_HASH"), name, srp.Username);
        if (srp.UserKey is null || !state.Users.TryGetValue(srp.UserKey, out var user) || user.Username != srp.Username)
        {
            // The decoy exchange of an unknown user: its failures count like a real user's.
            if (!_state.Throttle.TryBegin(SignInChecks.UnknownThrottleKey(state, srp.Username)))
                throw IdentityErrors.PasswordAttemptsExceeded();
            throw IdentityErrors.IncorrectCredentials();
        }
        var throttleKey = SignInChecks.ThrottleKey(state, srp.UserKey);
        if (!_state.Throttle.TryBegin(throttleKey))
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
            _state.Throttle.RecordFailure(throttleKey);
            throw IdentityErrors.IncorrectCredentials();
        }
        _state.Throttle.RecordSuccess(throttleKey);
        return AfterPasswordVerified(state, client, srp.UserKey, user);
    }

    // ---- refresh, sign-out, revocation ----

    private JsonObject Refresh(PoolState state, AppClient client, string token, string? secretHash, bool checkSecretHash)
    {
        var claims = TokenService.OpenRefresh(state.Keys, token);
        if (claims is null || claims.PoolId != state.Pool.Id || claims.ClientId != client.Id)
            throw IdentityErrors.InvalidRefreshToken();
        if (checkSecretHash)
            SignInChecks.CheckSecretHash(client, secretHash, claims.Username, claims.Sub);
        if (claims.ExpiresAt <= _state.Now.ToUnixTimeSeconds())
            throw IdentityErrors.RefreshTokenExpired();
        var key = state.Pool.UserKey(claims.Username);
        if (!state.Users.TryGetValue(key, out var user) || user.Sub != claims.Sub)
            throw IdentityErrors.InvalidRefreshToken();
        if (SignInChecks.IsRevoked(state, user, claims.OriginJti))
            throw IdentityErrors.RefreshTokenRevoked();
        if (!user.Enabled)
            throw IdentityErrors.UserDisabled();
        var tokens = _state.Tokens.Issue(state.Pool, state.Keys, client, user, state.GroupsOf(key), claims.AuthTime, claims.OriginJti, withRefreshToken: false);
        return new JsonObject { ["ChallengeParameters"] = new JsonObject(), ["AuthenticationResult"] = ResultJson(tokens) };
    }

    private ValueTask<AwsResponse> GetTokensFromRefreshTokenAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = _state.ClientById(request.Input.Req("ClientId"));
        if (!client.Allows("ALLOW_REFRESH_TOKEN_AUTH"))
            throw IdentityErrors.RefreshNotEnabled();
        if (client.Secret is not null && !SignInChecks.FixedEquals(request.Input.Str("ClientSecret"), client.Secret))
            throw IdentityErrors.SecretHashMismatch(client.Id);
        var result = Refresh(state, client, request.Input.Req("RefreshToken"), null, checkSecretHash: false);
        return ValueTask.FromResult<AwsResponse>(new JsonObject { ["AuthenticationResult"] = result["AuthenticationResult"]!.DeepClone() });
    }

    private async ValueTask<AwsResponse> GlobalSignOutAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, key, user, _) = _signIn.Authenticate(request.Input.Req("AccessToken"));
        await SignOutEverywhereAsync(state, key, user, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> AdminUserGlobalSignOutAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var (key, user) = IdentityState.RequireUser(state, request.Input.Req("Username"));
        await SignOutEverywhereAsync(state, key, user, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private Task SignOutEverywhereAsync(PoolState state, string key, User user, CancellationToken ct) =>
        _users.UpdateUserAsync(state, key, user.Sub, current => current with { TokensValidAfter = _state.Now }, ct);

    private async ValueTask<AwsResponse> RevokeTokenAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = _state.ClientById(request.Input.Req("ClientId"));
        if (client.Secret is not null && !SignInChecks.FixedEquals(request.Input.Str("ClientSecret"), client.Secret))
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
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            _state.EnsureLive(state);
            var expires = DateTimeOffset.FromUnixTimeSeconds(claims.ExpiresAt);
            await _state.WriteAsync((c, t) => IdentityStore.SaveRevocationAsync(c, t, state.Pool.Id, claims.OriginJti, expires), ct).ConfigureAwait(false);
            state.Revoked[claims.OriginJti] = expires;
        }
        return AwsResponse.Empty;
    }
}
