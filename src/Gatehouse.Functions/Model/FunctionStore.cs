using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Storage;

namespace Gatehouse.Functions.Model;

/// <summary>A function's rows as stored (loaded once at start).</summary>
internal sealed record StoredFunction(
    string Account, string Region, string Name, int? ReservedConcurrency, int LastVersion,
    Dictionary<string, string> Tags, List<JsonObject> Policy, string PolicyRevision,
    List<FunctionVersionConfig> Versions, List<FunctionAlias> Aliases);

/// <summary>The functions tables: explicit rows, the version configuration as one JSON column.</summary>
internal static class FunctionStore
{
    public static async Task<List<StoredFunction>> LoadAsync(IDatabase database, CancellationToken cancellationToken)
    {
        return await database.ReadAsync(async connection =>
        {
            var versions = (await connection.QueryAsync("SELECT config FROM functions_versions", r => ReadConfig(r.GetString(0))).ConfigureAwait(false))
                .ToLookup(c => (c.Account, c.Region, c.Name));
            var aliases = (await connection.QueryAsync("SELECT account, region, name, alias, function_version, description, revision_id FROM functions_aliases",
                r => (Key: (r.GetString(0), r.GetString(1), r.GetString(2)), Alias: new FunctionAlias(r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6)))).ConfigureAwait(false))
                .ToLookup(a => a.Key, a => a.Alias);
            return await connection.QueryAsync(
                "SELECT account, region, name, reserved_concurrency, last_version, tags, policy, policy_revision FROM functions_functions",
                r =>
                {
                    var key = (r.GetString(0), r.GetString(1), r.GetString(2));
                    return new StoredFunction(key.Item1, key.Item2, key.Item3, r.IsDBNull(3) ? null : r.GetInt32(3), r.GetInt32(4),
                        JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(5)) ?? [],
                        (JsonNode.Parse(r.GetString(6)) as JsonArray ?? []).OfType<JsonObject>().Select(o => (JsonObject)o.DeepClone()).ToList(),
                        r.GetString(7), [.. versions[key]], [.. aliases[key]]);
                }).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public static Task InsertFunctionAsync(DbConnection connection, DbTransaction transaction, FunctionVersionConfig latest, IReadOnlyDictionary<string, string> tags, string policyRevision) =>
        connection.ExecuteAsync(transaction,
            "INSERT INTO functions_functions (account, region, name, tags, policy, policy_revision) VALUES (@a, @r, @n, @t, '[]', @p)",
            ("@a", latest.Account), ("@r", latest.Region), ("@n", latest.Name), ("@t", JsonSerializer.Serialize(tags)), ("@p", policyRevision));

    public static Task UpsertVersionAsync(DbConnection connection, DbTransaction transaction, FunctionVersionConfig config) =>
        connection.ExecuteAsync(transaction,
            "INSERT INTO functions_versions (account, region, name, version, config) VALUES (@a, @r, @n, @v, @c) ON CONFLICT (account, region, name, version) DO UPDATE SET config = excluded.config",
            ("@a", config.Account), ("@r", config.Region), ("@n", config.Name), ("@v", config.Version), ("@c", WriteConfig(config)));

    public static Task DeleteVersionAsync(DbConnection connection, DbTransaction transaction, FunctionVersionConfig config) =>
        connection.ExecuteAsync(transaction, "DELETE FROM functions_versions WHERE account = @a AND region = @r AND name = @n AND version = @v",
            ("@a", config.Account), ("@r", config.Region), ("@n", config.Name), ("@v", config.Version));

    public static Task DeleteFunctionAsync(DbConnection connection, DbTransaction transaction, string account, string region, string name) =>
        connection.ExecuteAsync(transaction, "DELETE FROM functions_functions WHERE account = @a AND region = @r AND name = @n",
            ("@a", account), ("@r", region), ("@n", name));

    public static Task UpdateFunctionAsync(DbConnection connection, DbTransaction transaction, FunctionEntry entry, int? reserved, int lastVersion,
        IReadOnlyDictionary<string, string> tags, IEnumerable<JsonObject> policy, string policyRevision) =>
        connection.ExecuteAsync(transaction,
            "UPDATE functions_functions SET reserved_concurrency = @c, last_version = @v, tags = @t, policy = @p, policy_revision = @pr WHERE account = @a AND region = @r AND name = @n",
            ("@a", entry.Account), ("@r", entry.Region), ("@n", entry.Name), ("@c", reserved), ("@v", lastVersion),
            ("@t", JsonSerializer.Serialize(tags)), ("@p", new JsonArray([.. policy.Select(p => (JsonNode)p.DeepClone())]).ToJsonString()), ("@pr", policyRevision));

    public static Task UpsertAliasAsync(DbConnection connection, DbTransaction transaction, FunctionEntry entry, FunctionAlias alias) =>
        connection.ExecuteAsync(transaction,
            "INSERT INTO functions_aliases (account, region, name, alias, function_version, description, revision_id) VALUES (@a, @r, @n, @al, @v, @d, @rev) "
            + "ON CONFLICT (account, region, name, alias) DO UPDATE SET function_version = excluded.function_version, description = excluded.description, revision_id = excluded.revision_id",
            ("@a", entry.Account), ("@r", entry.Region), ("@n", entry.Name), ("@al", alias.Name), ("@v", alias.FunctionVersion), ("@d", alias.Description), ("@rev", alias.RevisionId));

    public static Task DeleteAliasAsync(DbConnection connection, DbTransaction transaction, FunctionEntry entry, string alias) =>
        connection.ExecuteAsync(transaction, "DELETE FROM functions_aliases WHERE account = @a AND region = @r AND name = @n AND alias = @al",
            ("@a", entry.Account), ("@r", entry.Region), ("@n", entry.Name), ("@al", alias));

    public static string WriteConfig(FunctionVersionConfig c)
    {
        var environment = new JsonObject();
        foreach (var (key, value) in c.Environment)
            environment[key] = value;
        return new JsonObject
        {
            ["account"] = c.Account,
            ["region"] = c.Region,
            ["name"] = c.Name,
            ["version"] = c.Version,
            ["runtime"] = c.Runtime,
            ["handler"] = c.Handler,
            ["role"] = c.Role,
            ["description"] = c.Description,
            ["timeout"] = c.Timeout,
            ["memorySize"] = c.MemorySize,
            ["environment"] = environment,
            ["architectures"] = new JsonArray([.. c.Architectures.Select(a => (JsonNode)a)]),
            ["ephemeralStorage"] = c.EphemeralStorage,
            ["codeHash"] = c.CodeHash,
            ["codeSize"] = c.CodeSize,
            ["lastModified"] = c.LastModified.ToUnixTimeMilliseconds(),
            ["revisionId"] = c.RevisionId,
        }.ToJsonString();
    }

    public static FunctionVersionConfig ReadConfig(string json)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        return new FunctionVersionConfig
        {
            Account = (string)o["account"]!,
            Region = (string)o["region"]!,
            Name = (string)o["name"]!,
            Version = (string)o["version"]!,
            Runtime = (string)o["runtime"]!,
            Handler = (string)o["handler"]!,
            Role = (string)o["role"]!,
            Description = (string?)o["description"] ?? "",
            Timeout = (int)o["timeout"]!,
            MemorySize = (int)o["memorySize"]!,
            Environment = (o["environment"] as JsonObject ?? []).ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal),
            Architectures = (o["architectures"] as JsonArray ?? []).Select(a => (string)a!).ToList(),
            EphemeralStorage = (int?)o["ephemeralStorage"] ?? 512,
            CodeHash = (string)o["codeHash"]!,
            CodeSize = (long)o["codeSize"]!,
            LastModified = DateTimeOffset.FromUnixTimeMilliseconds((long)o["lastModified"]!),
            RevisionId = (string)o["revisionId"]!,
        };
    }

    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
