using Gatehouse.Functions.Logs;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Functions.Tests;

public sealed class LogStoreTests
{
    private static async Task<(SqliteDatabase Database, LogStore Store)> OpenAsync(int keepPerGroup)
    {
        var database = await SqliteDatabase.OpenInMemoryAsync(CancellationToken.None);
        await database.MigrateAsync(EmbeddedMigrations.Load(typeof(FunctionsService).Assembly, "functions", database.Provider), CancellationToken.None);
        return (database, new LogStore(database, TimeProvider.System, NullLogger<LogStore>.Instance, keepPerGroup));
    }

    [Fact]
    public async Task Events_AfterAppend_AreReadableInWriteOrderPerGroupAndStream()
    {
        var (database, store) = await OpenAsync(1000);
        await using var _ = database;
        await using var __ = store;
        store.Start();
        for (var i = 0; i < 150; i++)
            store.Append(new LogEvent("000000000000", "us-east-1", "/aws/lambda/a", i % 2 == 0 ? "s1" : "s2", 1000 + i, "line " + i));
        store.Append(new LogEvent("000000000000", "us-east-1", "/aws/lambda/b", "s1", 5000, "other group"));

        var all = await store.EventsAsync("000000000000", "us-east-1", "/aws/lambda/a", null, null, null, null, 0, long.MaxValue, false, 10_000, CancellationToken.None);
        var s2 = await store.EventsAsync("000000000000", "us-east-1", "/aws/lambda/a", ["s2"], null, 1100, null, 0, long.MaxValue, false, 10_000, CancellationToken.None);
        var lastTwo = await store.EventsAsync("000000000000", "us-east-1", "/aws/lambda/a", null, null, null, null, 0, long.MaxValue, true, 2, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 150).Select(i => "line " + i), all.Select(e => e.Message));
        Assert.Equal(Enumerable.Range(100, 50).Where(i => i % 2 == 1).Select(i => "line " + i), s2.Select(e => e.Message));
        Assert.Equal(["line 148", "line 149"], lastTwo.Select(e => e.Message));
        Assert.True(await store.GroupExistsAsync("000000000000", "us-east-1", "/aws/lambda/b", CancellationToken.None));
        Assert.False(await store.GroupExistsAsync("000000000000", "us-east-1", "/aws/lambda/c", CancellationToken.None));
    }

    [Fact]
    public async Task Events_WithAnyText_AreStoredExactly()
    {
        var (database, store) = await OpenAsync(1000);
        await using var _ = database;
        await using var __ = store;
        string[] messages =
        [
            "REPORT RequestId: x\tDuration: 0.12 ms\t",
            "quotes \" and backslashes \\ and a \r carriage return",
            "\u0001 control \u001f characters",
            "日本語のログ 🚀",
            "",
            "[1, 2] looks like JSON",
        ];
        for (var i = 0; i < messages.Length; i++)
            store.Append(new LogEvent("000000000000", "us-east-1", "/aws/lambda/text", "2026/11/26/[$LATEST]abc", 1_700_000_000_000 + i, messages[i]));
        store.Start();

        var stored = await store.EventsAsync("000000000000", "us-east-1", "/aws/lambda/text", null, null, null, null, 0, long.MaxValue, false, 100, CancellationToken.None);

        Assert.Equal(messages, stored.Select(e => e.Message));
        Assert.Equal(Enumerable.Range(0, messages.Length).Select(i => 1_700_000_000_000L + i), stored.Select(e => e.Timestamp));
        Assert.All(stored, e => Assert.Equal("2026/11/26/[$LATEST]abc", e.Stream));
    }

    [Fact]
    public async Task Prune_SteadyAppends_KeepTheGroupNearItsCapAndTheNewestLines()
    {
        var (database, store) = await OpenAsync(100);
        await using var _ = database;
        await using var __ = store;
        store.Start();
        var counts = new List<int>();
        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < 100; i++)
                store.Append(new LogEvent("000000000000", "us-east-1", "/aws/lambda/busy", "s", round * 100 + i, "line " + (round * 100 + i)));
            await store.FlushAsync(CancellationToken.None);
            counts.Add((await store.EventsAsync("000000000000", "us-east-1", "/aws/lambda/busy", null, null, null, null, 0, long.MaxValue, false, 10_000, CancellationToken.None)).Count);
        }
        var last = await store.EventsAsync("000000000000", "us-east-1", "/aws/lambda/busy", null, null, null, null, 0, long.MaxValue, false, 10_000, CancellationToken.None);

        // Reset, then new lines: none of them may be trimmed by counts from before the reset.
        await store.DeleteAllAsync(CancellationToken.None);
        for (var i = 0; i < 50; i++)
            store.Append(new LogEvent("000000000000", "us-east-1", "/aws/lambda/busy", "s", i, "after " + i));
        await store.FlushAsync(CancellationToken.None);
        var afterReset = await store.EventsAsync("000000000000", "us-east-1", "/aws/lambda/busy", null, null, null, null, 0, long.MaxValue, false, 10_000, CancellationToken.None);

        Assert.All(counts, c => Assert.InRange(c, 100, 110));
        Assert.Equal(Enumerable.Range(1000 - last.Count, last.Count).Select(i => "line " + i), last.Select(e => e.Message));
        Assert.Equal(50, afterReset.Count);
    }

    [Fact]
    public async Task Prune_GroupAboveCap_KeepsOnlyItsNewestEvents()
    {
        var (database, store) = await OpenAsync(100);
        await using var _ = database;
        await using var __ = store;
        // Queued before the writer starts, so they land in one batch, which is followed by the first prune.
        for (var i = 0; i < 250; i++)
            store.Append(new LogEvent("000000000000", "us-east-1", "/aws/lambda/big", "s", i, "line " + i));
        store.Append(new LogEvent("000000000000", "us-east-1", "/aws/lambda/small", "s", 1, "kept"));
        store.Start();
        await store.FlushAsync(CancellationToken.None);

        List<StoredLogEvent> big = [];
        for (var attempt = 0; attempt < 50 && (big.Count == 0 || big.Count > 100); attempt++)
        {
            big = await store.EventsAsync("000000000000", "us-east-1", "/aws/lambda/big", null, null, null, null, 0, long.MaxValue, false, 10_000, CancellationToken.None);
            if (big.Count > 100)
                await Task.Delay(50);
        }
        var small = await store.EventsAsync("000000000000", "us-east-1", "/aws/lambda/small", null, null, null, null, 0, long.MaxValue, false, 10_000, CancellationToken.None);

        Assert.Equal(Enumerable.Range(150, 100).Select(i => "line " + i), big.Select(e => e.Message));
        Assert.Equal("kept", Assert.Single(small).Message);
    }
}
