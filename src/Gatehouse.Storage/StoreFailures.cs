using Gatehouse.Core;
using Microsoft.Data.Sqlite;

namespace Gatehouse.Storage;

/// <summary>
/// The one place that recognises a store write failing because the disk is full or read-only, and
/// remembers the last condition seen for the health endpoint.
/// </summary>
public sealed class StoreHealth
{
    private volatile StoreUnavailableException? _last;

    public StoreCondition Condition => _last?.Condition ?? StoreCondition.Ok;

    public void Succeeded() => _last = null;

    /// <summary>Returns <paramref name="error"/> as a <see cref="StoreUnavailableException"/> when it is one of ours, recording it.</summary>
    public StoreUnavailableException? Observe(Exception error)
    {
        var translated = StoreFailures.Translate(error);
        if (translated is not null)
            _last = translated;
        return translated;
    }

    public void Record(StoreCondition condition) => _last = condition == StoreCondition.Ok ? null : new StoreUnavailableException(condition);
}

public static class StoreFailures
{
    // SQLite result codes (https://www.sqlite.org/rescode.html): the primary code is the low byte.
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    // errno values (Linux) carried in IOException.HResult's low 16 bits on Unix.
    private const int ENOSPC = 28;
    private const int EDQUOT = 122;
    private const int EROFS = 30;
    private const int EACCES = 13;
    private const int EPERM = 1;

    /// <summary>A full or read-only store, or null for any other failure (left to the caller).</summary>
    public static StoreUnavailableException? Translate(Exception error)
    {
        switch (error)
        {
            case StoreUnavailableException already:
                return already;
            case SqliteException sqlite:
                return (sqlite.SqliteErrorCode & 0xFF) switch
                {
                    SqliteFull => new StoreUnavailableException(StoreCondition.Full, error),
                    SqliteReadOnly or SqliteCantOpen => new StoreUnavailableException(StoreCondition.ReadOnly, error),
                    // An I/O error on write is, on a healthy disk, almost always space running out
                    // (SQLite reports ENOSPC as SQLITE_FULL only on some paths).
                    SqliteIoError => new StoreUnavailableException(StoreCondition.Full, error),
                    _ => null,
                };
            case UnauthorizedAccessException:
                return new StoreUnavailableException(StoreCondition.ReadOnly, error);
            case IOException io:
                return ErrnoOf(io) switch
                {
                    ENOSPC or EDQUOT => new StoreUnavailableException(StoreCondition.Full, error),
                    EROFS or EACCES or EPERM => new StoreUnavailableException(StoreCondition.ReadOnly, error),
                    _ => null,
                };
            default:
                return error.InnerException is { } inner ? Translate(inner) : null;
        }
    }

    /// <summary>.NET on Unix puts the errno in the low bits of an IOException's HResult.</summary>
    private static int ErrnoOf(IOException error) => error.HResult & 0xFFFF;
}
