using System.Text.Json.Nodes;

namespace Gatehouse.Identity.Model;

/// <summary>
/// An immutable snapshot of an app client. <see cref="Settings"/> holds the <c>UserPoolClientType</c>
/// members as configured; the typed properties are derived once for the sign-in path.
/// </summary>
internal sealed class AppClient
{
    public AppClient(string id, string poolId, string name, string? secret, JsonObject settings, DateTimeOffset created, DateTimeOffset modified)
    {
        Id = id;
        PoolId = poolId;
        Name = name;
        Secret = secret;
        Settings = settings;
        Created = created;
        Modified = modified;
        var flows = (settings["ExplicitAuthFlows"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        // A client created without ExplicitAuthFlows allows refresh, SRP and custom auth.
        Flows = flows is { Count: > 0 } ? flows : ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"];
        var units = settings["TokenValidityUnits"] as JsonObject;
        AccessTokenValidity = Validity(settings["AccessTokenValidity"], units?["AccessToken"], "hours", TimeSpan.FromHours(1));
        IdTokenValidity = Validity(settings["IdTokenValidity"], units?["IdToken"], "hours", TimeSpan.FromHours(1));
        RefreshTokenValidity = Validity(settings["RefreshTokenValidity"], units?["RefreshToken"], "days", TimeSpan.FromDays(30));
        AuthSessionValidity = TimeSpan.FromMinutes(settings["AuthSessionValidity"].AsLong() ?? 3);
        PreventUserExistenceErrors = settings["PreventUserExistenceErrors"]?.GetValue<string>() == "ENABLED";
        EnableTokenRevocation = settings["EnableTokenRevocation"]?.GetValue<bool>() ?? true;
        ReadAttributes = (settings["ReadAttributes"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        WriteAttributes = (settings["WriteAttributes"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
    }

    public string Id { get; }
    public string PoolId { get; }
    public string Name { get; }
    public string? Secret { get; }
    public JsonObject Settings { get; }
    public DateTimeOffset Created { get; }
    public DateTimeOffset Modified { get; }

    public IReadOnlySet<string> Flows { get; }
    public TimeSpan AccessTokenValidity { get; }
    public TimeSpan IdTokenValidity { get; }
    public TimeSpan RefreshTokenValidity { get; }
    public TimeSpan AuthSessionValidity { get; }
    public bool PreventUserExistenceErrors { get; }
    public bool EnableTokenRevocation { get; }

    /// <summary>Attributes the ID token may carry; null means every attribute.</summary>
    public IReadOnlySet<string>? ReadAttributes { get; }

    /// <summary>Attributes users may change through this client; null means every mutable attribute.</summary>
    public IReadOnlySet<string>? WriteAttributes { get; }

    public bool Allows(string flow, string? legacy = null) => Flows.Contains(flow) || (legacy is not null && Flows.Contains(legacy));

    private static TimeSpan Validity(JsonNode? value, JsonNode? unit, string defaultUnit, TimeSpan fallback)
    {
        if (value is null || value.AsLong() == 0)
            return fallback;
        var amount = value.AsLong() ?? 0;
        return (unit?.GetValue<string>() ?? defaultUnit) switch
        {
            "seconds" => TimeSpan.FromSeconds(amount),
            "minutes" => TimeSpan.FromMinutes(amount),
            "hours" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromDays(amount),
        };
    }
}
