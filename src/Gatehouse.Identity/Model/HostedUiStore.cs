using System.Data.Common;
using System.Text.Json.Nodes;
using Gatehouse.Storage;

namespace Gatehouse.Identity.Model;

/// <summary>The SQL for domains and resource servers; each method runs inside the caller's transaction.</summary>
internal static class HostedUiStore
{
    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();
    private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static Task SaveDomainAsync(DbConnection c, DbTransaction t, UserPoolDomain domain) =>
        c.ExecuteAsync(t, """
            INSERT INTO identity_domains (domain, pool_id, managed_login_version, created_at) VALUES (@domain, @pool, @version, @created)
            ON CONFLICT (domain) DO UPDATE SET managed_login_version = excluded.managed_login_version
            """,
            ("@domain", domain.Domain), ("@pool", domain.PoolId), ("@version", domain.ManagedLoginVersion), ("@created", Ms(domain.Created)));

    public static Task DeleteDomainAsync(DbConnection c, DbTransaction t, string domain) =>
        c.ExecuteAsync(t, "DELETE FROM identity_domains WHERE domain = @domain", ("@domain", domain));

    public static Task SaveResourceServerAsync(DbConnection c, DbTransaction t, ResourceServer server) =>
        c.ExecuteAsync(t, """
            INSERT INTO identity_resource_servers (pool_id, identifier, name, scopes, created_at) VALUES (@pool, @id, @name, @scopes, @created)
            ON CONFLICT (pool_id, identifier) DO UPDATE SET name = excluded.name, scopes = excluded.scopes
            """,
            ("@pool", server.PoolId), ("@id", server.Identifier), ("@name", server.Name), ("@scopes", ScopesJson(server.Scopes).ToJsonString()), ("@created", Ms(server.Created)));

    public static Task DeleteResourceServerAsync(DbConnection c, DbTransaction t, string poolId, string identifier) =>
        c.ExecuteAsync(t, "DELETE FROM identity_resource_servers WHERE pool_id = @pool AND identifier = @id", ("@pool", poolId), ("@id", identifier));

    /// <summary>Removes a pool's hosted-UI rows (with the pool, or on reset when <paramref name="poolId"/> is null).</summary>
    public static async Task DeleteForPoolAsync(DbConnection c, DbTransaction t, string? poolId)
    {
        foreach (var table in new[] { "identity_domains", "identity_resource_servers" })
        {
            if (poolId is null)
                await c.ExecuteAsync(t, $"DELETE FROM {table}").ConfigureAwait(false);
            else
                await c.ExecuteAsync(t, $"DELETE FROM {table} WHERE pool_id = @pool", ("@pool", poolId)).ConfigureAwait(false);
        }
    }

    public static async Task<(List<UserPoolDomain> Domains, List<ResourceServer> Servers)> LoadAsync(DbConnection c)
    {
        var domains = await c.QueryAsync("SELECT domain, pool_id, managed_login_version, created_at FROM identity_domains",
            r => new UserPoolDomain(r.GetString(0), r.GetString(1), (int)r.GetInt64(2), At(r.GetInt64(3)))).ConfigureAwait(false);
        var servers = await c.QueryAsync("SELECT pool_id, identifier, name, scopes, created_at FROM identity_resource_servers",
            r => new ResourceServer(r.GetString(0), r.GetString(1), r.GetString(2), ParseScopes(r.GetString(3)), At(r.GetInt64(4)))).ConfigureAwait(false);
        return (domains, servers);
    }

    public static JsonArray ScopesJson(IEnumerable<ResourceServerScope> scopes) =>
        new(scopes.Select(s => (JsonNode)new JsonObject { ["ScopeName"] = s.Name, ["ScopeDescription"] = s.Description }).ToArray());

    private static List<ResourceServerScope> ParseScopes(string json) =>
        (JsonNode.Parse(json) as JsonArray ?? []).OfType<JsonObject>()
            .Select(o => new ResourceServerScope(o["ScopeName"]!.GetValue<string>(), o["ScopeDescription"]?.GetValue<string>() ?? "")).ToList();
}
