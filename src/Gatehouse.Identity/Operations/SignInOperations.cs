using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.Tokens;
using Gatehouse.Identity.Triggers;
using Gatehouse.Protocol;
using Op = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Operations;

namespace Gatehouse.Identity.Operations;

/// <summary>Sign-in: the password, SRP and refresh flows, challenges, sign-out and revocation.</summary>
internal sealed class SignInOperations(IdentityState identity, UserChanges users, SignInChecks signIn, UserPoolTriggers triggers, TokenGenerationTrigger tokenTrigger) : IAwsOperations
{
    private readonly UserPoolTriggers _triggers = triggers;
    private readonly TokenGenerationTrigger _tokenTrigger = tokenTrigger;
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

    private async ValueTask<AwsResponse> AdminInitiateAuthAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var client = IdentityState.Client(state, request.Input.Req("ClientId"));
        return await InitiateAsync(state, client, request.Input.Req("AuthFlow"), request.Input.StringMap("AuthParameters"), admin: true,
            request.Input.StringMap("ClientMetadata"), ct).ConfigureAwait(false);
    }

    private async ValueTask<AwsResponse> InitiateAuthAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = _state.ClientById(request.Input.Req("ClientId"));
        return await InitiateAsync(state, client, request.Input.Req("AuthFlow"), request.Input.StringMap("AuthParameters"), admin: false,
            request.Input.StringMap("ClientMetadata"), ct).ConfigureAwait(false);
    }

    private async Task<JsonObject> InitiateAsync(PoolState state, AppClient client, string flow, Dictionary<string, string> parameters, bool admin,
        Dictionary<string, string> metadata, CancellationToken ct)
    {
        switch (flow)
        {
            case "ADMIN_USER_PASSWORD_AUTH" or "ADMIN_NO_SRP_AUTH" when admin:
                if (!client.Allows("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"))
                    throw IdentityErrors.AuthFlowNotEnabled();
                return await PasswordSignInAsync(state, client, parameters, metadata, ct).ConfigureAwait(false);
            case "USER_PASSWORD_AUTH" when !admin:
                if (!client.Allows("ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"))
                    throw IdentityErrors.UserPasswordAuthNotEnabled();
                return await PasswordSignInAsync(state, client, parameters, metadata, ct).ConfigureAwait(false);
            case "USER_SRP_AUTH":
                if (!client.Allows("ALLOW_USER_SRP_AUTH"))
                    throw IdentityErrors.SrpNotEnabled();
                return StartSrp(state, client, parameters);
            case "REFRESH_TOKEN_AUTH" or "REFRESH_TOKEN":
                if (!client.Allows("ALLOW_REFRESH_TOKEN_AUTH"))
                    throw IdentityErrors.RefreshNotEnabled();
                return await RefreshAsync(state, client, SignInChecks.Required(parameters, "REFRESH_TOKEN"), parameters.GetValueOrDefault("SECRET_HASH"), checkSecretHash: true,
                    metadata, ct).ConfigureAwait(false);
            default:
                throw IdentityErrors.UnsupportedFlow(flow);
        }
    }

    private async Task<JsonObject> PasswordSignInAsync(PoolState state, AppClient client, Dictionary<string, string> parameters,
        Dictionary<string, string> metadata, CancellationToken ct)
    {
        var name = SignInChecks.Required(parameters, "USERNAME");
        var password = SignInChecks.Required(parameters, "PASSWORD");
        var found = state.Find(name);
        SignInChecks.CheckSecretHash(client, parameters.GetValueOrDefault("SECRET_HASH"), name, found?.User.Username);
        if (found is null && !client.PreventUserExistenceErrors)
            throw IdentityErrors.UserNotFound();
        await PreAuthenticationAsync(state, client, name, found?.User, metadata, ct).ConfigureAwait(false);
        switch (_signIn.CheckPassword(state, name, found, password))
        {
            case PasswordCheck.LockedOut:
                throw IdentityErrors.PasswordAttemptsExceeded();
            case PasswordCheck.Wrong:
                throw IdentityErrors.IncorrectCredentials();
        }
        var (key, user) = found!.Value;
        return await AfterPasswordVerifiedAsync(state, client, key, user, metadata, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The pre authentication trigger (PreAuthentication_Authentication), before the password is
    /// checked; with user existence errors prevented it runs for unknown users too (userNotFound).
    /// </summary>
    private async Task PreAuthenticationAsync(PoolState state, AppClient client, string name, User? user, Dictionary<string, string> metadata, CancellationToken ct)
    {
        if (UserPoolTriggers.FunctionOf(state.Pool, "PreAuthentication") is not { } arn)
            return;
        var request = new JsonObject { ["userAttributes"] = user is null ? new JsonObject() : UserPoolTriggers.Attributes(user) };
        if (user is null)
            request["userNotFound"] = true;
        request["validationData"] = UserPoolTriggers.Map(metadata);
        await _triggers.InvokeAsync(state.Pool, arn, "PreAuthentication", "PreAuthentication_Authentication", "1", user?.Username ?? name, client.Id, request, ct)
            .ConfigureAwait(false);
    }

    /// <summary>The state checks after a correct password (or SRP proof), in Cognito's order: disabled, unconfirmed, reset required, then a temporary password.</summary>
    private async Task<JsonObject> AfterPasswordVerifiedAsync(PoolState state, AppClient client, string key, User user, Dictionary<string, string>? metadata, CancellationToken ct)
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
        return await SignedInAsync(state, client, key, user, "TokenGeneration_Authentication", metadata, ct).ConfigureAwait(false);
    }

    /// <summary>Tokens for a completed sign-in, after the post authentication and pre token generation triggers.</summary>
    private async Task<JsonObject> SignedInAsync(PoolState state, AppClient client, string key, User user, string tokenSource,
        Dictionary<string, string>? metadata, CancellationToken ct)
    {
        if (UserPoolTriggers.FunctionOf(state.Pool, "PostAuthentication") is { } postAuthentication)
        {
            var request = new JsonObject { ["userAttributes"] = UserPoolTriggers.Attributes(user), ["newDeviceUsed"] = false };
            if (metadata is { Count: > 0 })
                request["clientMetadata"] = UserPoolTriggers.Map(metadata);
            await _triggers.InvokeAsync(state.Pool, postAuthentication, "PostAuthentication", "PostAuthentication_Authentication", "1", user.Username, client.Id, request, ct)
                .ConfigureAwait(false);
        }
        var groups = state.GroupsOf(key);
        var overrides = await _tokenTrigger.RunAsync(state.Pool, client, user, groups, tokenSource, "aws.cognito.signin.user.admin", metadata, ct).ConfigureAwait(false);
        var now = _state.Now;
        var originJti = Guid.CreateVersion7(now).ToString();
        var tokens = _state.Tokens.Issue(state.Pool, state.Keys, client, user, groups, now.ToUnixTimeSeconds(), originJti, withRefreshToken: true, overrides: overrides);
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
            "PASSWORD_VERIFIER" => await AnswerPasswordVerifierAsync(state, client, responses, request.Input.StringMap("ClientMetadata"), ct).ConfigureAwait(false),
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
        return await SignedInAsync(state, client, session.UserKey, updated, "TokenGeneration_NewPasswordChallenge", null, ct).ConfigureAwait(false);
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

    private async Task<JsonObject> AnswerPasswordVerifierAsync(PoolState state, AppClient client, Dictionary<string, string> responses,
        Dictionary<string, string> metadata, CancellationToken ct)
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
        return await AfterPasswordVerifiedAsync(state, client, srp.UserKey, user, metadata, ct).ConfigureAwait(false);
    }

    // ---- refresh, sign-out, revocation ----

    private async Task<JsonObject> RefreshAsync(PoolState state, AppClient client, string token, string? secretHash, bool checkSecretHash,
        Dictionary<string, string>? metadata, CancellationToken ct)
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
        var groups = state.GroupsOf(key);
        var overrides = await _tokenTrigger.RunAsync(state.Pool, client, user, groups, "TokenGeneration_RefreshTokens", "aws.cognito.signin.user.admin", metadata, ct)
            .ConfigureAwait(false);
        var tokens = _state.Tokens.Issue(state.Pool, state.Keys, client, user, groups, claims.AuthTime, claims.OriginJti, withRefreshToken: false, overrides: overrides);
        return new JsonObject { ["ChallengeParameters"] = new JsonObject(), ["AuthenticationResult"] = ResultJson(tokens) };
    }

    private async ValueTask<AwsResponse> GetTokensFromRefreshTokenAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = _state.ClientById(request.Input.Req("ClientId"));
        if (!client.Allows("ALLOW_REFRESH_TOKEN_AUTH"))
            throw IdentityErrors.RefreshNotEnabled();
        if (client.Secret is not null && !SignInChecks.FixedEquals(request.Input.Str("ClientSecret"), client.Secret))
            throw IdentityErrors.SecretHashMismatch(client.Id);
        var result = await RefreshAsync(state, client, request.Input.Req("RefreshToken"), null, checkSecretHash: false, request.Input.StringMap("ClientMetadata"), ct)
            .ConfigureAwait(false);
        return new JsonObject { ["AuthenticationResult"] = result["AuthenticationResult"]!.DeepClone() };
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
