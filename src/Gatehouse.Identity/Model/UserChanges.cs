using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Core;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.Model;
using Gatehouse.Protocol;

namespace Gatehouse.Identity.Model;

/// <summary>
/// Changes to users that several resources make (the administrator's user operations, sign-up and
/// codes, sign-in's new-password answer, the hosted pages): password material, attribute rules, the
/// sign-in aliases, and the write-through of a user (store first, then memory, under the gate).
/// </summary>
internal sealed partial class UserChanges(IdentityState identity)
{
    private readonly IdentityState _state = identity;

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^\+[0-9]{4,15}$")]
    private static partial Regex PhonePattern();

    /// <summary>
    /// A user's password material: the slow hash, the SRP salt and (sealed) verifier, and a new
    /// credential stamp (which retires cached checks of the old password). Computed before taking
    /// the write gate, because the hash is deliberately slow.
    /// </summary>
    internal User WithPassword(User user, UserPool pool, string password, bool temporary)
    {
        string hash;
        using (PasswordHasher.EnterSlot())
            hash = PasswordHasher.Hash(password);
        var salt = Srp.NewSalt();
        var verifier = Srp.Verifier(pool.SrpPoolName, user.Username, password, salt);
        return user with
        {
            PasswordHash = hash,
            SrpSalt = salt.ToByteArray(isUnsigned: true, isBigEndian: true),
            SrpVerifier = _state.Box.Seal(verifier.ToByteArray(isUnsigned: true, isBigEndian: true)),
            CredentialStamp = Guid.NewGuid().ToString("N"),
            TemporaryPasswordExpiresAt = temporary ? _state.Now.AddDays(pool.PasswordPolicy.TemporaryPasswordValidityDays) : null,
        };
    }

    internal System.Numerics.BigInteger OpenVerifier(User user) => Srp.FromBytes(_state.Box.Open(user.SrpVerifier!));

    /// <summary>Validates attribute writes against the schema and merges them into <paramref name="existing"/> (order kept).</summary>
    internal static List<KeyValuePair<string, string>> MergeAttributes(UserPool pool, IEnumerable<KeyValuePair<string, string>> existing,
        IEnumerable<KeyValuePair<string, string>> updates, bool creating)
    {
        var result = existing.ToList();
        foreach (var (name, value) in updates)
        {
            if (!pool.Schema.TryGetValue(name, out var attribute))
                throw IdentityErrors.UnknownAttribute(name);
            if (name == "sub" || (!creating && !attribute.Mutable))
                throw IdentityErrors.ImmutableAttribute(name);
            if (value.Length > (attribute.MaxLength ?? 2048))
                throw IdentityErrors.AttributeTooLong(name, attribute.MaxLength ?? 2048);
            if (attribute.MinLength is { } min && value.Length < min)
                throw IdentityErrors.AttributeTooShort(name, min);
            if (name == "email" && !LooksLikeEmail(value))
                throw IdentityErrors.InvalidEmail();
            if (name == "phone_number" && !PhonePattern().IsMatch(value))
                throw IdentityErrors.InvalidPhone();
            if (attribute.DataType == "Boolean" && value is not ("true" or "false"))
                throw IdentityErrors.AttributeNotBoolean(name);
            if (attribute.DataType == "Number" && !double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _))
                throw IdentityErrors.AttributeNotNumber(name);
            var index = result.FindIndex(a => a.Key == name);
            if (index >= 0)
                result[index] = new(name, value);
            else
                result.Add(new(name, value));
        }
        return result;
    }

    internal static List<KeyValuePair<string, string>> ReadAttributes(JsonObject input, string member) =>
        (input.Arr(member) ?? []).OfType<JsonObject>()
            .Select(a => new KeyValuePair<string, string>(a["Name"]!.GetValue<string>(), a["Value"]?.GetValue<string>() ?? ""))
            .ToList();

    internal static void CheckRequired(UserPool pool, IReadOnlyList<KeyValuePair<string, string>> attributes)
    {
        foreach (var attribute in pool.Schema.Values)
        {
            if (attribute.Required && attribute.Name != "sub" && !attributes.Any(a => a.Key == attribute.Name))
                throw IdentityErrors.RequiredAttribute(attribute.Name);
        }
    }

    /// <summary>
    /// Checks the sign-in aliases <paramref name="attributes"/> give (see <see cref="PoolState.AliasesOf"/>)
    /// against the other users. A username attribute another user holds is refused as before; an alias
    /// another user holds raises AliasExistsException, unless <paramref name="force"/> (ForceAliasCreation)
    /// and it is a verified email or phone number: then it moves, and the previous holder — returned, to
    /// be saved in the same write — keeps the attribute but no longer verified, so it signs in with it no more.
    /// </summary>
    internal List<(string Key, User User)> ClaimAliases(PoolState state, string userKey, IReadOnlyList<KeyValuePair<string, string>> attributes, bool force)
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
                Modified = _state.Now,
            };
            if (index >= 0)
                displaced[index] = (owner, unverified);
            else
                displaced.Add((owner, unverified));
        }
        return displaced;
    }

    /// <summary>Saves a user and the users who lost an alias to them, in one transaction.</summary>
    internal static async Task SaveUsersAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction t, User user, List<(string Key, User User)> displaced)
    {
        foreach (var (_, other) in displaced)
            await IdentityStore.SaveUserAsync(c, t, other).ConfigureAwait(false);
        await IdentityStore.SaveUserAsync(c, t, user).ConfigureAwait(false);
    }

    /// <summary>Applies a saved user and its displaced alias holders in memory: the holders first, so the index ends with the new owner.</summary>
    internal static void ApplyUsers(PoolState state, string key, User? old, User user, List<(string Key, User User)> displaced)
    {
        foreach (var (otherKey, other) in displaced)
        {
            if (state.Users.TryGetValue(otherKey, out var before))
                IdentityState.ApplyUser(state, otherKey, before, other);
        }
        IdentityState.ApplyUser(state, key, old, user);
    }

    /// <summary>
    /// Works out the stored username and the attributes implied by the name given at creation: with
    /// email or phone sign-in, the given name is that attribute and the username is the sub.
    /// </summary>
    internal static (string Username, string Sub, List<KeyValuePair<string, string>> Attributes) NameNewUser(UserPool pool, string given, List<KeyValuePair<string, string>> attributes)
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

    internal static bool LooksLikeEmail(string value) => EmailPattern().IsMatch(value);

    internal static JsonArray AttributesJson(User user, IReadOnlySet<string>? only = null) =>
        new(user.Attributes.Where(a => only is null || only.Contains(a.Key))
            .Select(a => (JsonNode)new JsonObject { ["Name"] = a.Key, ["Value"] = a.Value }).ToArray());

    internal static JsonObject UserJson(User user, string attributesMember, IReadOnlySet<string>? only = null) => new()
    {
        ["Username"] = user.Username,
        [attributesMember] = AttributesJson(user, only),
        ["UserCreateDate"] = user.Created,
        ["UserLastModifiedDate"] = user.Modified,
        ["Enabled"] = user.Enabled,
        ["UserStatus"] = user.Status,
    };

    /// <summary>
    /// Applies <paramref name="change"/> to the current version of a user under the write gate: store
    /// first, then memory. The sign-in aliases the result gives are checked against the other users
    /// (<see cref="ClaimAliases"/>; <paramref name="forceAliases"/> is ConfirmSignUp's ForceAliasCreation).
    /// </summary>
    internal Task<User> UpdateUserAsync(PoolState state, string key, string sub, Func<User, User> change, CancellationToken ct) =>
        UpdateUserAsync(state, key, sub, change, forceAliases: false, ct);

    internal async Task DeleteUserAsync(PoolState state, string key, User found, CancellationToken ct)
    {
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            _state.EnsureLive(state);
            if (!state.Users.TryGetValue(key, out var current) || current.Sub != found.Sub)
                throw IdentityErrors.UserNotFound();
            await _state.WriteAsync((c, t) => IdentityStore.DeleteUserAsync(c, t, state.Pool.Id, current.Username), ct).ConfigureAwait(false);
            IdentityState.RemoveUser(state, key, current);
        }
    }

    internal async Task<User> UpdateUserAsync(PoolState state, string key, string sub, Func<User, User> change, bool forceAliases, CancellationToken ct)
    {
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            _state.EnsureLive(state);
            if (!state.Users.TryGetValue(key, out var current) || current.Sub != sub)
                throw IdentityErrors.UserNotFound();
            var updated = change(current) with { Modified = _state.Now };
            var displaced = ClaimAliases(state, key, updated.Attributes, forceAliases);
            await _state.WriteAsync((c, t) => SaveUsersAsync(c, t, updated, displaced), ct).ConfigureAwait(false);
            ApplyUsers(state, key, current, updated, displaced);
            return updated;
        }
    }

    internal async Task UpdateAttributesAsync(PoolState state, string key, User found, List<KeyValuePair<string, string>> updates, CancellationToken ct)
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

    internal static void CheckDeletable(UserPool pool, List<string> names)
    {
        foreach (var name in names)
        {
            if (!pool.Schema.TryGetValue(name, out var attribute))
                throw IdentityErrors.UnknownAttribute(name);
            if (attribute.Required || name == "sub")
                throw IdentityErrors.RequiredAttribute(name);
            if (!attribute.Mutable)
                throw IdentityErrors.ImmutableAttribute(name);
            if (pool.UsernameAttributes.Contains(name))
                throw IdentityErrors.UsernameAttributeNotDeletable(name);
        }
    }

    internal async Task DeleteAttributesAsync(PoolState state, string key, User found, List<string> names, CancellationToken ct)
    {
        CheckDeletable(state.Pool, names);
        await UpdateUserAsync(state, key, found.Sub, current => current with
        {
            Attributes = current.Attributes.Where(a => !names.Contains(a.Key)).ToList(),
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers NEW_PASSWORD_REQUIRED (RespondToAuthChallenge and the hosted new-password form): the
    /// required attributes, the new password and CONFIRMED, applied to the user the challenge named
    /// unless an administrator changed the temporary password meanwhile (then the session is stale).
    /// </summary>
    internal async Task<User> ReplaceTemporaryPasswordAsync(PoolState state, ChallengeSession session, User user, string password,
        IReadOnlyList<KeyValuePair<string, string>> updates, CancellationToken ct)
    {
        CheckRequired(state.Pool, MergeAttributes(state.Pool, user.Attributes, updates, creating: false));
        var prepared = WithPassword(user, state.Pool, password, temporary: false);
        return await UpdateUserAsync(state, session.UserKey, user.Sub, current =>
        {
            if (current.CredentialStamp != session.CredentialStamp || current.Status != UserStatus.ForceChangePassword)
                throw IdentityErrors.InvalidSession();
            var attributes = MergeAttributes(state.Pool, current.Attributes, updates, creating: false);
            return prepared with { Attributes = attributes, Enabled = current.Enabled, Status = UserStatus.Confirmed, Code = null };
        }, ct).ConfigureAwait(false);
    }
}
