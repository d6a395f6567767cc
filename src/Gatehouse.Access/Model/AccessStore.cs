using System.Collections.Immutable;
using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Storage;

namespace Gatehouse.Access.Model;

/// <summary>
/// Persists the IAM/STS state: one row per resource, written in one transaction per change with
/// only the resources that changed between the snapshots before and after.
/// </summary>
internal sealed class AccessStore
{
    private const string RoleKind = "role", PolicyKind = "policy", ProfileKind = "instance-profile", UserKind = "user", KeyKind = "access-key", SessionKind = "session";

    private readonly IDatabase _database;

    public AccessStore(IDatabase database) => _database = database;

    public Task<AccessSnapshot> LoadAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync(async connection =>
        {
            var rows = await connection.QueryAsync("SELECT kind, name, document FROM access_resources",
                r => (Kind: r.GetString(0), Name: r.GetString(1), Document: r.GetString(2))).ConfigureAwait(false);
            var empty = AccessSnapshot.Empty;
            return new AccessSnapshot
            {
                Roles = Fill(empty.Roles, rows, RoleKind),
                Policies = Fill(empty.Policies, rows, PolicyKind),
                InstanceProfiles = Fill(empty.InstanceProfiles, rows, ProfileKind),
                Users = Fill(empty.Users, rows, UserKind),
                AccessKeys = Fill(empty.AccessKeys, rows, KeyKind),
                Sessions = Fill(empty.Sessions, rows, SessionKind),
            };
        }, cancellationToken);

    private static ImmutableSortedDictionary<string, T> Fill<T>(ImmutableSortedDictionary<string, T> empty, List<(string Kind, string Name, string Document)> rows, string kind) =>
        empty.AddRange(rows.Where(r => r.Kind == kind).Select(r => KeyValuePair.Create(r.Name, Read<T>(r.Document))));

    public Task SaveAsync(AccessSnapshot before, AccessSnapshot after, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, transaction) =>
        {
            await SaveAsync(connection, transaction, RoleKind, before.Roles, after.Roles).ConfigureAwait(false);
            await SaveAsync(connection, transaction, PolicyKind, before.Policies, after.Policies).ConfigureAwait(false);
            await SaveAsync(connection, transaction, ProfileKind, before.InstanceProfiles, after.InstanceProfiles).ConfigureAwait(false);
            await SaveAsync(connection, transaction, UserKind, before.Users, after.Users).ConfigureAwait(false);
            await SaveAsync(connection, transaction, KeyKind, before.AccessKeys, after.AccessKeys).ConfigureAwait(false);
            await SaveAsync(connection, transaction, SessionKind, before.Sessions, after.Sessions).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    public Task DeleteAllAsync(CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction, "DELETE FROM access_resources").ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    private static async Task SaveAsync<T>(DbConnection connection, DbTransaction transaction, string kind,
        ImmutableSortedDictionary<string, T> before, ImmutableSortedDictionary<string, T> after) where T : class
    {
        // Most writes touch one kind of resource; the others are the same dictionaries.
        if (ReferenceEquals(before, after))
            return;
        foreach (var key in before.Keys)
        {
            if (!after.ContainsKey(key))
                await connection.ExecuteAsync(transaction, "DELETE FROM access_resources WHERE kind = @kind AND name = @name", ("@kind", kind), ("@name", key)).ConfigureAwait(false);
        }
        foreach (var (key, value) in after)
        {
            if (before.TryGetValue(key, out var old) && ReferenceEquals(old, value))
                continue;
            await connection.ExecuteAsync(transaction,
                "INSERT INTO access_resources (kind, name, document) VALUES (@kind, @name, @doc) ON CONFLICT (kind, name) DO UPDATE SET document = excluded.document",
                ("@kind", kind), ("@name", key), ("@doc", Write(value))).ConfigureAwait(false);
        }
    }

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static string Write<T>(T value) => JsonSerializer.Serialize(value, Json);

    private static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException("Empty IAM document.");
}
