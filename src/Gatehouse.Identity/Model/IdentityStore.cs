using Gatehouse.Core.Security;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.Tokens;
using Gatehouse.Storage;

namespace Gatehouse.Identity.Model;

/// <summary>Everything the service persisted, as loaded at start.</summary>
internal sealed record IdentitySnapshot(
    List<UserPool> Pools,
    List<AppClient> Clients,
    List<User> Users,
    List<Group> Groups,
    List<(string PoolId, string Group, string Username)> Memberships,
    Dictionary<string, PoolKeys> Keys,
    List<(string PoolId, string OriginJti, DateTimeOffset Expires)> Revocations);

/// <summary>
/// The SQL for the identity tables. Each method runs inside the caller's transaction, so an
/// operation that touches several rows lands whole or not at all. Secrets (private keys, the
/// refresh-token key) are sealed with <see cref="SecretBox"/> before they reach the store.
/// </summary>
internal sealed class IdentityStore
{
    private readonly SecretBox _box;

    public IdentityStore(SecretBox box) => _box = box;

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();
    private static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();
    private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static async Task SavePoolAsync(DbConnection c, DbTransaction t, UserPool pool) =>
        await c.ExecuteAsync(t, """
            INSERT INTO identity_pools (id, account, region, name, settings, created_at, modified_at)
            VALUES (@id, @account, @region, @name, @settings, @created, @modified)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, settings = excluded.settings, modified_at = excluded.modified_at
            """,
            ("@id", pool.Id), ("@account", pool.Account), ("@region", pool.Region), ("@name", pool.Name),
            ("@settings", pool.Settings.ToJsonString()), ("@created", Ms(pool.Created)), ("@modified", Ms(pool.Modified))).ConfigureAwait(false);

    public static async Task DeletePoolAsync(DbConnection c, DbTransaction t, string poolId)
    {
        // Children first, explicitly: correctness must not depend on foreign-key enforcement.
        foreach (var table in new[] { "identity_memberships", "identity_user_attributes", "identity_users", "identity_groups", "identity_clients", "identity_keys", "identity_revocations" })
            await c.ExecuteAsync(t, $"DELETE FROM {table} WHERE pool_id = @pool", ("@pool", poolId)).ConfigureAwait(false);
        await c.ExecuteAsync(t, "DELETE FROM identity_pools WHERE id = @pool", ("@pool", poolId)).ConfigureAwait(false);
    }

    public static async Task SaveClientAsync(DbConnection c, DbTransaction t, AppClient client) =>
        await c.ExecuteAsync(t, """
            INSERT INTO identity_clients (id, pool_id, name, secret, settings, created_at, modified_at)
            VALUES (@id, @pool, @name, @secret, @settings, @created, @modified)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, secret = excluded.secret, settings = excluded.settings, modified_at = excluded.modified_at
            """,
            ("@id", client.Id), ("@pool", client.PoolId), ("@name", client.Name), ("@secret", client.Secret),
            ("@settings", client.Settings.ToJsonString()), ("@created", Ms(client.Created)), ("@modified", Ms(client.Modified))).ConfigureAwait(false);

    public static Task DeleteClientAsync(DbConnection c, DbTransaction t, string clientId) =>
        c.ExecuteAsync(t, "DELETE FROM identity_clients WHERE id = @id", ("@id", clientId));

    public static async Task SaveUserAsync(DbConnection c, DbTransaction t, User user)
    {
        await c.ExecuteAsync(t, """
            INSERT INTO identity_users (pool_id, username, sub, status, enabled, password_hash, srp_salt, srp_verifier, credential_stamp,
                temporary_expires_at, tokens_valid_after, code_purpose, code_hash, code_expires_at, code_attempts, created_at, modified_at)
            VALUES (@pool, @username, @sub, @status, @enabled, @hash, @salt, @verifier, @stamp, @tempExpires, @validAfter,
                @codePurpose, @codeHash, @codeExpires, @codeAttempts, @created, @modified)
            ON CONFLICT (pool_id, username) DO UPDATE SET status = excluded.status, enabled = excluded.enabled,
                password_hash = excluded.password_hash, srp_salt = excluded.srp_salt, srp_verifier = excluded.srp_verifier,
                credential_stamp = excluded.credential_stamp, temporary_expires_at = excluded.temporary_expires_at,
                tokens_valid_after = excluded.tokens_valid_after, code_purpose = excluded.code_purpose, code_hash = excluded.code_hash,
                code_expires_at = excluded.code_expires_at, code_attempts = excluded.code_attempts, modified_at = excluded.modified_at
            """,
            ("@pool", user.PoolId), ("@username", user.Username), ("@sub", user.Sub), ("@status", user.Status), ("@enabled", user.Enabled ? 1 : 0),
            ("@hash", user.PasswordHash), ("@salt", user.SrpSalt), ("@verifier", user.SrpVerifier), ("@stamp", user.CredentialStamp),
            ("@tempExpires", Ms(user.TemporaryPasswordExpiresAt)), ("@validAfter", Ms(user.TokensValidAfter)),
            ("@codePurpose", user.Code?.Purpose), ("@codeHash", user.Code?.Hash), ("@codeExpires", Ms(user.Code?.ExpiresAt)), ("@codeAttempts", user.Code?.Attempts ?? 0),
            ("@created", Ms(user.Created)), ("@modified", Ms(user.Modified))).ConfigureAwait(false);
        await c.ExecuteAsync(t, "DELETE FROM identity_user_attributes WHERE pool_id = @pool AND username = @username",
            ("@pool", user.PoolId), ("@username", user.Username)).ConfigureAwait(false);
        var ordinal = 0;
        foreach (var (name, value) in user.Attributes)
        {
            await c.ExecuteAsync(t, "INSERT INTO identity_user_attributes (pool_id, username, name, value, ordinal) VALUES (@pool, @username, @name, @value, @ordinal)",
                ("@pool", user.PoolId), ("@username", user.Username), ("@name", name), ("@value", value), ("@ordinal", ordinal++)).ConfigureAwait(false);
        }
    }

    public static async Task DeleteUserAsync(DbConnection c, DbTransaction t, string poolId, string username)
    {
        foreach (var table in new[] { "identity_memberships", "identity_user_attributes", "identity_users" })
            await c.ExecuteAsync(t, $"DELETE FROM {table} WHERE pool_id = @pool AND username = @username", ("@pool", poolId), ("@username", username)).ConfigureAwait(false);
    }

    public static Task SaveGroupAsync(DbConnection c, DbTransaction t, Group group) =>
        c.ExecuteAsync(t, """
            INSERT INTO identity_groups (pool_id, name, description, role_arn, precedence, created_at, modified_at)
            VALUES (@pool, @name, @description, @role, @precedence, @created, @modified)
            ON CONFLICT (pool_id, name) DO UPDATE SET description = excluded.description, role_arn = excluded.role_arn,
                precedence = excluded.precedence, modified_at = excluded.modified_at
            """,
            ("@pool", group.PoolId), ("@name", group.Name), ("@description", group.Description), ("@role", group.RoleArn),
            ("@precedence", group.Precedence), ("@created", Ms(group.Created)), ("@modified", Ms(group.Modified)));

    public static async Task DeleteGroupAsync(DbConnection c, DbTransaction t, string poolId, string name)
    {
        await c.ExecuteAsync(t, "DELETE FROM identity_memberships WHERE pool_id = @pool AND group_name = @name", ("@pool", poolId), ("@name", name)).ConfigureAwait(false);
        await c.ExecuteAsync(t, "DELETE FROM identity_groups WHERE pool_id = @pool AND name = @name", ("@pool", poolId), ("@name", name)).ConfigureAwait(false);
    }

    public static Task AddMembershipAsync(DbConnection c, DbTransaction t, string poolId, string group, string username) =>
        c.ExecuteAsync(t, "INSERT INTO identity_memberships (pool_id, group_name, username) VALUES (@pool, @group, @username) ON CONFLICT DO NOTHING",
            ("@pool", poolId), ("@group", group), ("@username", username));

    public static Task RemoveMembershipAsync(DbConnection c, DbTransaction t, string poolId, string group, string username) =>
        c.ExecuteAsync(t, "DELETE FROM identity_memberships WHERE pool_id = @pool AND group_name = @group AND username = @username",
            ("@pool", poolId), ("@group", group), ("@username", username));

    public async Task SaveKeysAsync(DbConnection c, DbTransaction t, string poolId, PoolKeys keys)
    {
        foreach (var key in keys.SigningKeys)
        {
            var pkcs8 = key.Rsa.ExportPkcs8PrivateKey();
            try
            {
                await c.ExecuteAsync(t, "INSERT INTO identity_keys (pool_id, kid, purpose, material, created_at) VALUES (@pool, @kid, @purpose, @material, @created) ON CONFLICT DO NOTHING",
                    ("@pool", poolId), ("@kid", key.Kid), ("@purpose", key.Purpose), ("@material", _box.Seal(pkcs8)), ("@created", Ms(key.Created))).ConfigureAwait(false);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
        await c.ExecuteAsync(t, "INSERT INTO identity_keys (pool_id, kid, purpose, material, created_at) VALUES (@pool, @kid, 'refresh', @material, @created) ON CONFLICT DO NOTHING",
            ("@pool", poolId), ("@kid", "refresh"), ("@material", _box.Seal(keys.RefreshKey)), ("@created", Ms(keys.IdKey.Created))).ConfigureAwait(false);
    }

    public static Task SaveRevocationAsync(DbConnection c, DbTransaction t, string poolId, string originJti, DateTimeOffset expires) =>
        c.ExecuteAsync(t, "INSERT INTO identity_revocations (pool_id, origin_jti, expires_at) VALUES (@pool, @jti, @expires) ON CONFLICT DO NOTHING",
            ("@pool", poolId), ("@jti", originJti), ("@expires", Ms(expires)));

    public static async Task DeleteEverythingAsync(DbConnection c, DbTransaction t)
    {
        foreach (var table in new[] { "identity_memberships", "identity_user_attributes", "identity_users", "identity_groups", "identity_clients", "identity_keys", "identity_revocations", "identity_pools" })
            await c.ExecuteAsync(t, $"DELETE FROM {table}").ConfigureAwait(false);
    }

    public async Task<IdentitySnapshot> LoadAsync(DbConnection c)
    {
        var pools = await c.QueryAsync("SELECT id, account, region, name, settings, created_at, modified_at FROM identity_pools",
            r => new UserPool(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), (JsonObject)JsonNode.Parse(r.GetString(4))!, At(r.GetInt64(5)), At(r.GetInt64(6)))).ConfigureAwait(false);
        var clients = await c.QueryAsync("SELECT id, pool_id, name, secret, settings, created_at, modified_at FROM identity_clients",
            r => new AppClient(r.GetString(0), r.GetString(1), r.GetString(2), r.GetStringOrNull(3), (JsonObject)JsonNode.Parse(r.GetString(4))!, At(r.GetInt64(5)), At(r.GetInt64(6)))).ConfigureAwait(false);
        var attributes = (await c.QueryAsync("SELECT pool_id, username, name, value FROM identity_user_attributes ORDER BY pool_id, username, ordinal",
            r => (Pool: r.GetString(0), User: r.GetString(1), Name: r.GetString(2), Value: r.GetString(3))).ConfigureAwait(false))
            .ToLookup(a => (a.Pool, a.User), a => new KeyValuePair<string, string>(a.Name, a.Value));
        var users = await c.QueryAsync("""
            SELECT pool_id, username, sub, status, enabled, password_hash, srp_salt, srp_verifier, credential_stamp, temporary_expires_at,
                tokens_valid_after, code_purpose, code_hash, code_expires_at, code_attempts, created_at, modified_at FROM identity_users
            """,
            r => new User
            {
                PoolId = r.GetString(0),
                Username = r.GetString(1),
                Sub = r.GetString(2),
                Status = r.GetString(3),
                Enabled = r.GetInt64(4) != 0,
                PasswordHash = r.GetStringOrNull(5),
                SrpSalt = r.GetBytesOrNull(6),
                SrpVerifier = r.GetBytesOrNull(7),
                CredentialStamp = r.GetString(8),
                TemporaryPasswordExpiresAt = r.GetInt64OrNull(9) is { } te ? At(te) : null,
                TokensValidAfter = r.GetInt64OrNull(10) is { } va ? At(va) : null,
                Code = r.GetStringOrNull(11) is { } purpose ? new PendingCode(purpose, r.GetString(12), At(r.GetInt64(13)), (int)r.GetInt64(14)) : null,
                Attributes = [],
                Created = At(r.GetInt64(15)),
                Modified = At(r.GetInt64(16)),
            }).ConfigureAwait(false);
        users = users.Select(u => u with { Attributes = attributes[(u.PoolId, u.Username)].ToList() }).ToList();
        var groups = await c.QueryAsync("SELECT pool_id, name, description, role_arn, precedence, created_at, modified_at FROM identity_groups",
            r => new Group(r.GetString(0), r.GetString(1), r.GetStringOrNull(2), r.GetStringOrNull(3), r.GetInt64OrNull(4) is { } p ? (int)p : null, At(r.GetInt64(5)), At(r.GetInt64(6)))).ConfigureAwait(false);
        var memberships = await c.QueryAsync("SELECT pool_id, group_name, username FROM identity_memberships",
            r => (r.GetString(0), r.GetString(1), r.GetString(2))).ConfigureAwait(false);
        var keyRows = await c.QueryAsync("SELECT pool_id, kid, purpose, material, created_at FROM identity_keys",
            r => (Pool: r.GetString(0), Kid: r.GetString(1), Purpose: r.GetString(2), Material: (byte[])r.GetValue(3), Created: At(r.GetInt64(4)))).ConfigureAwait(false);
        var keys = new Dictionary<string, PoolKeys>(StringComparer.Ordinal);
        foreach (var poolKeys in keyRows.GroupBy(k => k.Pool))
        {
            var signing = new List<SigningKey>();
            byte[]? refresh = null;
            foreach (var row in poolKeys)
            {
                var material = _box.Open(row.Material);
                if (row.Purpose == "refresh")
                {
                    refresh = material;
                    continue;
                }
                var rsa = RSA.Create();
                rsa.ImportPkcs8PrivateKey(material, out _);
                CryptographicOperations.ZeroMemory(material);
                signing.Add(new SigningKey(row.Kid, row.Purpose, rsa, row.Created));
            }
            if (refresh is not null)
                keys[poolKeys.Key] = new PoolKeys(signing, refresh);
        }
        var revocations = await c.QueryAsync("SELECT pool_id, origin_jti, expires_at FROM identity_revocations",
            r => (r.GetString(0), r.GetString(1), At(r.GetInt64(2)))).ConfigureAwait(false);
        return new IdentitySnapshot(pools, clients, users, groups, memberships, keys, revocations);
    }
}
