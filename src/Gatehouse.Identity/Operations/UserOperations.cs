using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Core;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.Model;
using Gatehouse.Protocol;
using Op = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Operations;

namespace Gatehouse.Identity.Operations;

internal sealed class UserOperations(IdentityState identity, UserChanges users, Triggers.UserPoolTriggers triggers) : IAwsOperations
{
    private readonly IdentityState _state = identity;
    private readonly UserChanges _users = users;
    private readonly Triggers.UserPoolTriggers _triggers = triggers;

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Op.AdminCreateUser, AdminCreateUserAsync)
        .Map(Op.AdminGetUser, AdminGetUserAsync)
        .Map(Op.AdminSetUserPassword, AdminSetUserPasswordAsync)
        .Map(Op.AdminDeleteUser, AdminDeleteUserAsync)
        .Map(Op.AdminEnableUser, (r, ct) => AdminSetEnabledAsync(r, true, ct))
        .Map(Op.AdminDisableUser, (r, ct) => AdminSetEnabledAsync(r, false, ct))
        .Map(Op.AdminUpdateUserAttributes, AdminUpdateUserAttributesAsync)
        .Map(Op.AdminDeleteUserAttributes, AdminDeleteUserAttributesAsync)
        .Map(Op.ListUsers, ListUsersAsync);

    private async ValueTask<AwsResponse> AdminCreateUserAsync(AwsRequest request, CancellationToken ct)
    {
        var input = request.Input;
        var state = _state.Pool(request);
        var pool = state.Pool;
        var given = input.Req("Username");
        var action = input.Str("MessageAction");
        var now = _state.Now;

        if (action == "RESEND")
            return await ResendInvitationAsync(request, state, given, ct).ConfigureAwait(false);

        var (username, sub, requested) = UserChanges.NameNewUser(pool, given, UserChanges.ReadAttributes(input, "UserAttributes"));
        var attributes = UserChanges.MergeAttributes(pool, [new("sub", sub)], requested, creating: true);
        UserChanges.CheckRequired(pool, attributes);
        var temporary = input.Str("TemporaryPassword");
        if (temporary is not null)
            PasswordPolicyChecker.Enforce(temporary, pool.PasswordPolicy, PasswordPolicyChecker.SignUpPrefix);
        var password = temporary ?? PasswordPolicyChecker.Generate(pool.PasswordPolicy);
        // PreSignUp_AdminCreateUser: the trigger may refuse; the user still starts with a temporary password.
        var (_, autoVerifyEmail, autoVerifyPhone) = await _triggers.PreSignUpAsync(pool, null, username, attributes, input.StringMap("ClientMetadata"),
            UserChanges.ReadAttributes(input, "ValidationData"), "PreSignUp_AdminCreateUser", ct).ConfigureAwait(false);
        if (autoVerifyEmail && attributes.Any(a => a.Key == "email"))
            attributes = [.. attributes.Where(a => a.Key != "email_verified"), new("email_verified", "true")];
        if (autoVerifyPhone && attributes.Any(a => a.Key == "phone_number"))
            attributes = [.. attributes.Where(a => a.Key != "phone_number_verified"), new("phone_number_verified", "true")];

        var user = new User
        {
            PoolId = pool.Id,
            Username = username,
            Sub = sub,
            Status = UserStatus.ForceChangePassword,
            CredentialStamp = "",
            Attributes = attributes,
            Created = now,
            Modified = now,
        };
        user = _users.WithPassword(user, pool, password, temporary: true);
        var key = pool.UserKey(username);
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            state = _state.Pool(request);
            _state.EnsureLive(state);
            if (state.Users.ContainsKey(key))
                throw IdentityErrors.UserAccountExists();
            var displaced = _users.ClaimAliases(state, key, attributes, input.Bool("ForceAliasCreation") ?? false);
            await _state.WriteAsync((c, t) => UserChanges.SaveUsersAsync(c, t, user, displaced), ct).ConfigureAwait(false);
            UserChanges.ApplyUsers(state, key, null, user, displaced);
        }
        if (action != "SUPPRESS")
            SendInvitation(state.Pool, user, password, input.Strings("DesiredDeliveryMediums").ToList());
        return new JsonObject { ["User"] = UserChanges.UserJson(user, "Attributes") };
    }

    private async ValueTask<AwsResponse> ResendInvitationAsync(AwsRequest request, PoolState state, string given, CancellationToken ct)
    {
        var (key, found) = IdentityState.RequireUser(state, given);
        if (found.Status != UserStatus.ForceChangePassword)
            throw IdentityErrors.ResendNotPossible(found.Username);
        var temporary = request.Input.Str("TemporaryPassword");
        if (temporary is not null)
            PasswordPolicyChecker.Enforce(temporary, state.Pool.PasswordPolicy, PasswordPolicyChecker.SignUpPrefix);
        var password = temporary ?? PasswordPolicyChecker.Generate(state.Pool.PasswordPolicy);
        var updated = _users.WithPassword(found, state.Pool, password, temporary: true) with { Modified = _state.Now };
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            if (!state.Users.TryGetValue(key, out var current) || current.Sub != found.Sub)
                throw IdentityErrors.UserNotFound();
            updated = updated with { Attributes = current.Attributes, Enabled = current.Enabled };
            await _state.WriteAsync((c, t) => IdentityStore.SaveUserAsync(c, t, updated), ct).ConfigureAwait(false);
            IdentityState.ApplyUser(state, key, current, updated);
        }
        SendInvitation(state.Pool, updated, password, request.Input.Strings("DesiredDeliveryMediums").ToList());
        return new JsonObject { ["User"] = UserChanges.UserJson(updated, "Attributes") };
    }

    /// <summary>The invitation with the temporary password goes to the local outbox (never to the log).</summary>
    private void SendInvitation(UserPool pool, User user, string password, List<string> mediums)
    {
        var email = user.Attribute("email");
        var phone = user.Attribute("phone_number");
        var useSms = mediums.Contains("SMS") && phone is not null;
        if (!useSms && email is null)
            return;
        var template = pool.Settings["AdminCreateUserConfig"]?["InviteMessageTemplate"];
        var body = (useSms ? template?["SMSMessage"] : template?["EmailMessage"])?.GetValue<string>()
            ?? "Your username is {username} and temporary password is {####}.";
        var signInName = pool.UsernameAttributes.Count > 0 ? (useSms ? phone! : email!) : user.Username;
        body = body.Replace("{username}", signInName, StringComparison.Ordinal).Replace("{####}", password, StringComparison.Ordinal);
        var subject = template?["EmailSubject"]?.GetValue<string>() ?? "Your temporary password";
        _state.AddToOutbox(new OutboxMessage(Guid.NewGuid().ToString(), pool.Id, user.Username, useSms ? phone! : email!, useSms ? "SMS" : "EMAIL",
            "invitation", subject, body, null, _state.Now));
    }

    private ValueTask<AwsResponse> AdminGetUserAsync(AwsRequest request, CancellationToken ct)
    {
        var (_, user) = IdentityState.RequireUser(_state.Pool(request), request.Input.Req("Username"));
        return ValueTask.FromResult<AwsResponse>(UserChanges.UserJson(user, "UserAttributes"));
    }

    private async ValueTask<AwsResponse> AdminSetUserPasswordAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var (key, found) = IdentityState.RequireUser(state, request.Input.Req("Username"));
        var password = request.Input.Req("Password");
        var permanent = request.Input.Bool("Permanent") ?? false;
        PasswordPolicyChecker.Enforce(password, state.Pool.PasswordPolicy, PasswordPolicyChecker.ChangePrefix);
        var prepared = _users.WithPassword(found, state.Pool, password, temporary: !permanent);
        await _users.UpdateUserAsync(state, key, found.Sub, current => prepared with
        {
            Attributes = current.Attributes,
            Enabled = current.Enabled,
            Code = null,
            Status = permanent ? UserStatus.Confirmed : UserStatus.ForceChangePassword,
        }, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> AdminDeleteUserAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var (key, found) = IdentityState.RequireUser(state, request.Input.Req("Username"));
        await _users.DeleteUserAsync(state, key, found, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> AdminSetEnabledAsync(AwsRequest request, bool enabled, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var (key, found) = IdentityState.RequireUser(state, request.Input.Req("Username"));
        await _users.UpdateUserAsync(state, key, found.Sub, u => u with { Enabled = enabled }, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> AdminUpdateUserAttributesAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var (key, found) = IdentityState.RequireUser(state, request.Input.Req("Username"));
        var updates = UserChanges.ReadAttributes(request.Input, "UserAttributes");
        await _users.UpdateAttributesAsync(state, key, found, updates, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> AdminDeleteUserAttributesAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var (key, found) = IdentityState.RequireUser(state, request.Input.Req("Username"));
        var names = request.Input.Strings("UserAttributeNames").ToList();
        await _users.DeleteAttributesAsync(state, key, found, names, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private ValueTask<AwsResponse> ListUsersAsync(AwsRequest request, CancellationToken ct)
    {
        var state = _state.Pool(request);
        var filter = UserFilter.Parse(request.Input.Str("Filter"));
        var only = request.Input.Strings("AttributesToGet").ToHashSet(StringComparer.Ordinal);
        var users = state.Users.Where(u => filter is null || filter.Matches(u.Value))
            .OrderBy(u => u.Key, StringComparer.Ordinal);
        var (page, next) = Paging.Paginate(users, u => u.Key, request.Input.Str("PaginationToken"), request.Input.Int("Limit") ?? 60);
        var output = new JsonObject
        {
            ["Users"] = new JsonArray(page.Select(u => (JsonNode)UserChanges.UserJson(u.Value, "Attributes", only.Count > 0 ? only : null)).ToArray()),
        };
        if (next is not null)
            output["PaginationToken"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }
}
