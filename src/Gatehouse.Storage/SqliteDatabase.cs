using System.Data.Common;
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

    private SqliteDatabase(string connectionString, string description)
    {
        _connectionString = connectionString;
        Description = description;
        _writer = new SqliteConnection(connectionString);
    }

    public string Provider => "sqlite";

    public string Description { get; }

    /// <summary>Opens (creating if needed) the database file <c>gatehouse.db</c> in <paramref name="directory"/>.</summary>
    public static async Task<SqliteDatabase> OpenFileAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = Path.GetFullPath(Path.Combine(directory, "gatehouse.db"));
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true };
        var database = new SqliteDatabase(builder.ToString(), "sqlite:" + path);
        await database.OpenWriterAsync(wal: true, cancellationToken).ConfigureAwait(false);
        return database;
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
        var database = new SqliteDatabase(builder.ToString(), "memory");
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
                await connection.ExecuteAsync(transaction, "INSERT INTO schema_migrations (id, applied_at) VALUES (@id, @at)",
                    ("@id", migration.Id), ("@at", DateTimeOffset.UtcNow.ToString("O"))).ConfigureAwait(false);
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
            await using var transaction = await _writer.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var result = await work(_writer, transaction).ConfigureAwait(false);
            // Commit is not cancellable: once the work ran, it either lands whole or not at all.
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
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
