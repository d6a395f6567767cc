using System.Data.Common;
using Gatehouse.Core;
using Microsoft.Data.Sqlite;

namespace Gatehouse.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so every committed
/// transaction is on disk before the caller is answered; or a private in-memory database.
/// Writes are serialised through one connection (SQLite has a single writer anyway).
/// </summary>
public sealed class SqliteDatabase : IDatabase
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteConnection _writer;

    private SqliteDatabase(string connectionString, string description, StoreHealth health)
    {
        _connectionString = connectionString;
        Description = description;
        Health = health;
        _writer = new SqliteConnection(connectionString);
    }

    /// <summary>Whether the last write found the disk full or read-only (for the health endpoint).</summary>
    public StoreHealth Health { get; }

    public string Provider => "sqlite";

    public string Description { get; }

    /// <summary>Opens (creating if needed) the database file <c>gatehouse.db</c> in <paramref name="directory"/>.</summary>
    /// <remarks>
    /// A read-only directory holding a database is opened read-only: reads are served, every write
    /// answers <see cref="StoreUnavailableException"/>. A read-only directory without one cannot be
    /// started on, and says so (<see cref="StoreUnavailableException"/> from here).
    /// </remarks>
    public static async Task<SqliteDatabase> OpenFileAsync(string directory, CancellationToken cancellationToken, StoreHealth? health = null)
    {
        health ??= new StoreHealth();
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (health.Observe(e) is { } unavailable)
        {
            throw unavailable;
        }
        var path = Path.GetFullPath(Path.Combine(directory, "gatehouse.db"));
        var readOnly = !IsWritable(directory);
        if (readOnly)
        {
            health.Record(StoreCondition.ReadOnly);
            if (!File.Exists(path))
                throw new StoreUnavailableException(StoreCondition.ReadOnly);
        }
        var builder = new SqliteConnectionStringBuilder
        {
            // WAL mode needs its -shm file even to read; on a read-only directory after a clean stop
            // there is none and none can be made, so the file is opened immutable
            // (https://www.sqlite.org/wal.html#readonly, https://www.sqlite.org/uri.html#uriimmutable).
            // With a -wal left over, its frames matter: a plain read-only open reads them.
            DataSource = readOnly && !File.Exists(path + "-wal") ? "file:" + Uri.EscapeDataString(path).Replace("%2F", "/", StringComparison.Ordinal) + "?immutable=1" : path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        };
        var database = new SqliteDatabase(builder.ToString(), "sqlite:" + path, health) { ReadOnly = readOnly };
        try
        {
            await database.OpenWriterAsync(wal: !readOnly, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (health.Observe(e) is { } unavailable)
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw unavailable;
        }
        return database;
    }

    /// <summary>True when the directory opened read-only (a warning at start; writes answer 503).</summary>
    public bool ReadOnly { get; private init; }

    /// <summary>Creates and deletes a probe file: the one reliable test (root ignores mode bits, a read-only mount does not).</summary>
    private static bool IsWritable(string directory)
    {
        var probe = Path.Combine(directory, ".write-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
            return true;
        }
        catch (Exception e) when (StoreFailures.Translate(e) is { Condition: StoreCondition.ReadOnly })
        {
            return false;
        }
        catch (IOException)
        {
            // Full, or another I/O failure: not read-only; writes will say what they find.
            return true;
        }
    }

    /// <summary>A private in-memory database that lives as long as this object.</summary>
    public static async Task<SqliteDatabase> OpenInMemoryAsync(CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = "gatehouse-" + Guid.NewGuid().ToString("N"),
            Mode = SqliteOpenMode.Memory,
            Cache = SqliteCacheMode.Shared,
            Pooling = true,
        };
        var database = new SqliteDatabase(builder.ToString(), "memory", new StoreHealth());
        await database.OpenWriterAsync(wal: false, cancellationToken).ConfigureAwait(false);
        return database;
    }

    private async Task OpenWriterAsync(bool wal, CancellationToken cancellationToken)
    {
        await _writer.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (wal)
            await _writer.ExecuteAsync(null, "PRAGMA journal_mode=WAL;").ConfigureAwait(false);
        await ConfigureAsync(_writer).ConfigureAwait(false);
    }

    private static async Task ConfigureAsync(SqliteConnection connection)
    {
        // FULL: a commit in WAL mode is fsynced before it returns; acknowledged writes survive a power cut.
        await connection.ExecuteAsync(null, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;").ConfigureAwait(false);
    }

    public async Task MigrateAsync(IEnumerable<Migration> migrations, CancellationToken cancellationToken)
    {
        // Nothing pending: no write at all, so a read-only store with a current schema still starts.
        var pending = migrations.ToList();
        var hasTable = await ReadAsync(async c => (await c.QueryAsync(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", r => r.GetString(0)).ConfigureAwait(false)).Count > 0, cancellationToken).ConfigureAwait(false);
        if (hasTable)
        {
            var done = await ReadAsync(async c => (await c.QueryAsync("SELECT id FROM schema_migrations", r => r.GetString(0)).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
            if (pending.All(m => done.Contains(m.Id)))
                return;
        }
        migrations = pending;
        await WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction,
                "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)").ConfigureAwait(false);
            var applied = (await connection.QueryAsync(transaction, "SELECT id FROM schema_migrations", r => r.GetString(0)).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            foreach (var migration in migrations.OrderBy(m => m.Id, StringComparer.Ordinal))
            {
                if (applied.Contains(migration.Id))
                    continue;
                await connection.ExecuteAsync(transaction, migration.Sql).ConfigureAwait(false);
                // When a migration ran is a note for people reading the database, of the wall clock by
                // definition; nothing reads it back and no test moves it.
#pragma warning disable RS0030 // the ambient clock is banned in src/
                var appliedAt = DateTimeOffset.UtcNow.ToString("O");
#pragma warning restore RS0030
                await connection.ExecuteAsync(transaction, "INSERT INTO schema_migrations (id, applied_at) VALUES (@id, @at)",
                    ("@id", migration.Id), ("@at", appliedAt)).ConfigureAwait(false);
            }
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await work(connection).ConfigureAwait(false);
    }

    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            T result;
            try
            {
                await using var transaction = await _writer.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                result = await work(_writer, transaction).ConfigureAwait(false);
                // Commit is not cancellable: once the work ran, it either lands whole or not at all.
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (Health.Observe(e) is { } unavailable)
            {
                // Rolled back (SQLite may have done it already, on SQLITE_FULL): nothing of it is kept.
                throw unavailable;
            }
            if (!ReadOnly)
                Health.Succeeded();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            SqliteConnection.ClearAllPools();
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
