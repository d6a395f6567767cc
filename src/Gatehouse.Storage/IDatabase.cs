using System.Data.Common;

namespace Gatehouse.Storage;

/// <summary>
/// The relational store every service persists to. Reads may run concurrently; writes run one at a
/// time inside a transaction that is committed durably before the call returns, so an acknowledged
/// write survives a crash. SQLite is the embedded default; a PostgreSQL implementation sits beside it.
/// </summary>
public interface IDatabase : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgresql": lets a service pick dialect-specific SQL where it must.</summary>
    string Provider { get; }

    /// <summary>Where the data lives, for the health endpoint (never includes a password).</summary>
    string Description { get; }

    /// <summary>Applies pending migrations in order; safe to call on every start.</summary>
    Task MigrateAsync(IEnumerable<Migration> migrations, CancellationToken cancellationToken);

    /// <summary>Runs read-only work on a pooled connection.</summary>
    Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one transaction; commits durably, or rolls back on any exception.</summary>
    Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken);
}

/// <summary>A versioned schema change. <paramref name="Id"/> orders migrations, e.g. <c>identity/0001_init</c>.</summary>
public sealed record Migration(string Id, string Sql);
