using System.Collections.Concurrent;
using System.Collections.Immutable;
using Gatehouse.Identity.Tokens;

namespace Gatehouse.Identity.Model;

/// <summary>
/// A pool in memory: its configuration snapshot, keys, clients, users (by user key: the username,
/// lower-cased in case-insensitive pools), the alias index (email, phone, preferred_username → user
/// key), groups and memberships. Values are immutable snapshots replaced whole, so the sign-in path
/// reads without locks; writers are serialised by the service.
/// </summary>
internal sealed class PoolState
{
    public PoolState(UserPool pool, PoolKeys keys)
    {
        Pool = pool;
        Keys = keys;
    }

    public UserPool Pool { get; set; }
    public PoolKeys Keys { get; set; }
    public ConcurrentDictionary<string, AppClient> Clients { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, User> Users { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, string> Aliases { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, Group> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>User key → names of the groups the user is in.</summary>
    public ConcurrentDictionary<string, ImmutableHashSet<string>> Memberships { get; } = new(StringComparer.Ordinal);

    /// <summary>The pool's prefix domain for the hosted pages, if it has one.</summary>
    public UserPoolDomain? Domain { get; set; }

    /// <summary>Resource servers by identifier (their scopes are the custom OAuth scopes).</summary>
    public ConcurrentDictionary<string, ResourceServer> ResourceServers { get; } = new(StringComparer.Ordinal);

    /// <summary>Revoked sign-ins (origin_jti → when the revocation can be forgotten).</summary>
    public ConcurrentDictionary<string, DateTimeOffset> Revoked { get; } = new(StringComparer.Ordinal);

    public static string AliasKey(string attribute, string value) => attribute + ":" + value.ToLowerInvariant();

    /// <summary>The groups of a user, in token order: by precedence (lowest first; none last), then name.</summary>
    public IReadOnlyList<Group> GroupsOf(string userKey)
    {
        if (!Memberships.TryGetValue(userKey, out var names) || names.IsEmpty)
            return [];
        return names.Select(n => Groups.GetValueOrDefault(n)).OfType<Group>()
            .OrderBy(g => g.Precedence ?? int.MaxValue).ThenBy(g => g.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The sign-in aliases a user's attributes give: a username attribute (email or phone as the
    /// username) always; among alias attributes, <c>preferred_username</c> always, but an email or
    /// phone number only once verified (<c>email_verified</c> / <c>phone_number_verified</c> "true"),
    /// as Cognito documents for ForceAliasCreation. Derived from the stored attributes alone, so the
    /// index rebuilt at start-up matches the one kept while running.
    /// </summary>
    public IEnumerable<(string Attribute, string Value)> AliasesOf(IReadOnlyList<KeyValuePair<string, string>> attributes)
    {
        foreach (var attribute in Pool.SignInAttributes)
        {
            var value = Value(attributes, attribute);
            if (value is null)
                continue;
            if (Pool.UsernameAttributes.Contains(attribute) || attribute == "preferred_username" || Value(attributes, attribute + "_verified") == "true")
                yield return (attribute, value);
        }
    }

    private static string? Value(IReadOnlyList<KeyValuePair<string, string>> attributes, string name)
    {
        foreach (var (key, value) in attributes)
        {
            if (key == name)
                return value;
        }
        return null;
    }

    /// <summary>Re-indexes a user's sign-in aliases after a change (or removal when <paramref name="user"/> is null).</summary>
    public void IndexAliases(string userKey, User? old, User? user)
    {
        if (old is not null)
        {
            foreach (var (attribute, oldValue) in AliasesOf(old.Attributes))
            {
                if (Aliases.TryGetValue(AliasKey(attribute, oldValue), out var owner) && owner == userKey)
                    Aliases.TryRemove(AliasKey(attribute, oldValue), out _);
            }
        }
        if (user is null)
            return;
        foreach (var (attribute, value) in AliasesOf(user.Attributes))
            Aliases[AliasKey(attribute, value)] = userKey;
    }

    /// <summary>The user a sign-in name denotes: the username itself, or an alias.</summary>
    public (string Key, User User)? Find(string name)
    {
        var key = Pool.UserKey(name);
        if (Users.TryGetValue(key, out var user))
            return (key, user);
        foreach (var attribute in Pool.SignInAttributes)
        {
            if (Aliases.TryGetValue(AliasKey(attribute, name), out var aliasKey) && Users.TryGetValue(aliasKey, out user))
                return (aliasKey, user);
        }
        return null;
    }
}
