using System.Collections.Immutable;
using System.Text.Json;
using Gatehouse.Storage;

namespace Gatehouse.Functions.Logs;

/// <summary>A log group's own settings: when it was made, its retention, class and tags.</summary>
internal sealed record LogGroup
{
    public required string Account { get; init; }
    public required string Region { get; init; }
    public required string Name { get; init; }
    public required long CreationTime { get; init; }
    public int? RetentionInDays { get; init; }
    public string? KmsKeyId { get; init; }
    public string LogGroupClass { get; init; } = "STANDARD";
    public ImmutableSortedDictionary<string, string> Tags { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>Events stamped before this time (ms) have expired under the retention policy; null keeps them forever.</summary>
    public long? Cutoff(long now) => RetentionInDays is { } days ? now - days * 86_400_000L : null;
}

/// <summary>
/// The log groups that have settings of their own, in memory and in the store (compute → store →
/// publish, one write at a time). A function's group needs no row until someone sets its retention or
/// tags: it exists through its events.
/// </summary>
internal sealed class LogGroups
{
    private readonly IDatabase _database;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private ImmutableDictionary<(string Account, string Region, string Name), LogGroup> _groups =
        ImmutableDictionary<(string, string, string), LogGroup>.Empty;

    public LogGroups(IDatabase database) => _database = database;

    public ImmutableDictionary<(string Account, string Region, string Name), LogGroup> All => Volatile.Read(ref _groups);

    public LogGroup? Find(string account, string region, string name) => All.GetValueOrDefault((account, region, name));

    /// <summary>A group exists once created, or once a line was written to it (Lambda creates a function's group on its first log line).</summary>
    public async Task<bool> ExistsAsync(LogStore store, string account, string region, string name, CancellationToken cancellationToken) =>
        Find(account, region, name) is not null || await store.GroupExistsAsync(account, region, name, cancellationToken).ConfigureAwait(false);

    /// <summary>The earliest event timestamp (ms) a read may return: later than the retention period, if the group has one.</summary>
    public long? Cutoff(LogStore store, string account, string region, string name) => Find(account, region, name)?.Cutoff(store.Now);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var rows = await _database.ReadAsync(connection => connection.QueryAsync(
            "SELECT account, region, name, creation_time, retention_days, kms_key_id, log_group_class, tags FROM functions_log_groups",
            r => new LogGroup
            {
                Account = r.GetString(0),
                Region = r.GetString(1),
                Name = r.GetString(2),
                CreationTime = r.GetInt64(3),
                RetentionInDays = r.IsDBNull(4) ? null : r.GetInt32(4),
                KmsKeyId = r.GetStringOrNull(5),
                LogGroupClass = r.GetString(6),
                Tags = (JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(7)) ?? []).ToImmutableSortedDictionary(StringComparer.Ordinal),
            }), cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _groups, rows.ToImmutableDictionary(g => (g.Account, g.Region, g.Name)));
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the group's settings (null when it has none). The change
    /// returns the new settings (null deletes the row); it may throw an AWS error, and then nothing is written.
    /// </summary>
    public async Task UpdateAsync(string account, string region, string name, Func<LogGroup?, LogGroup?> change, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var key = (account, region, name);
            var before = All.GetValueOrDefault(key);
            var after = change(before);
            if (ReferenceEquals(before, after))
                return;
            await _database.WriteAsync((connection, transaction) => after is null
                ? connection.ExecuteAsync(transaction, "DELETE FROM functions_log_groups WHERE account = @a AND region = @r AND name = @n",
                    ("@a", account), ("@r", region), ("@n", name))
                : connection.ExecuteAsync(transaction,
                    """
                    INSERT INTO functions_log_groups (account, region, name, creation_time, retention_days, kms_key_id, log_group_class, tags)
                    VALUES (@a, @r, @n, @c, @d, @k, @l, @t)
                    ON CONFLICT (account, region, name) DO UPDATE SET retention_days = excluded.retention_days, kms_key_id = excluded.kms_key_id,
                        log_group_class = excluded.log_group_class, tags = excluded.tags
                    """,
                    ("@a", account), ("@r", region), ("@n", name), ("@c", after.CreationTime), ("@d", after.RetentionInDays),
                    ("@k", after.KmsKeyId), ("@l", after.LogGroupClass), ("@t", JsonSerializer.Serialize(after.Tags))), CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _groups, after is null ? All.Remove(key) : All.SetItem(key, after));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Deletes the events that have outlived their group's retention policy.</summary>
    public async Task PurgeExpiredAsync(LogStore store, CancellationToken cancellationToken)
    {
        var now = store.Now;
        foreach (var group in All.Values)
        {
            if (group.Cutoff(now) is { } cutoff)
                await store.DeleteEventsAsync(group.Account, group.Region, group.Name, cutoff, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _database.WriteAsync((connection, transaction) => connection.ExecuteAsync(transaction, "DELETE FROM functions_log_groups"), cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _groups, ImmutableDictionary<(string, string, string), LogGroup>.Empty);
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
