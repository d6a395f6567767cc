using System.Data.Common;
using Gatehouse.Storage;

namespace Gatehouse.Storage.Tests;

public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gatehouse-store-" + Guid.NewGuid().ToString("N"));

    private static readonly Migration[] Migrations =
    [
        new("test/0001_init", "CREATE TABLE things (id TEXT PRIMARY KEY, value INTEGER NOT NULL)"),
        new("test/0002_names", "ALTER TABLE things ADD COLUMN name TEXT"),
    ];

    [Fact]
    public async Task Migrate_FromEmpty_AppliesEveryMigrationOnce()
    {
        await using (var database = await SqliteDatabase.OpenFileAsync(_directory, default))
        {
            await database.MigrateAsync(Migrations, default);
            await database.MigrateAsync(Migrations, default);
            var applied = await database.ReadAsync(c => c.QueryAsync("SELECT id FROM schema_migrations ORDER BY id", r => r.GetString(0)), default);
            Assert.Equal(["test/0001_init", "test/0002_names"], applied);
        }
        Assert.True(File.Exists(Path.Combine(_directory, "gatehouse.db")));
    }

    [Fact]
    public async Task Migrate_NewMigrationLater_OnlyItIsApplied()
    {
        await using (var database = await SqliteDatabase.OpenFileAsync(_directory, default))
            await database.MigrateAsync(Migrations[..1], default);
        await using (var database = await SqliteDatabase.OpenFileAsync(_directory, default))
        {
            await database.MigrateAsync(Migrations, default);
            await Write(database, "a", 1);
            var name = await database.ReadAsync(async c => (await c.QueryAsync("SELECT name FROM things", r => r.GetStringOrNull(0))).Single(), default);
            Assert.Null(name);
        }
    }

    [Fact]
    public async Task Write_ThenReopen_ValueIsThere()
    {
        await using (var database = await SqliteDatabase.OpenFileAsync(_directory, default))
        {
            await database.MigrateAsync(Migrations, default);
            await Write(database, "a", 42);
        }
        await using (var database = await SqliteDatabase.OpenFileAsync(_directory, default))
            Assert.Equal(42, await ReadValue(database, "a"));
    }

    [Fact]
    public async Task Write_WorkThrows_NothingHalfWritten()
    {
        await using var database = await SqliteDatabase.OpenFileAsync(_directory, default);
        await database.MigrateAsync(Migrations, default);
        await Assert.ThrowsAsync<InvalidOperationException>(() => database.WriteAsync<int>(async (c, t) =>
        {
            await c.ExecuteAsync(t, "INSERT INTO things (id, value) VALUES ('a', 1)");
            await c.ExecuteAsync(t, "INSERT INTO things (id, value) VALUES ('b', 2)");
            throw new InvalidOperationException("fails half way");
        }, default));
        var count = await database.ReadAsync(async c => (await c.QueryAsync("SELECT COUNT(*) FROM things", r => r.GetInt64(0))).Single(), default);
        Assert.Equal(0, count);
    }

    [Fact]
    public async Task File_UsesWriteAheadLog()
    {
        await using var database = await SqliteDatabase.OpenFileAsync(_directory, default);
        var mode = await database.ReadAsync(async c => (await c.QueryAsync("PRAGMA journal_mode", r => r.GetString(0))).Single(), default);
        Assert.Equal("wal", mode);
    }

    [Fact]
    public async Task InMemory_TwoInstances_AreIsolated()
    {
        await using var first = await SqliteDatabase.OpenInMemoryAsync(default);
        await using var second = await SqliteDatabase.OpenInMemoryAsync(default);
        await first.MigrateAsync(Migrations, default);
        await second.MigrateAsync(Migrations, default);
        await Write(first, "a", 1);
        Assert.Equal(1, await ReadValue(first, "a"));
        Assert.Null(await ReadValue(second, "a"));
    }

    [Fact]
    public async Task ConcurrentWrites_AllLand()
    {
        await using var database = await SqliteDatabase.OpenFileAsync(_directory, default);
        await database.MigrateAsync(Migrations, default);
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Write(database, "k" + i, i)));
        var count = await database.ReadAsync(async c => (await c.QueryAsync("SELECT COUNT(*) FROM things", r => r.GetInt64(0))).Single(), default);
        Assert.Equal(50, count);
    }

    private static Task<int> Write(IDatabase database, string id, int value) =>
        database.WriteAsync((c, t) => c.ExecuteAsync(t, "INSERT INTO things (id, value) VALUES (@id, @value)", ("@id", id), ("@value", value)), default);

    private static Task<long?> ReadValue(IDatabase database, string id) =>
        database.ReadAsync(async (DbConnection c) => (await c.QueryAsync("SELECT value FROM things WHERE id = @id", r => (long?)r.GetInt64(0), ("@id", id))).SingleOrDefault(), default);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
