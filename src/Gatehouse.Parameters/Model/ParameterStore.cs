using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Storage;

namespace Gatehouse.Parameters.Model;

/// <summary>
/// Persists parameters. A write takes a parameter before and after a change and stores the
/// difference (the new version, dropped versions, tags) in one transaction.
/// </summary>
internal sealed class ParameterStore
{
    private readonly IDatabase _database;

    public ParameterStore(IDatabase database) => _database = database;

    public Task<List<Parameter>> LoadAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync(async connection =>
        {
            var parameters = await connection.QueryAsync("SELECT account, region, name, tags FROM parameters_parameters",
                r => (Key: new ParameterKey(r.GetString(0), r.GetString(1), r.GetString(2)), Tags: Read<Dictionary<string, string>>(r.GetString(3)))).ConfigureAwait(false);
            var versions = (await connection.QueryAsync("SELECT account, region, name, document FROM parameters_versions",
                r => (Key: new ParameterKey(r.GetString(0), r.GetString(1), r.GetString(2)), Version: Read<ParameterVersion>(r.GetString(3)))).ConfigureAwait(false))
                .ToLookup(v => v.Key, v => v.Version);
            return parameters
                .Where(p => versions[p.Key].Any())
                .Select(p => new Parameter
                {
                    Key = p.Key,
                    Versions = versions[p.Key].ToImmutableSortedDictionary(v => v.Version, v => v),
                    Tags = p.Tags.ToImmutableSortedDictionary(StringComparer.Ordinal),
                }).ToList();
        }, cancellationToken);

    /// <summary>Stores the change from <paramref name="before"/> to <paramref name="after"/> (either may be null: create, delete).</summary>
    public Task SaveAsync(ParameterKey key, Parameter? before, Parameter? after, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, transaction) =>
        {
            (string, object?)[] id = [("@a", key.Account), ("@r", key.Region), ("@n", key.Name)];
            if (after is null)
            {
                await connection.ExecuteAsync(transaction, "DELETE FROM parameters_versions WHERE account = @a AND region = @r AND name = @n", id).ConfigureAwait(false);
                await connection.ExecuteAsync(transaction, "DELETE FROM parameters_parameters WHERE account = @a AND region = @r AND name = @n", id).ConfigureAwait(false);
                return 0;
            }
            if (before is null || !ReferenceEquals(before.Tags, after.Tags))
            {
                await connection.ExecuteAsync(transaction,
                    "INSERT INTO parameters_parameters (account, region, name, tags) VALUES (@a, @r, @n, @t) ON CONFLICT (account, region, name) DO UPDATE SET tags = excluded.tags",
                    [.. id, ("@t", Write(after.Tags))]).ConfigureAwait(false);
            }
            if (before is not null)
            {
                foreach (var version in before.Versions.Keys.Where(v => !after.Versions.ContainsKey(v)))
                    await connection.ExecuteAsync(transaction, "DELETE FROM parameters_versions WHERE account = @a AND region = @r AND name = @n AND version = @v", [.. id, ("@v", version)]).ConfigureAwait(false);
            }
            foreach (var (number, version) in after.Versions)
            {
                if (before is not null && before.Versions.TryGetValue(number, out var old) && ReferenceEquals(old, version))
                    continue;
                await connection.ExecuteAsync(transaction,
                    "INSERT INTO parameters_versions (account, region, name, version, document) VALUES (@a, @r, @n, @v, @d) ON CONFLICT (account, region, name, version) DO UPDATE SET document = excluded.document",
                    [.. id, ("@v", number), ("@d", Write(version))]).ConfigureAwait(false);
            }
            return 0;
        }, cancellationToken);

    public Task DeleteAllAsync(CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction, "DELETE FROM parameters_versions").ConfigureAwait(false);
            await connection.ExecuteAsync(transaction, "DELETE FROM parameters_parameters").ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static string Write<T>(T value) => JsonSerializer.Serialize(value, Json);

    private static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException("Empty parameter document.");
}
