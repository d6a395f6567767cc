using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.Tokens;
using Gatehouse.Protocol;
using Op = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Operations;

namespace Gatehouse.Identity.Operations;

internal sealed class PoolOperations(IdentityState identity) : IAwsOperations
{
    private readonly IdentityState _state = identity;

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Op.CreateUserPool, CreateUserPoolAsync)
        .Map(Op.DescribeUserPool, DescribeUserPoolAsync)
        .Map(Op.ListUserPools, ListUserPoolsAsync)
        .Map(Op.UpdateUserPool, UpdateUserPoolAsync)
        .Map(Op.DeleteUserPool, DeleteUserPoolAsync)
        .Map(Op.GetSigningCertificate, GetSigningCertificateAsync);

    /// <summary>The standard attributes every pool has (name, type, mutable).</summary>
    private static readonly (string Name, string Type, bool Mutable)[] StandardAttributes =
    [
        ("sub", "String", false), ("name", "String", true), ("given_name", "String", true), ("family_name", "String", true),
        ("middle_name", "String", true), ("nickname", "String", true), ("preferred_username", "String", true), ("profile", "String", true),
        ("picture", "String", true), ("website", "String", true), ("email", "String", true), ("email_verified", "Boolean", true),
        ("gender", "String", true), ("birthdate", "String", true), ("zoneinfo", "String", true), ("locale", "String", true),
        ("phone_number", "String", true), ("phone_number_verified", "Boolean", true), ("address", "String", true), ("updated_at", "Number", true),
    ];

    internal static bool IsStandardAttribute(string name) => StandardAttributes.Any(a => a.Name == name);

    private async ValueTask<AwsResponse> CreateUserPoolAsync(AwsRequest request, CancellationToken ct)
    {
        var input = request.Input;
        var now = _state.Now;
        if (input.Arr("UsernameAttributes") is { Count: > 0 } && input.Arr("AliasAttributes") is { Count: > 0 })
            throw IdentityErrors.UsernameAndAliasAttributes();
        var settings = BuildPoolSettings(input, previous: null);
        settings["SchemaAttributes"] = BuildSchema(input.Arr("Schema"));
        foreach (var name in new[] { "UsernameAttributes", "AliasAttributes", "UsernameConfiguration" })
        {
            if (input[name] is { } value)
                settings[name] = value.DeepClone();
        }
        string id;
        do
            id = AwsIds.NewUserPoolId(request.Context.Region);
        while (_state.PoolsById.ContainsKey(id));
        var pool = new UserPool(id, request.Context.Account, request.Context.Region, input.Req("PoolName"), settings, now, now);
        var keys = PoolKeys.Generate(now);
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            await _state.WriteAsync(async (c, t) =>
            {
                await IdentityStore.SavePoolAsync(c, t, pool).ConfigureAwait(false);
                await _state.Store.SaveKeysAsync(c, t, pool.Id, keys).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
            _state.PoolsById[id] = new PoolState(pool, keys);
        }
        Log.PoolCreated(_state.Logger, id);
        return new JsonObject { ["UserPool"] = PoolJson(_state.PoolsById[id]) };
    }

    /// <summary>
    /// The settings of CreateUserPool/UpdateUserPool with Cognito's defaults. Like Cognito, an update
    /// replaces the settings: anything not given returns to its default.
    /// </summary>
    private static JsonObject BuildPoolSettings(JsonObject input, JsonObject? previous)
    {
        var settings = new JsonObject();
        string[] copied =
        [
            "LambdaConfig", "AutoVerifiedAttributes", "SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject",
            "VerificationMessageTemplate", "SmsAuthenticationMessage", "UserAttributeUpdateSettings", "DeviceConfiguration",
            "EmailConfiguration", "SmsConfiguration", "UserPoolTags", "UserPoolAddOns", "AccountRecoverySetting",
        ];
        foreach (var name in copied)
        {
            if (input[name] is { } value)
                settings[name] = value.DeepClone();
        }
        var policies = input.Obj("Policies")?.DeepClone() as JsonObject ?? new JsonObject();
        // No policy at all means Cognito's defaults; a given policy means exactly what it says.
        var given = policies["PasswordPolicy"] as JsonObject;
        policies["PasswordPolicy"] = (given is null ? PasswordPolicy.Default : PasswordPolicy.From(given)).ToJson();
        policies["SignInPolicy"] ??= new JsonObject { ["AllowedFirstAuthFactors"] = new JsonArray("PASSWORD") };
        settings["Policies"] = policies;
        settings["DeletionProtection"] = input.Str("DeletionProtection") ?? "INACTIVE";
        settings["MfaConfiguration"] = input.Str("MfaConfiguration") ?? "OFF";
        settings["LambdaConfig"] ??= new JsonObject();
        settings["VerificationMessageTemplate"] ??= new JsonObject { ["DefaultEmailOption"] = "CONFIRM_WITH_CODE" };
        settings["EmailConfiguration"] ??= new JsonObject { ["EmailSendingAccount"] = "COGNITO_DEFAULT" };
        settings["UserPoolTags"] ??= new JsonObject();
        settings["UserPoolTier"] = input.Str("UserPoolTier") ?? previous?["UserPoolTier"]?.GetValue<string>() ?? "ESSENTIALS";
        var adminCreate = input.Obj("AdminCreateUserConfig")?.DeepClone() as JsonObject ?? new JsonObject();
        adminCreate["AllowAdminCreateUserOnly"] ??= false;
        adminCreate["UnusedAccountValidityDays"] ??= 7;
        settings["AdminCreateUserConfig"] = adminCreate;
        return settings;
    }

    private static JsonArray BuildSchema(JsonArray? requested)
    {
        var custom = new List<JsonObject>();
        var overrides = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var item in requested?.OfType<JsonObject>() ?? [])
        {
            var name = item["Name"]!.GetValue<string>();
            if (IsStandardAttribute(name))
            {
                overrides[name] = item;
                continue;
            }
            if (name.StartsWith("custom:", StringComparison.Ordinal))
                name = name["custom:".Length..];
            if (custom.Any(c => c["Name"]!.GetValue<string>() == "custom:" + name))
                throw IdentityErrors.CustomAttributeExists(name);
            if (item["Required"]?.GetValue<bool>() == true)
                throw IdentityErrors.RequiredCustomAttribute();
            var type = item["AttributeDataType"]?.GetValue<string>() ?? "String";
            var entry = new JsonObject
            {
                ["Name"] = "custom:" + name,
                ["AttributeDataType"] = type,
                ["DeveloperOnlyAttribute"] = item["DeveloperOnlyAttribute"]?.GetValue<bool>() ?? false,
                ["Mutable"] = item["Mutable"]?.GetValue<bool>() ?? true,
                ["Required"] = false,
            };
            if (type == "String")
                entry["StringAttributeConstraints"] = item["StringAttributeConstraints"]?.DeepClone() ?? new JsonObject();
            if (type == "Number")
                entry["NumberAttributeConstraints"] = item["NumberAttributeConstraints"]?.DeepClone() ?? new JsonObject();
            custom.Add(entry);
        }
        var schema = new JsonArray();
        foreach (var (name, type, mutable) in StandardAttributes)
        {
            overrides.TryGetValue(name, out var given);
            var entry = new JsonObject
            {
                ["Name"] = name,
                ["AttributeDataType"] = type,
                ["DeveloperOnlyAttribute"] = false,
                ["Mutable"] = name != "sub" && (given?["Mutable"]?.GetValue<bool>() ?? mutable),
                ["Required"] = name == "sub" || (given?["Required"]?.GetValue<bool>() ?? false),
            };
            if (type == "String")
                entry["StringAttributeConstraints"] = new JsonObject { ["MinLength"] = name == "sub" ? "1" : "0", ["MaxLength"] = "2048" };
            if (type == "Number")
                entry["NumberAttributeConstraints"] = new JsonObject { ["MinValue"] = "0" };
            schema.Add(entry);
        }
        foreach (var entry in custom)
            schema.Add(entry);
        return schema;
    }

    private JsonObject PoolJson(PoolState state)
    {
        var pool = state.Pool;
        var json = (JsonObject)pool.Settings.DeepClone();
        json["Id"] = pool.Id;
        json["Name"] = pool.Name;
        json["Arn"] = AwsIds.UserPoolArn(pool.Region, pool.Account, pool.Id);
        json["Status"] = "Enabled";
        json["CreationDate"] = pool.Created;
        json["LastModifiedDate"] = pool.Modified;
        json["EstimatedNumberOfUsers"] = state.Users.Count;
        if (state.Domain is { } domain)
            json["Domain"] = domain.Domain;
        return json;
    }

    private ValueTask<AwsResponse> DescribeUserPoolAsync(AwsRequest request, CancellationToken ct) =>
        ValueTask.FromResult<AwsResponse>(new JsonObject { ["UserPool"] = PoolJson(_state.Pool(request)) });

    private ValueTask<AwsResponse> ListUserPoolsAsync(AwsRequest request, CancellationToken ct)
    {
        var max = request.Input.Int("MaxResults") ?? 60;
        var pools = _state.PoolsById.Values.Where(p => p.Pool.Account == request.Context.Account && p.Pool.Region == request.Context.Region)
            .OrderBy(p => p.Pool.Id, StringComparer.Ordinal);
        var (page, next) = Paging.Paginate(pools, p => p.Pool.Id, request.Input.Str("NextToken"), max);
        var output = new JsonObject
        {
            ["UserPools"] = new JsonArray(page.Select(p => (JsonNode)new JsonObject
            {
                ["Id"] = p.Pool.Id,
                ["Name"] = p.Pool.Name,
                ["LambdaConfig"] = p.Pool.Settings["LambdaConfig"]?.DeepClone() ?? new JsonObject(),
                ["Status"] = "Enabled",
                ["CreationDate"] = p.Pool.Created,
                ["LastModifiedDate"] = p.Pool.Modified,
            }).ToArray()),
        };
        if (next is not null)
            output["NextToken"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private async ValueTask<AwsResponse> UpdateUserPoolAsync(AwsRequest request, CancellationToken ct)
    {
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            var old = state.Pool;
            var settings = BuildPoolSettings(request.Input, old.Settings);
            // Sign-in identifiers and the schema are fixed at creation (as in Cognito).
            foreach (var name in new[] { "SchemaAttributes", "UsernameAttributes", "AliasAttributes", "UsernameConfiguration" })
            {
                if (old.Settings[name] is { } value)
                    settings[name] = value.DeepClone();
            }
            var pool = new UserPool(old.Id, old.Account, old.Region, request.Input.Str("PoolName") ?? old.Name, settings, old.Created, _state.Now);
            await _state.WriteAsync((c, t) => IdentityStore.SavePoolAsync(c, t, pool), ct).ConfigureAwait(false);
            state.Pool = pool;
        }
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> DeleteUserPoolAsync(AwsRequest request, CancellationToken ct)
    {
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            if (state.Pool.DeletionProtection)
                throw IdentityErrors.DeletionProtected();
            await _state.WriteAsync(async (c, t) =>
            {
                await HostedUiStore.DeleteForPoolAsync(c, t, state.Pool.Id).ConfigureAwait(false);
                await IdentityStore.DeletePoolAsync(c, t, state.Pool.Id).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
            _state.PoolsById.TryRemove(state.Pool.Id, out _);
            if (state.Domain is { } domain)
                _state.Domains.TryRemove(domain.Domain, out _);
            foreach (var clientId in state.Clients.Keys)
                _state.PoolsByClient.TryRemove(clientId, out _);
        }
        Log.PoolDeleted(_state.Logger, request.Input.Req("UserPoolId"));
        return AwsResponse.Empty;
    }

    private ValueTask<AwsResponse> GetSigningCertificateAsync(AwsRequest request, CancellationToken ct) =>
        ValueTask.FromResult<AwsResponse>(new JsonObject { ["Certificate"] = _state.Pool(request).Keys.Certificate });
}
