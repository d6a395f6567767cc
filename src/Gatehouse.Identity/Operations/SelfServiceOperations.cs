using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.Model;
using Gatehouse.Protocol;
using Op = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Operations;

namespace Gatehouse.Identity.Operations;

/// <summary>
/// Sign-up, confirmation codes, forgotten passwords (codes go to the local outbox) and the
/// operations a signed-in user calls with their access token.
/// </summary>
internal sealed class SelfServiceOperations(IdentityState identity, UserChanges users, SignInChecks signIn, Triggers.UserPoolTriggers triggers) : IAwsOperations
{
    private readonly Triggers.UserPoolTriggers _triggers = triggers;
    private readonly IdentityState _state = identity;
    private readonly UserChanges _users = users;
    private readonly SignInChecks _signIn = signIn;

    private const string SignUpPurpose = "signup";
    private const string ResetPurpose = "reset";
    private const int MaxCodeAttempts = 5;

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Op.SignUp, SignUpAsync)
        .Map(Op.ConfirmSignUp, ConfirmSignUpAsync)
        .Map(Op.AdminConfirmSignUp, AdminConfirmSignUpAsync)
        .Map(Op.ResendConfirmationCode, ResendConfirmationCodeAsync)
        .Map(Op.ForgotPassword, ForgotPasswordAsync)
        .Map(Op.ConfirmForgotPassword, ConfirmForgotPasswordAsync)
        .Map(Op.AdminResetUserPassword, AdminResetUserPasswordAsync)
        .Map(Op.GetUser, GetUserAsync)
        .Map(Op.UpdateUserAttributes, UpdateUserAttributesAsync)
        .Map(Op.DeleteUserAttributes, DeleteUserAttributesAsync)
        .Map(Op.DeleteUser, DeleteUserAsync)
        .Map(Op.ChangePassword, ChangePasswordAsync);

    // ---- codes ----

    private static string CodeHash(User user, string purpose, string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(user.Sub + "\0" + purpose + "\0" + code)));

    /// <summary>A new six-digit code for <paramref name="user"/>; only its hash is kept on the user.</summary>
    private (string Code, PendingCode Pending) NewCode(User user, string purpose, TimeSpan lifetime)
    {
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        return (code, new PendingCode(purpose, CodeHash(user, purpose, code), _state.Now + lifetime, 0));
    }

    /// <summary>Where a code goes: the email if there is one, else the phone number.</summary>
    private static (string Attribute, string Destination, string Medium)? ContactOf(User user) =>
        user.Attribute("email") is { } email ? ("email", email, "EMAIL")
        : user.Attribute("phone_number") is { } phone ? ("phone_number", phone, "SMS")
        : null;

    /// <summary>
    /// Where a password-reset code may go (ForgotPassword): as <see cref="ContactOf"/>, but only to an
    /// email or phone number marked verified; AWS answers InvalidParameterException when there is none.
    /// </summary>
    private static (string Attribute, string Destination, string Medium)? VerifiedContactOf(User user) =>
        user.Attribute("email") is { } email && user.Attribute("email_verified") == "true" ? ("email", email, "EMAIL")
        : user.Attribute("phone_number") is { } phone && user.Attribute("phone_number_verified") == "true" ? ("phone_number", phone, "SMS")
        : null;

    private static JsonObject DeliveryJson(string attribute, string destination, string medium) => new()
    {
        ["Destination"] = Mask(destination, medium),
        ["DeliveryMedium"] = medium,
        ["AttributeName"] = attribute,
    };

    /// <summary>Cognito shows destinations masked: j***@e***, +*******1234.</summary>
    private static string Mask(string destination, string medium)
    {
        if (medium == "SMS")
            return "+" + new string('*', Math.Max(0, destination.Length - 5)) + destination[^4..];
        var at = destination.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 ? "***" : destination[0] + "***@" + destination[at + 1] + "***";
    }

    private void DeliverCode(UserPool pool, User user, string purpose, string code, (string Attribute, string Destination, string Medium) contact)
    {
        var (subject, body) = purpose == SignUpPurpose
            ? (pool.Settings["EmailVerificationSubject"]?.GetValue<string>() ?? "Your verification code",
               pool.Settings["EmailVerificationMessage"]?.GetValue<string>() ?? "Your verification code is {####}.")
            : ("Your password reset code", "Your password reset code is {####}.");
        _state.AddToOutbox(new OutboxMessage(Guid.NewGuid().ToString(), pool.Id, user.Username, contact.Destination, contact.Medium, purpose,
            subject, body.Replace("{####}", code, StringComparison.Ordinal), code, _state.Now));
    }

    /// <summary>Checks a code under the write gate, counting a wrong one; returns the user without the code when it is right.</summary>
    private User ConsumeCode(User current, string purpose, string code)
    {
        if (current.Code is not { } pending || pending.Purpose != purpose)
            throw IdentityErrors.CodeMismatch();
        if (pending.Attempts >= MaxCodeAttempts)
            throw IdentityErrors.TooManyFailedAttempts();
        if (pending.ExpiresAt <= _state.Now)
            throw IdentityErrors.CodeExpired();
        var expected = Encoding.ASCII.GetBytes(pending.Hash);
        var actual = Encoding.ASCII.GetBytes(CodeHash(current, purpose, code));
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
            throw IdentityErrors.CodeMismatch();
        return current with { Code = null };
    }

    /// <summary>Records a wrong code (so guessing is limited) — a separate write, because the failed call rolls nothing else.</summary>
    private async Task CountWrongCodeAsync(PoolState state, string key, User user, CancellationToken ct)
    {
        try
        {
            await _users.UpdateUserAsync(state, key, user.Sub, current => current.Code is { } pending
                ? current with { Code = pending with { Attempts = pending.Attempts + 1 } }
                : current, ct).ConfigureAwait(false);
        }
        catch (Gatehouse.Core.AwsException)
        {
            // The user went away meanwhile: nothing to count.
        }
    }

    private async Task<User> ApplyCodeAsync(PoolState state, string key, User user, string purpose, string code, Func<User, User> then, bool forceAliases, CancellationToken ct)
    {
        try
        {
            return await _users.UpdateUserAsync(state, key, user.Sub, current => then(ConsumeCode(current, purpose, code)), forceAliases, ct).ConfigureAwait(false);
        }
        catch (Gatehouse.Core.AwsException e) when (e.Code == "CodeMismatchException")
        {
            await CountWrongCodeAsync(state, key, user, ct).ConfigureAwait(false);
            throw;
        }
    }

    // ---- sign-up ----

    private async ValueTask<AwsResponse> SignUpAsync(AwsRequest request, CancellationToken ct)
    {
        var input = request.Input;
        var (state, client) = _state.ClientById(input.Req("ClientId"));
        var pool = state.Pool;
        if (pool.AllowAdminCreateUserOnly)
            throw IdentityErrors.SignUpNotPermitted();
        var given = input.Req("Username");
        SignInChecks.CheckSecretHash(client, input.Str("SecretHash"), given);
        var password = input.Str("Password") ?? throw IdentityErrors.MissingParameter("Password");
        var (username, sub, requested) = UserChanges.NameNewUser(pool, given, UserChanges.ReadAttributes(input, "UserAttributes"));
        var attributes = UserChanges.MergeAttributes(pool, [new("sub", sub)], requested, creating: true);
        UserChanges.CheckRequired(pool, attributes);
        PasswordPolicyChecker.Enforce(password, pool.PasswordPolicy, PasswordPolicyChecker.SignUpPrefix);
        var (autoConfirm, autoVerifyEmail, autoVerifyPhone) = await _triggers.PreSignUpAsync(pool, client.Id, username, attributes,
            input.StringMap("ClientMetadata"), UserChanges.ReadAttributes(input, "ValidationData"), "PreSignUp_SignUp", ct).ConfigureAwait(false);
        if (autoVerifyEmail && attributes.Any(a => a.Key == "email"))
            attributes = [.. attributes.Where(a => a.Key != "email_verified"), new("email_verified", "true")];
        if (autoVerifyPhone && attributes.Any(a => a.Key == "phone_number"))
            attributes = [.. attributes.Where(a => a.Key != "phone_number_verified"), new("phone_number_verified", "true")];
        var now = _state.Now;
        var user = _users.WithPassword(new User
        {
            PoolId = pool.Id,
            Username = username,
            Sub = sub,
            Status = autoConfirm ? UserStatus.Confirmed : UserStatus.Unconfirmed,
            CredentialStamp = "",
            Attributes = attributes,
            Created = now,
            Modified = now,
        }, pool, password, temporary: false);
        var contact = ContactOf(user) is { } c && pool.AutoVerifiedAttributes.Contains(c.Attribute) ? c : ((string, string, string)?)null;
        string? code = null;
        if (contact is not null && !autoConfirm)
        {
            var (newCode, pending) = NewCode(user, SignUpPurpose, TimeSpan.FromHours(24));
            code = newCode;
            user = user with { Code = pending };
        }
        var key = pool.UserKey(username);
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            _state.EnsureLive(state);
            if (state.Users.ContainsKey(key))
                throw IdentityErrors.UserExists();
            var displaced = _users.ClaimAliases(state, key, attributes, force: false);
            await _state.WriteAsync((c, t) => UserChanges.SaveUsersAsync(c, t, user, displaced), ct).ConfigureAwait(false);
            UserChanges.ApplyUsers(state, key, null, user, displaced);
        }
        var output = new JsonObject { ["UserConfirmed"] = autoConfirm, ["UserSub"] = sub };
        if (contact is { } to && code is not null)
        {
            DeliverCode(pool, user, SignUpPurpose, code, to);
            output["CodeDeliveryDetails"] = DeliveryJson(to.Item1, to.Item2, to.Item3);
        }
        return output;
    }

    /// <summary>The post confirmation trigger, once a user is confirmed (by code, by an administrator, or by a password reset).</summary>
    private async Task PostConfirmationAsync(PoolState state, string? clientId, User user, string triggerSource, IReadOnlyDictionary<string, string>? metadata, CancellationToken ct)
    {
        if (Triggers.UserPoolTriggers.FunctionOf(state.Pool, "PostConfirmation") is not { } arn)
            return;
        var request = new JsonObject { ["userAttributes"] = Triggers.UserPoolTriggers.Attributes(user) };
        if (metadata is { Count: > 0 })
            request["clientMetadata"] = Triggers.UserPoolTriggers.Map(metadata);
        await _triggers.InvokeAsync(state.Pool, arn, "PostConfirmation", triggerSource, "1", user.Username, clientId, request, ct).ConfigureAwait(false);
    }

    /// <summary>The user an unauthenticated code operation names, with Cognito's answer for unknown ones.</summary>
    private static (string Key, User User) CodeUser(PoolState state, string name) =>
        state.Find(name) ?? throw IdentityErrors.UsernameClientNotFound();

    private async ValueTask<AwsResponse> ConfirmSignUpAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = _state.ClientById(request.Input.Req("ClientId"));
        var name = request.Input.Req("Username");
        var found = state.Find(name);
        SignInChecks.CheckSecretHash(client, request.Input.Str("SecretHash"), name, found?.User.Username);
        if (found is not { } hit)
            throw client.PreventUserExistenceErrors ? IdentityErrors.CodeMismatch() : IdentityErrors.UsernameClientNotFound();
        if (hit.User.Status != UserStatus.Unconfirmed)
            throw IdentityErrors.CannotConfirm(hit.User.Status);
        // The code proves the contact, which then counts as a sign-in alias: one another user holds
        // raises AliasExistsException, unless ForceAliasCreation moves it to this user.
        var confirmed = await ApplyCodeAsync(state, hit.Key, hit.User, SignUpPurpose, request.Input.Req("ConfirmationCode"), u => Verified(u) with { Status = UserStatus.Confirmed },
            request.Input.Bool("ForceAliasCreation") ?? false, ct).ConfigureAwait(false);
        await PostConfirmationAsync(state, client.Id, confirmed, "PostConfirmation_ConfirmSignUp", request.Input.StringMap("ClientMetadata"), ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    /// <summary>A confirmed code proves the contact it went to.</summary>
    private static User Verified(User user)
    {
        var flag = ContactOf(user)?.Attribute == "phone_number" ? "phone_number_verified" : "email_verified";
        var attributes = user.Attributes.Where(a => a.Key != flag).Append(new(flag, "true")).ToList();
        return user with { Attributes = attributes };
    }

    /// <summary>
    /// A reset code proves its contact too, but never takes over a sign-in alias another user holds
    /// (ConfirmForgotPassword has no AliasExistsException): then the contact stays as it was.
    /// </summary>
    private static User VerifiedUnlessHeld(PoolState state, string key, User user)
    {
        var verified = Verified(user);
        var held = state.AliasesOf(verified.Attributes)
            .Any(a => state.Aliases.TryGetValue(PoolState.AliasKey(a.Attribute, a.Value), out var owner) && owner != key);
        return held ? user : verified;
    }

    private async ValueTask<AwsResponse> AdminConfirmSignUpAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var (key, found) = IdentityState.RequireUser(state, request.Input.Req("Username"));
        var confirmed = await _users.UpdateUserAsync(state, key, found.Sub, current => current.Status == UserStatus.Unconfirmed
            ? current with { Status = UserStatus.Confirmed, Code = null }
            : throw IdentityErrors.CannotConfirm(current.Status), ct).ConfigureAwait(false);
        await PostConfirmationAsync(state, null, confirmed, "PostConfirmation_ConfirmSignUp", request.Input.StringMap("ClientMetadata"), ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> ResendConfirmationCodeAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = _state.ClientById(request.Input.Req("ClientId"));
        var name = request.Input.Req("Username");
        var found = state.Find(name);
        SignInChecks.CheckSecretHash(client, request.Input.Str("SecretHash"), name, found?.User.Username);
        var (key, user) = found ?? throw IdentityErrors.UsernameClientNotFound();
        if (user.Status != UserStatus.Unconfirmed)
            throw IdentityErrors.AlreadyConfirmed();
        var contact = ContactOf(user) ?? throw IdentityErrors.NoVerifiedContact();
        var (code, pending) = NewCode(user, SignUpPurpose, TimeSpan.FromHours(24));
        var updated = await _users.UpdateUserAsync(state, key, user.Sub, current => current with { Code = pending }, ct).ConfigureAwait(false);
        DeliverCode(state.Pool, updated, SignUpPurpose, code, contact);
        return new JsonObject { ["CodeDeliveryDetails"] = DeliveryJson(contact.Attribute, contact.Destination, contact.Medium) };
    }

    // ---- forgotten passwords ----

    private async ValueTask<AwsResponse> ForgotPasswordAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = _state.ClientById(request.Input.Req("ClientId"));
        var name = request.Input.Req("Username");
        var found = state.Find(name);
        SignInChecks.CheckSecretHash(client, request.Input.Str("SecretHash"), name, found?.User.Username);
        if (found is not { } hit)
        {
            if (!client.PreventUserExistenceErrors)
                throw IdentityErrors.UsernameClientNotFound();
            // Same answer shape as for a real user, so the response does not reveal existence.
            var fake = UserChanges.LooksLikeEmail(name) ? ("email", name, "EMAIL") : ("email", "x@x", "EMAIL");
            return new JsonObject { ["CodeDeliveryDetails"] = DeliveryJson(fake.Item1, fake.Item2, fake.Item3) };
        }
        // Unlike an unknown user, a real one without a verified contact gets the error in either mode
        // (the model's PreventUserExistenceErrors text covers only users that do not exist).
        var contact = VerifiedContactOf(hit.User) ?? throw IdentityErrors.NoVerifiedContact();
        await SendResetCodeAsync(state, hit.Key, hit.User, contact, keepStatus: true, ct).ConfigureAwait(false);
        return new JsonObject { ["CodeDeliveryDetails"] = DeliveryJson(contact.Attribute, contact.Destination, contact.Medium) };
    }

    private async Task SendResetCodeAsync(PoolState state, string key, User user, (string Attribute, string Destination, string Medium) contact, bool keepStatus, CancellationToken ct)
    {
        var (code, pending) = NewCode(user, ResetPurpose, TimeSpan.FromHours(1));
        var updated = await _users.UpdateUserAsync(state, key, user.Sub, current => current with
        {
            Code = pending,
            Status = keepStatus ? current.Status : UserStatus.ResetRequired,
        }, ct).ConfigureAwait(false);
        DeliverCode(state.Pool, updated, ResetPurpose, code, contact);
    }

    private async ValueTask<AwsResponse> ConfirmForgotPasswordAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, client) = _state.ClientById(request.Input.Req("ClientId"));
        var name = request.Input.Req("Username");
        var found = state.Find(name);
        SignInChecks.CheckSecretHash(client, request.Input.Str("SecretHash"), name, found?.User.Username);
        if (found is not { } hit)
            throw client.PreventUserExistenceErrors ? IdentityErrors.CodeMismatch() : IdentityErrors.UsernameClientNotFound();
        var password = request.Input.Req("Password");
        PasswordPolicyChecker.Enforce(password, state.Pool.PasswordPolicy, PasswordPolicyChecker.ChangePrefix);
        var prepared = _users.WithPassword(hit.User, state.Pool, password, temporary: false);
        await ApplyCodeAsync(state, hit.Key, hit.User, ResetPurpose, request.Input.Req("ConfirmationCode"), current => prepared with
        {
            Attributes = VerifiedUnlessHeld(state, hit.Key, current).Attributes,
            Enabled = current.Enabled,
            Status = UserStatus.Confirmed,
            Code = null,
            TokensValidAfter = current.TokensValidAfter,
        }, forceAliases: false, ct).ConfigureAwait(false);
        _state.Throttle.RecordSuccess(SignInChecks.ThrottleKey(state, hit.Key));
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> AdminResetUserPasswordAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var (key, user) = IdentityState.RequireUser(state, request.Input.Req("Username"));
        if (user.Status is UserStatus.ForceChangePassword)
            throw IdentityErrors.CannotResetPassword();
        // AWS documents the verified-contact rule for ForgotPassword only; the administrator's reset
        // still reaches an unverified email or phone.
        var contact = ContactOf(user) ?? throw IdentityErrors.NoVerifiedContact();
        await SendResetCodeAsync(state, key, user, contact, keepStatus: false, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    // ---- the signed-in user's own operations (access token) ----

    private (PoolState State, string Key, User User) SignedInUser(AwsRequest request)
    {
        var (state, key, user, claims) = _signIn.Authenticate(request.Input.Req("AccessToken"));
        if (!claims.Scope.Split(' ').Contains("aws.cognito.signin.user.admin"))
            throw IdentityErrors.MissingScope();
        return (state, key, user);
    }

    private ValueTask<AwsResponse> GetUserAsync(AwsRequest request, CancellationToken ct)
    {
        var (_, _, user) = SignedInUser(request);
        return ValueTask.FromResult<AwsResponse>(new JsonObject
        {
            ["Username"] = user.Username,
            ["UserAttributes"] = UserChanges.AttributesJson(user),
        });
    }

    private async ValueTask<AwsResponse> UpdateUserAttributesAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, key, user) = SignedInUser(request);
        var updates = UserChanges.ReadAttributes(request.Input, "UserAttributes");
        // The app client's WriteAttributes, when set, bound what its users may change themselves.
        var clientId = _signIn.Authenticate(request.Input.Req("AccessToken")).Claims.ClientId;
        if (state.Clients.TryGetValue(clientId, out var client) && client.WriteAttributes is { } writable
            && updates.FirstOrDefault(u => !writable.Contains(u.Key)) is { Key: not null } refused)
            throw IdentityErrors.UnauthorizedAttribute(refused.Key);
        await _users.UpdateAttributesAsync(state, key, user, updates, ct).ConfigureAwait(false);
        return new JsonObject { ["CodeDeliveryDetailsList"] = new JsonArray() };
    }

    private async ValueTask<AwsResponse> DeleteUserAttributesAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, key, user) = SignedInUser(request);
        await _users.DeleteAttributesAsync(state, key, user, request.Input.Strings("UserAttributeNames").ToList(), ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> DeleteUserAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, key, user) = SignedInUser(request);
        await _users.DeleteUserAsync(state, key, user, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> ChangePasswordAsync(AwsRequest request, CancellationToken ct)
    {
        var (state, key, user) = SignedInUser(request);
        var previous = request.Input.Str("PreviousPassword") ?? throw IdentityErrors.MissingParameter("PreviousPassword");
        var proposed = request.Input.Req("ProposedPassword");
        switch (_signIn.CheckPassword(state, user.Username, (key, user), previous))
        {
            case PasswordCheck.LockedOut:
                throw IdentityErrors.AttemptLimitExceeded();
            case PasswordCheck.Wrong:
                throw IdentityErrors.IncorrectCredentials();
        }
        PasswordPolicyChecker.Enforce(proposed, state.Pool.PasswordPolicy, PasswordPolicyChecker.ChangePrefix);
        var prepared = _users.WithPassword(user, state.Pool, proposed, temporary: false);
        await _users.UpdateUserAsync(state, key, user.Sub, current => current.CredentialStamp == user.CredentialStamp
            ? prepared with { Attributes = current.Attributes, Enabled = current.Enabled, Status = current.Status, Code = current.Code, TokensValidAfter = current.TokensValidAfter }
            : throw IdentityErrors.IncorrectCredentials(), ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }
}
