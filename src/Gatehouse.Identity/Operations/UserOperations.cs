using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Core;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.Model;
using Gatehouse.Protocol;
using Op = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Operations;

namespace Gatehouse.Identity;

public sealed partial class IdentityService
{
    private void MapUserOperations() => Definition
        .Map(Op.AdminCreateUser, AdminCreateUserAsync)
        .Map(Op.AdminGetUser, AdminGetUser)
        .Map(Op.AdminSetUserPassword, AdminSetUserPasswordAsync)
        .Map(Op.AdminDeleteUser, AdminDeleteUserAsync)
        .Map(Op.AdminEnableUser, (r, ct) => AdminSetEnabledAsync(r, true, ct))
        .Map(Op.AdminDisableUser, (r, ct) => AdminSetEnabledAsync(r, false, ct))
        .Map(Op.AdminUpdateUserAttributes, AdminUpdateUserAttributesAsync)
        .Map(Op.AdminDeleteUserAttributes, AdminDeleteUserAttributesAsync)
        .Map(Op.ListUsers, ListUsers);

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^\+[0-9]{4,15}$")]
    private static partial Regex PhonePattern();

    internal static bool LooksLikeEmail(string value) => EmailPattern().IsMatch(value);

    /// <summary>
    /// A user's password material: the slow hash, the SRP salt and (sealed) verifier, and a new
    /// credential stamp (which retires cached checks of the old password). Computed before taking
    /// the write gate, because the hash is deliberately slow.
    /// </summary>
    private User WithPassword(User user, UserPool pool, string password, bool temporary)
    {
        var salt = Srp.NewSalt();
        var verifier = Srp.Verifier(pool.SrpPoolName, user.Username, password, salt);
        return user with
        {
            PasswordHash = PasswordHasher.Hash(password),
            SrpSalt = salt.ToByteArray(isUnsigned: true, isBigEndian: true),
            SrpVerifier = _box.Seal(verifier.ToByteArray(isUnsigned: true, isBigEndian: true)),
            CredentialStamp = Guid.NewGuid().ToString("N"),
            TemporaryPasswordExpiresAt = temporary ? Now.AddDays(pool.PasswordPolicy.TemporaryPasswordValidityDays) : null,
        };
    }

    internal System.Numerics.BigInteger OpenVerifier(User user) => Srp.FromBytes(_box.Open(user.SrpVerifier!));

    /// <summary>Validates attribute writes against the schema and merges them into <paramref name="existing"/> (order kept).</summary>
    private static List<KeyValuePair<string, string>> MergeAttributes(UserPool pool, IEnumerable<KeyValuePair<string, string>> existing,
        IEnumerable<KeyValuePair<string, string>> updates, bool creating)
    {
        var result = existing.ToList();
        foreach (var (name, value) in updates)
        {
            if (!pool.Schema.TryGetValue(name, out var attribute))
                throw IdentityErrors.SchemaViolation(name, "Attribute does not exist in the schema.");
            if (name == "sub" || (!creating && !attribute.Mutable))
                throw IdentityErrors.SchemaViolation(name, "Attribute cannot be updated. (changing an immutable attribute)");
            if (value.Length > (attribute.MaxLength ?? 2048))
                throw IdentityErrors.SchemaViolation(name, $"String must be no longer than {attribute.MaxLength ?? 2048} characters");
            if (attribute.MinLength is { } min && value.Length < min)
                throw IdentityErrors.SchemaViolation(name, $"String must be no shorter than {min} characters");
            if (name == "email" && !LooksLikeEmail(value))
                throw IdentityErrors.InvalidEmail();
            if (name == "phone_number" && !PhonePattern().IsMatch(value))
                throw IdentityErrors.InvalidPhone();
            if (attribute.DataType == "Boolean" && value is not ("true" or "false"))
                throw IdentityErrors.SchemaViolation(name, "Attribute value for Boolean must be true or false.");
            if (attribute.DataType == "Number" && !double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _))
                throw IdentityErrors.SchemaViolation(name, "Number must be a valid number.");
            var index = result.FindIndex(a => a.Key == name);
            if (index >= 0)
                result[index] = new(name, value);
            else
                result.Add(new(name, value));
        }
        return result;
    }

    private static List<KeyValuePair<string, string>> ReadAttributes(JsonObject input, string member) =>
        (input.Arr(member) ?? []).OfType<JsonObject>()
            .Select(a => new KeyValuePair<string, string>(a["Name"]!.GetValue<string>(), a["Value"]?.GetValue<string>() ?? ""))
            .ToList();

    private static void CheckRequired(UserPool pool, IReadOnlyList<KeyValuePair<string, string>> attributes)
    {
        foreach (var attribute in pool.Schema.Values)
        {
            if (attribute.Required && attribute.Name != "sub" && !attributes.Any(a => a.Key == attribute.Name))
                throw IdentityErrors.SchemaViolation(attribute.Name, "The attribute is required");
        }
    }

    /// <summary>
    /// Checks the sign-in aliases <paramref name="attributes"/> give (see <see cref="PoolState.AliasesOf"/>)
    /// against the other users. A username attribute another user holds is refused as before; an alias
    /// another user holds raises AliasExistsException, unless <paramref name="force"/> (ForceAliasCreation)
    /// and it is a verified email or phone number: then it moves, and the previous holder — returned, to
    /// be saved in the same write — keeps the attribute but no longer verified, so it signs in with it no more.
    /// </summary>
    private List<(string Key, User User)> ClaimAliases(PoolState state, string userKey, IReadOnlyList<KeyValuePair<string, string>> attributes, bool force)
    {
        var displaced = new List<(string Key, User User)>();
        foreach (var (attribute, value) in state.AliasesOf(attributes))
        {
            if (!state.Aliases.TryGetValue(PoolState.AliasKey(attribute, value), out var owner) || owner == userKey)
                continue;
            if (state.Pool.UsernameAttributes.Contains(attribute))
                throw attribute == "phone_number" ? IdentityErrors.PhoneExists() : IdentityErrors.EmailExists();
            if (!force || attribute is not ("email" or "phone_number") || !state.Users.TryGetValue(owner, out var previous))
                throw IdentityErrors.AliasExists(attribute);
            var index = displaced.FindIndex(d => d.Key == owner);
            var holder = index >= 0 ? displaced[index].User : previous;
            var flag = attribute + "_verified";
            var unverified = holder with
            {
                Attributes = holder.Attributes.Select(a => a.Key == flag ? new KeyValuePair<string, string>(flag, "false") : a).ToList(),
                Modified = Now,
            };
            if (index >= 0)
                displaced[index] = (owner, unverified);
            else
                displaced.Add((owner, unverified));
        }
        return displaced;
    }

    /// <summary>Saves a user and the users who lost an alias to them, in one transaction.</summary>
    private static async Task SaveUsersAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction t, User user, List<(string Key, User User)> displaced)
    {
        foreach (var (_, other) in displaced)
            await IdentityStore.SaveUserAsync(c, t, other).ConfigureAwait(false);
        await IdentityStore.SaveUserAsync(c, t, user).ConfigureAwait(false);
    }

    /// <summary>Applies a saved user and its displaced alias holders in memory: the holders first, so the index ends with the new owner.</summary>
    private static void ApplyUsers(PoolState state, string key, User? old, User user, List<(string Key, User User)> displaced)
    {
        foreach (var (otherKey, other) in displaced)
        {
            if (state.Users.TryGetValue(otherKey, out var before))
                ApplyUser(state, otherKey, before, other);
        }
        ApplyUser(state, key, old, user);
    }

    /// <summary>
    /// Works out the stored username and the attributes implied by the name given at creation: with
    /// email or phone sign-in, the given name is that attribute and the username is the sub.
    /// </summary>
    private static (string Username, string Sub, List<KeyValuePair<string, string>> Attributes) NameNewUser(UserPool pool, string given, List<KeyValuePair<string, string>> attributes)
    {
        var sub = Guid.NewGuid().ToString();
        if (pool.UsernameAttributes.Count > 0)
        {
            var email = pool.UsernameAttributes.Contains("email");
            var phone = pool.UsernameAttributes.Contains("phone_number");
            string attribute;
            if (email && LooksLikeEmail(given))
                attribute = "email";
            else if (phone && PhonePattern().IsMatch(given))
                attribute = "phone_number";
            else
                throw email && phone ? IdentityErrors.UsernameMustBeEmailOrPhone() : email ? IdentityErrors.UsernameMustBeEmail() : IdentityErrors.UsernameMustBePhone();
            attributes.RemoveAll(a => a.Key == attribute);
            attributes.Insert(0, new(attribute, given));
            return (sub, sub, attributes);
        }
        if (pool.AliasAttributes.Contains("email") && LooksLikeEmail(given))
            throw IdentityErrors.UsernameIsEmailFormat();
        return (given, sub, attributes);
    }

    private async ValueTask<AwsResponse> AdminCreateUserAsync(AwsRequest request, CancellationToken ct)
    {
        var input = request.Input;
        var state = Pool(request);
        var pool = state.Pool;
        var given = input.Req("Username");
        var action = input.Str("MessageAction");
        var now = Now;

        if (action == "RESEND")
            return await ResendInvitationAsync(request, state, given, ct).ConfigureAwait(false);

        var (username, sub, requested) = NameNewUser(pool, given, ReadAttributes(input, "UserAttributes"));
        var attributes = MergeAttributes(pool, [new("sub", sub)], requested, creating: true);
        CheckRequired(pool, attributes);
        var temporary = input.Str("TemporaryPassword");
        if (temporary is not null)
            PasswordPolicyChecker.Enforce(temporary, pool.PasswordPolicy, PasswordPolicyChecker.SignUpPrefix);
        var password = temporary ?? PasswordPolicyChecker.Generate(pool.PasswordPolicy);

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
        user = WithPassword(user, pool, password, temporary: true);
        var key = pool.UserKey(username);
        using (await GateAsync(ct).ConfigureAwait(false))
        {
            state = Pool(request);
            EnsureLive(state);
            if (state.Users.ContainsKey(key))
                throw IdentityErrors.UserAccountExists();
            var displaced = ClaimAliases(state, key, attributes, input.Bool("ForceAliasCreation") ?? false);
            await WriteAsync((c, t) => SaveUsersAsync(c, t, user, displaced), ct).ConfigureAwait(false);
            ApplyUsers(state, key, null, user, displaced);
        }
        if (action != "SUPPRESS")
            SendInvitation(state.Pool, user, password, input.Strings("DesiredDeliveryMediums").ToList());
        return new JsonObject { ["User"] = UserJson(user, "Attributes") };
    }

    private async ValueTask<AwsResponse> ResendInvitationAsync(AwsRequest request, PoolState state, string given, CancellationToken ct)
    {
        var (key, found) = RequireUser(state, given);
        if (found.Status != UserStatus.ForceChangePassword)
            throw IdentityErrors.ResendNotPossible(found.Username);
        var temporary = request.Input.Str("TemporaryPassword");
        if (temporary is not null)
            PasswordPolicyChecker.Enforce(temporary, state.Pool.PasswordPolicy, PasswordPolicyChecker.SignUpPrefix);
        var password = temporary ?? PasswordPolicyChecker.Generate(state.Pool.PasswordPolicy);
        var updated = WithPassword(found, state.Pool, password, temporary: true) with { Modified = Now };
        using (await GateAsync(ct).ConfigureAwait(false))
        {
            if (!state.Users.TryGetValue(key, out var current) || current.Sub != found.Sub)
                throw IdentityErrors.UserNotFound();
            updated = updated with { Attributes = current.Attributes, Enabled = current.Enabled };
            await WriteAsync((c, t) => IdentityStore.SaveUserAsync(c, t, updated), ct).ConfigureAwait(false);
            ApplyUser(state, key, current, updated);
        }
        SendInvitation(state.Pool, updated, password, request.Input.Strings("DesiredDeliveryMediums").ToList());
        return new JsonObject { ["User"] = UserJson(updated, "Attributes") };
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
        AddToOutbox(new OutboxMessage(Guid.NewGuid().ToString(), pool.Id, user.Username, useSms ? phone! : email!, useSms ? "SMS" : "EMAIL",
            "invitation", subject, body, null, Now));
    }

    private static JsonArray AttributesJson(User user, IReadOnlySet<string>? only = null) =>
        new(user.Attributes.Where(a => only is null || only.Contains(a.Key))
            .Select(a => (JsonNode)new JsonObject { ["Name"] = a.Key, ["Value"] = a.Value }).ToArray());

    private static JsonObject UserJson(User user, string attributesMember, IReadOnlySet<string>? only = null) => new()
    {
        ["Username"] = user.Username,
        [attributesMember] = AttributesJson(user, only),
        ["UserCreateDate"] = user.Created,
        ["UserLastModifiedDate"] = user.Modified,
        ["Enabled"] = user.Enabled,
        ["UserStatus"] = user.Status,
    };

    private ValueTask<AwsResponse> AdminGetUser(AwsRequest request, CancellationToken ct)
    {
        var (_, user) = RequireUser(Pool(request), request.Input.Req("Username"));
        return ValueTask.FromResult<AwsResponse>(UserJson(user, "UserAttributes"));
    }

    private async ValueTask<AwsResponse> AdminSetUserPasswordAsync(AwsRequest request, CancellationToken ct)
    {
        var state = Pool(request);
        var (key, found) = RequireUser(state, request.Input.Req("Username"));
        var password = request.Input.Req("Password");
        var permanent = request.Input.Bool("Permanent") ?? false;
        PasswordPolicyChecker.Enforce(password, state.Pool.PasswordPolicy, PasswordPolicyChecker.ChangePrefix);
        var prepared = WithPassword(found, state.Pool, password, temporary: !permanent);
        await UpdateUserAsync(state, key, found.Sub, current => prepared with
        {
            Attributes = current.Attributes,
            Enabled = current.Enabled,
            Code = null,
            Status = permanent ? UserStatus.Confirmed : UserStatus.ForceChangePassword,
        }, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current version of a user under the write gate: store
    /// first, then memory. The sign-in aliases the result gives are checked against the other users
    /// (<see cref="ClaimAliases"/>; <paramref name="forceAliases"/> is ConfirmSignUp's ForceAliasCreation).
    /// </summary>
    private Task<User> UpdateUserAsync(PoolState state, string key, string sub, Func<User, User> change, CancellationToken ct) =>
        UpdateUserAsync(state, key, sub, change, forceAliases: false, ct);

    private async Task<User> UpdateUserAsync(PoolState state, string key, string sub, Func<User, User> change, bool forceAliases, CancellationToken ct)
    {
        using (await GateAsync(ct).ConfigureAwait(false))
        {
            EnsureLive(state);
            if (!state.Users.TryGetValue(key, out var current) || current.Sub != sub)
                throw IdentityErrors.UserNotFound();
            var updated = change(current) with { Modified = Now };
            var displaced = ClaimAliases(state, key, updated.Attributes, forceAliases);
            await WriteAsync((c, t) => SaveUsersAsync(c, t, updated, displaced), ct).ConfigureAwait(false);
            ApplyUsers(state, key, current, updated, displaced);
            return updated;
        }
    }

    private async ValueTask<AwsResponse> AdminDeleteUserAsync(AwsRequest request, CancellationToken ct)
    {
        var state = Pool(request);
        var (key, found) = RequireUser(state, request.Input.Req("Username"));
        await DeleteUserAsync(state, key, found, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async Task DeleteUserAsync(PoolState state, string key, User found, CancellationToken ct)
    {
        using (await GateAsync(ct).ConfigureAwait(false))
        {
            EnsureLive(state);
            if (!state.Users.TryGetValue(key, out var current) || current.Sub != found.Sub)
                throw IdentityErrors.UserNotFound();
            await WriteAsync((c, t) => IdentityStore.DeleteUserAsync(c, t, state.Pool.Id, current.Username), ct).ConfigureAwait(false);
            RemoveUser(state, key, current);
        }
    }

    private async ValueTask<AwsResponse> AdminSetEnabledAsync(AwsRequest request, bool enabled, CancellationToken ct)
    {
        var state = Pool(request);
        var (key, found) = RequireUser(state, request.Input.Req("Username"));
        await UpdateUserAsync(state, key, found.Sub, u => u with { Enabled = enabled }, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> AdminUpdateUserAttributesAsync(AwsRequest request, CancellationToken ct)
    {
        var state = Pool(request);
        var (key, found) = RequireUser(state, request.Input.Req("Username"));
        var updates = ReadAttributes(request.Input, "UserAttributes");
        await UpdateAttributesAsync(state, key, found, updates, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async Task UpdateAttributesAsync(PoolState state, string key, User found, List<KeyValuePair<string, string>> updates, CancellationToken ct)
    {
        // A changed email or phone number is no longer verified unless the same call says so.
        foreach (var (contact, flag) in new[] { ("email", "email_verified"), ("phone_number", "phone_number_verified") })
        {
            var change = updates.FirstOrDefault(u => u.Key == contact);
            if (change.Key is not null && change.Value != found.Attribute(contact) && !updates.Any(u => u.Key == flag) && found.Attribute(flag) is not null)
                updates.Add(new(flag, "false"));
        }
        MergeAttributes(state.Pool, found.Attributes, updates, creating: false);
        await UpdateUserAsync(state, key, found.Sub,
            current => current with { Attributes = MergeAttributes(state.Pool, current.Attributes, updates, creating: false) }, ct).ConfigureAwait(false);
    }

    private async ValueTask<AwsResponse> AdminDeleteUserAttributesAsync(AwsRequest request, CancellationToken ct)
    {
        var state = Pool(request);
        var (key, found) = RequireUser(state, request.Input.Req("Username"));
        var names = request.Input.Strings("UserAttributeNames").ToList();
        await DeleteAttributesAsync(state, key, found, names, ct).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private static void CheckDeletable(UserPool pool, List<string> names)
    {
        foreach (var name in names)
        {
            if (!pool.Schema.TryGetValue(name, out var attribute))
                throw IdentityErrors.SchemaViolation(name, "Attribute does not exist in the schema.");
            if (attribute.Required || name == "sub")
                throw IdentityErrors.SchemaViolation(name, "The attribute is required");
            if (!attribute.Mutable)
                throw IdentityErrors.SchemaViolation(name, "Attribute cannot be updated. (changing an immutable attribute)");
            if (pool.UsernameAttributes.Contains(name))
                throw IdentityErrors.InvalidParameter($"Cannot delete the attribute {name} because it is used as the username.");
        }
    }

    private async Task DeleteAttributesAsync(PoolState state, string key, User found, List<string> names, CancellationToken ct)
    {
        CheckDeletable(state.Pool, names);
        await UpdateUserAsync(state, key, found.Sub, current => current with
        {
            Attributes = current.Attributes.Where(a => !names.Contains(a.Key)).ToList(),
        }, ct).ConfigureAwait(false);
    }

    private ValueTask<AwsResponse> ListUsers(AwsRequest request, CancellationToken ct)
    {
        var state = Pool(request);
        var filter = UserFilter.Parse(request.Input.Str("Filter"));
        var only = request.Input.Strings("AttributesToGet").ToHashSet(StringComparer.Ordinal);
        var users = state.Users.Where(u => filter is null || filter.Matches(u.Value))
            .OrderBy(u => u.Key, StringComparer.Ordinal);
        var (page, next) = Paginate(users, u => u.Key, request.Input.Str("PaginationToken"), request.Input.Int("Limit") ?? 60);
        var output = new JsonObject
        {
            ["Users"] = new JsonArray(page.Select(u => (JsonNode)UserJson(u.Value, "Attributes", only.Count > 0 ? only : null)).ToArray()),
        };
        if (next is not null)
            output["PaginationToken"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }
}
