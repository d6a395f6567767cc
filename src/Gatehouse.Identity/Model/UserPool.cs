using System.Text.Json.Nodes;

namespace Gatehouse.Identity.Model;

/// <summary>The password rules of a pool (Policies.PasswordPolicy), with AWS's defaults.</summary>
internal sealed record PasswordPolicy(int MinimumLength, bool RequireUppercase, bool RequireLowercase, bool RequireNumbers, bool RequireSymbols, int TemporaryPasswordValidityDays)
{
    public static PasswordPolicy Default { get; } = new(8, true, true, true, true, 7);

    public static PasswordPolicy From(JsonObject? policy) => policy is null ? Default : new(
        (int?)policy["MinimumLength"].AsLong() ?? 8,
        policy["RequireUppercase"]?.GetValue<bool>() ?? false,
        policy["RequireLowercase"]?.GetValue<bool>() ?? false,
        policy["RequireNumbers"]?.GetValue<bool>() ?? false,
        policy["RequireSymbols"]?.GetValue<bool>() ?? false,
        (int?)policy["TemporaryPasswordValidityDays"].AsLong() ?? 7);

    public JsonObject ToJson() => new()
    {
        ["MinimumLength"] = MinimumLength,
        ["RequireUppercase"] = RequireUppercase,
        ["RequireLowercase"] = RequireLowercase,
        ["RequireNumbers"] = RequireNumbers,
        ["RequireSymbols"] = RequireSymbols,
        ["TemporaryPasswordValidityDays"] = TemporaryPasswordValidityDays,
    };
}

/// <summary>One attribute of a pool's schema (standard or <c>custom:</c>).</summary>
internal sealed record SchemaAttribute(string Name, string DataType, bool Mutable, bool Required, bool DeveloperOnly, int? MinLength, int? MaxLength);

/// <summary>
/// An immutable snapshot of a pool's configuration. <see cref="Settings"/> holds the
/// <c>UserPoolType</c> members as configured (read back whole by DescribeUserPool); the typed
/// properties are derived from it once so the sign-in path never parses JSON.
/// </summary>
internal sealed class UserPool
{
    public UserPool(string id, string account, string region, string name, JsonObject settings, DateTimeOffset created, DateTimeOffset modified)
    {
        Id = id;
        Account = account;
        Region = region;
        Name = name;
        Settings = settings;
        Created = created;
        Modified = modified;
        PasswordPolicy = PasswordPolicy.From(settings["Policies"]?["PasswordPolicy"] as JsonObject);
        UsernameAttributes = Strings(settings, "UsernameAttributes");
        AliasAttributes = Strings(settings, "AliasAttributes");
        AutoVerifiedAttributes = Strings(settings, "AutoVerifiedAttributes");
        CaseSensitive = settings["UsernameConfiguration"]?["CaseSensitive"]?.GetValue<bool>() ?? true;
        DeletionProtection = settings["DeletionProtection"]?.GetValue<string>() == "ACTIVE";
        Schema = (settings["SchemaAttributes"] as JsonArray ?? []).OfType<JsonObject>().Select(ParseSchema)
            .ToDictionary(a => a.Name, StringComparer.Ordinal);
        AllowAdminCreateUserOnly = settings["AdminCreateUserConfig"]?["AllowAdminCreateUserOnly"]?.GetValue<bool>() ?? false;
    }

    public string Id { get; }
    public string Account { get; }
    public string Region { get; }
    public string Name { get; }
    public JsonObject Settings { get; }
    public DateTimeOffset Created { get; }
    public DateTimeOffset Modified { get; }

    public PasswordPolicy PasswordPolicy { get; }
    public IReadOnlyList<string> UsernameAttributes { get; }
    public IReadOnlyList<string> AliasAttributes { get; }
    public IReadOnlyList<string> AutoVerifiedAttributes { get; }
    public bool CaseSensitive { get; }
    public bool DeletionProtection { get; }
    public bool AllowAdminCreateUserOnly { get; }
    public IReadOnlyDictionary<string, SchemaAttribute> Schema { get; }

    /// <summary>The part after the underscore: SRP's "pool name".</summary>
    public string SrpPoolName => Id[(Id.IndexOf('_', StringComparison.Ordinal) + 1)..];

    /// <summary>Attributes a user can sign in with besides the username (email, phone_number, preferred_username).</summary>
    public IEnumerable<string> SignInAttributes => UsernameAttributes.Concat(AliasAttributes);

    public bool EmailIsUsername => UsernameAttributes.Contains("email");

    public string UserKey(string username) => CaseSensitive ? username : username.ToLowerInvariant();

    private static List<string> Strings(JsonObject settings, string name) =>
        (settings[name] as JsonArray ?? []).Select(n => n?.GetValue<string>()).OfType<string>().ToList();

    private static SchemaAttribute ParseSchema(JsonObject json)
    {
        var constraints = json["StringAttributeConstraints"];
        return new SchemaAttribute(
            json["Name"]!.GetValue<string>(),
            json["AttributeDataType"]?.GetValue<string>() ?? "String",
            json["Mutable"]?.GetValue<bool>() ?? true,
            json["Required"]?.GetValue<bool>() ?? false,
            json["DeveloperOnlyAttribute"]?.GetValue<bool>() ?? false,
            int.TryParse(constraints?["MinLength"]?.GetValue<string>(), out var min) ? min : null,
            int.TryParse(constraints?["MaxLength"]?.GetValue<string>(), out var max) ? max : null);
    }
}
