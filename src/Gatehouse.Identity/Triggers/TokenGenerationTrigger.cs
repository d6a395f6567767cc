using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.Tokens;
using E = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Errors;

namespace Gatehouse.Identity.Triggers;

/// <summary>
/// Claims, groups and scopes a pre token generation trigger changes in the tokens it is asked about
/// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html).
/// Version 1 events change the ID token only; versions 2 and 3 change both tokens and the access
/// token's scopes.
/// </summary>
internal sealed class TokenOverrides
{
    /// <summary>Claims a trigger may not add, change or suppress; changes to them are ignored, as Cognito ignores them.</summary>
    public static readonly HashSet<string> Protected = new(StringComparer.Ordinal)
    {
        "acr", "amr", "aud", "at_hash", "auth_time", "azp", "client_id", "cognito:username", "exp", "iat", "identities", "iss",
        "jti", "nbf", "nonce", "origin_jti", "sub", "token_use", "event_id", "username", "scope",
    };

    public JsonObject IdAdd { get; } = [];
    public HashSet<string> IdSuppress { get; } = new(StringComparer.Ordinal);
    public JsonObject AccessAdd { get; } = [];
    public HashSet<string> AccessSuppress { get; } = new(StringComparer.Ordinal);
    public List<string> ScopesAdd { get; } = [];
    public HashSet<string> ScopesSuppress { get; } = new(StringComparer.Ordinal);
    public List<string>? Groups { get; set; }
    public List<string>? Roles { get; set; }
    public string? PreferredRole { get; set; }

    /// <summary>A token's claims with these changes made; <paramref name="access"/> picks the token.</summary>
    public JsonObject Apply(JsonObject claims, bool access)
    {
        if (Groups is not null)
        {
            claims.Remove("cognito:groups");
            if (Groups.Count > 0)
                claims["cognito:groups"] = new JsonArray([.. Groups.Select(g => (JsonNode?)g)]);
        }
        if (!access && Roles is not null)
        {
            claims.Remove("cognito:roles");
            claims.Remove("cognito:preferred_role");
            if (Roles.Count > 0)
                claims["cognito:roles"] = new JsonArray([.. Roles.Select(r => (JsonNode?)r)]);
        }
        if (!access && PreferredRole is not null)
            claims["cognito:preferred_role"] = PreferredRole;
        foreach (var name in access ? AccessSuppress : IdSuppress)
        {
            if (!Protected.Contains(name))
                claims.Remove(name);
        }
        foreach (var (name, value) in access ? AccessAdd : IdAdd)
        {
            if (!Protected.Contains(name))
                claims[name] = value?.DeepClone();
        }
        if (access && (ScopesAdd.Count > 0 || ScopesSuppress.Count > 0) && claims["scope"] is JsonValue scope)
        {
            var scopes = scope.GetValue<string>().Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => !ScopesSuppress.Contains(s)).ToList();
            foreach (var added in ScopesAdd)
            {
                if (!scopes.Contains(added))
                    scopes.Add(added);
            }
            claims["scope"] = string.Join(' ', scopes);
        }
        return claims;
    }
}

/// <summary>Runs the pool's pre token generation trigger, if it has one, for tokens about to be issued.</summary>
internal sealed class TokenGenerationTrigger(UserPoolTriggers triggers)
{
    private readonly UserPoolTriggers _triggers = triggers;

    /// <param name="triggerSource">TokenGeneration_Authentication, _NewPasswordChallenge, _RefreshTokens, _HostedAuth, …</param>
    /// <param name="scopes">The access token's scopes (version 2 and 3 events carry them).</param>
    public async Task<TokenOverrides?> RunAsync(UserPool pool, AppClient client, User user, IReadOnlyList<Group> groups, string triggerSource,
        string scopes, IReadOnlyDictionary<string, string>? clientMetadata, CancellationToken cancellationToken)
    {
        if (UserPoolTriggers.TokenGenerationOf(pool) is not var (arn, version))
            return null;
        var request = new JsonObject
        {
            ["userAttributes"] = UserPoolTriggers.Attributes(user),
            ["groupConfiguration"] = new JsonObject
            {
                ["groupsToOverride"] = new JsonArray([.. groups.Select(g => (JsonNode?)g.Name)]),
                ["iamRolesToOverride"] = new JsonArray([.. groups.Where(g => g.RoleArn is not null).Select(g => (JsonNode?)g.RoleArn)]),
                ["preferredRole"] = groups.FirstOrDefault(g => g.RoleArn is not null)?.RoleArn,
            },
        };
        if (version >= 2)
            request["scopes"] = new JsonArray([.. scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => (JsonNode?)s)]);
        if (clientMetadata is { Count: > 0 })
            request["clientMetadata"] = UserPoolTriggers.Map(clientMetadata);
        var response = await _triggers.InvokeAsync(pool, arn, "PreTokenGeneration", triggerSource, version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            user.Username, client.Id, request, cancellationToken).ConfigureAwait(false);
        var overrides = new TokenOverrides();
        try
        {
            if (version == 1)
            {
                if (response["claimsOverrideDetails"] is JsonObject details)
                {
                    ReadClaims(details, overrides.IdAdd, overrides.IdSuppress);
                    ReadGroups(details["groupOverrideDetails"] as JsonObject, overrides);
                }
            }
            else if (response["claimsAndScopeOverrideDetails"] is JsonObject details)
            {
                if (details["idTokenGeneration"] is JsonObject id)
                    ReadClaims(id, overrides.IdAdd, overrides.IdSuppress);
                if (details["accessTokenGeneration"] is JsonObject access)
                {
                    ReadClaims(access, overrides.AccessAdd, overrides.AccessSuppress);
                    overrides.ScopesAdd.AddRange(Strings(access["scopesToAdd"]));
                    foreach (var scope in Strings(access["scopesToSuppress"]))
                        overrides.ScopesSuppress.Add(scope);
                }
                ReadGroups(details["groupOverrideDetails"] as JsonObject, overrides);
            }
        }
        catch (Exception error) when (error is InvalidOperationException or FormatException)
        {
            throw new AwsException(E.InvalidLambdaResponseException, "Invalid lambda response: " + error.Message);
        }
        return overrides;
    }

    private static void ReadClaims(JsonObject details, JsonObject add, HashSet<string> suppress)
    {
        if (details["claimsToAddOrOverride"] is JsonObject claims)
        {
            foreach (var (name, value) in claims)
                add[name] = value?.DeepClone();
        }
        foreach (var name in Strings(details["claimsToSuppress"]))
            suppress.Add(name);
    }

    private static void ReadGroups(JsonObject? details, TokenOverrides overrides)
    {
        if (details is null)
            return;
        if (details.ContainsKey("groupsToOverride"))
            overrides.Groups = [.. Strings(details["groupsToOverride"])];
        if (details.ContainsKey("iamRolesToOverride"))
            overrides.Roles = [.. Strings(details["iamRolesToOverride"])];
        if (details["preferredRole"] is JsonValue preferred && preferred.GetValueKind() == JsonValueKind.String)
            overrides.PreferredRole = preferred.GetValue<string>();
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new InvalidOperationException("a list holds something other than strings")),
        _ => throw new InvalidOperationException("a list is not a list"),
    };
}
