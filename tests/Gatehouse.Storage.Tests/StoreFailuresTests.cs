using Gatehouse.Core;
using Microsoft.Data.Sqlite;

namespace Gatehouse.Storage.Tests;

public sealed class StoreFailuresTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gatehouse-store-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(13, StoreCondition.Full)]       // SQLITE_FULL
    [InlineData(8, StoreCondition.ReadOnly)]    // SQLITE_READONLY
    [InlineData(14, StoreCondition.ReadOnly)]   // SQLITE_CANTOPEN
    [InlineData(778, StoreCondition.Full)]      // SQLITE_IOERR_WRITE
    public void Translate_SqliteError_IsStoreUnavailable(int code, StoreCondition expected)
    {
        var translated = StoreFailures.Translate(new SqliteException("disk trouble", code));
        Assert.NotNull(translated);
        Assert.Equal(expected, translated.Condition);
        Assert.DoesNotContain("disk trouble", translated.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(28, StoreCondition.Full)]       // ENOSPC
    [InlineData(30, StoreCondition.ReadOnly)]   // EROFS
    [InlineData(13, StoreCondition.ReadOnly)]   // EACCES
    public void Translate_IOExceptionWithErrno_IsStoreUnavailable(int errno, StoreCondition expected)
    {
        var translated = StoreFailures.Translate(new IOException("/secret/path: no space", errno));
        Assert.Equal(expected, translated?.Condition);
        Assert.DoesNotContain("/secret/path", translated!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_OtherFailures_AreLeftAlone()
    {
        Assert.Null(StoreFailures.Translate(new SqliteException("constraint", 19)));
        Assert.Null(StoreFailures.Translate(new IOException("EIO", 5)));
        Assert.Null(StoreFailures.Translate(new InvalidOperationException("bug")));
    }

    [Fact]
    public async Task Write_DatabaseFull_ThrowsStoreUnavailableAndKeepsNothing()
    {
        await using var database = await SqliteDatabase.OpenFileAsync(_directory, default);
        await database.MigrateAsync([new("test/0001_init", "CREATE TABLE things (id TEXT PRIMARY KEY, value BLOB NOT NULL)")], default);
        await database.WriteAsync((c, t) => c.ExecuteAsync(t, "INSERT INTO things VALUES ('kept', x'00')"), default);
        var pages = await database.ReadAsync(async c => (await c.QueryAsync("PRAGMA page_count", r => r.GetInt64(0))).Single(), default);

        // max_page_count makes SQLite answer SQLITE_FULL, as a full disk does.
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => database.WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync(t, $"PRAGMA max_page_count = {pages + 1}");
            await c.ExecuteAsync(t, "INSERT INTO things VALUES ('first', x'00')");
            return await c.ExecuteAsync(t, "INSERT INTO things VALUES ('lost', zeroblob(1000000))");
        }, default));

        Assert.Equal(StoreCondition.Full, error.Condition);
        Assert.Equal(StoreCondition.Full, database.Health.Condition);
        var ids = await database.ReadAsync(c => c.QueryAsync("SELECT id FROM things ORDER BY id", r => r.GetString(0)), default);
        Assert.Equal(["kept"], ids);

        // Space again: the next write lands and the store is healthy.
        await database.WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync(t, "PRAGMA max_page_count = 1073741823");
            return await c.ExecuteAsync(t, "INSERT INTO things VALUES ('later', x'00')");
        }, default);
        Assert.Equal(StoreCondition.Ok, database.Health.Condition);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
