using System.Data.Common;
using System.Globalization;
using System.Threading.Channels;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Functions.Logs;

/// <summary>One line of a function's log, as CloudWatch Logs stores it.</summary>
internal readonly record struct LogEvent(string Account, string Region, string Group, string Stream, long Timestamp, string Message);

/// <summary>A stored log event with its id (the order it was written in).</summary>
internal sealed record StoredLogEvent(long Id, string Stream, long Timestamp, long IngestionTime, string Message);

/// <summary>
/// Functions' logs in the store. Invocations only enqueue lines (never wait for the disk); a
/// writer saves them in batches, one transaction per batch. Readers first wait for what was
/// enqueued before them, so a log read right after an invoke sees its lines.
/// </summary>
internal sealed partial class LogStore : IAsyncDisposable
{
    private const int MaxBatch = 4096;
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(50);

    private readonly IDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<LogEvent> _queue = Channel.CreateBounded<LogEvent>(new BoundedChannelOptions(200_000)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    private readonly CancellationTokenSource _stopping = new();
    private long _enqueued;
    private long _written;
    private long _dropped;
    private TaskCompletionSource _batchWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _writer;

    private readonly int _keepPerGroup;
    // Events per group as the writer counts them (only the writer loop touches it; loaded from the
    // store before the first batch). A group is trimmed back to the cap once it is a tenth over it,
    // so pruning is a steady trickle of small deletes, not a periodic delete of everything above it.
    private Dictionary<(string Account, string Region, string Group), long>? _groupCounts;
    private int _countsStale;

    public LogStore(IDatabase database, TimeProvider time, ILogger<LogStore> logger, int keepPerGroup = 100_000)
    {
        _keepPerGroup = keepPerGroup;
        _database = database;
        _time = time;
        _logger = logger;
    }

    public void Start() => _writer = Task.Run(WriteLoopAsync);

    public long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public void Append(in LogEvent logEvent)
    {
        if (_queue.Writer.TryWrite(logEvent))
            Interlocked.Increment(ref _enqueued);
        else if (Interlocked.Increment(ref _dropped) % 10_000 == 1)
            LogDropped(_logger, _dropped);
    }

    /// <summary>Waits until every line enqueued before the call is in the store.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _enqueued);
        while (Interlocked.Read(ref _written) < target && _writer is { IsCompleted: false })
        {
            var signal = Volatile.Read(ref _batchWritten).Task;
            if (Interlocked.Read(ref _written) >= target)
                break;
            await signal.WaitAsync(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<LogEvent>(MaxBatch);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                // Let a burst gather first: under load, one transaction of multi-row statements per
                // 50 ms costs a fraction of a transaction per invocation's three or four lines, and
                // this writer shares the server's cores with the invoke path.
                if (reader.CanCount && reader.Count < GatherThreshold)
                    await Task.Delay(Linger, _time).ConfigureAwait(false);
                while (batch.Count < MaxBatch && reader.TryRead(out var item))
                    batch.Add(item);
                try
                {
                    // Counted before the batch is written, so the batch is counted once.
                    if (_groupCounts is null || Interlocked.Exchange(ref _countsStale, 0) == 1)
                        _groupCounts = await LoadGroupCountsAsync().ConfigureAwait(false);
                    await WriteBatchAsync(batch).ConfigureAwait(false);
                }
                catch (DbException e)
                {
                    LogWriteFailed(_logger, batch.Count, e);
                    _groupCounts = null; // whatever was stored, count it again
                }
                await TrimGroupsAsync(batch).ConfigureAwait(false);
                Interlocked.Add(ref _written, batch.Count);
                batch.Clear();
                Interlocked.Exchange(ref _batchWritten, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Below this many queued lines the writer lingers for more before writing.</summary>
    private const int GatherThreshold = 64;

    /// <summary>
    /// A whole batch in one statement with one parameter: the rows as a JSON array, expanded by
    /// SQLite itself, in the array's order (so ids follow the write order). A multi-row
    /// VALUES list with a named parameter per cell binds in quadratic time: SQLite finds each name by
    /// a linear scan, which made string comparisons 8 % of the server's CPU under load.
    /// </summary>
    private const string BatchInsert =
        "INSERT INTO functions_log_events (account, region, log_group, log_stream, timestamp, ingestion_time, message) "
        + "SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, @i, value ->> 5 FROM json_each(@rows) ORDER BY key";

    /// <summary>Rows per statement: keeps each JSON text well below the large object heap's 85 KB.</summary>
    private const int RowsPerStatement = 128;

    private Task WriteBatchAsync(List<LogEvent> batch)
    {
        var ingested = Now;
        return _database.WriteAsync(async (connection, transaction) =>
        {
            for (var offset = 0; offset < batch.Count; offset += RowsPerStatement)
            {
                var rows = RowsJson(batch, offset, Math.Min(RowsPerStatement, batch.Count - offset));
                await connection.ExecuteAsync(transaction, BatchInsert, ("@i", ingested), ("@rows", rows)).ConfigureAwait(false);
            }
            return 0;
        }, CancellationToken.None);
    }

    private static string RowsJson(List<LogEvent> batch, int offset, int count)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(count * 160);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = offset; i < offset + count; i++)
            {
                var item = batch[i];
                writer.WriteStartArray();
                writer.WriteStringValue(item.Account);
                writer.WriteStringValue(item.Region);
                writer.WriteStringValue(item.Group);
                writer.WriteStringValue(item.Stream);
                writer.WriteNumberValue(item.Timestamp);
                writer.WriteStringValue(item.Message);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Drops the oldest events of the batch's groups that are a tenth or more over the cap.</summary>
    private async Task TrimGroupsAsync(List<LogEvent> batch)
    {
        try
        {
            if (_groupCounts is null)
                return;
            HashSet<(string, string, string)>? over = null;
            var slack = Math.Max(1, _keepPerGroup / 10);
            foreach (var item in batch)
            {
                var group = (item.Account, item.Region, item.Group);
                var count = _groupCounts[group] = _groupCounts.GetValueOrDefault(group) + 1;
                if (count >= _keepPerGroup + slack)
                    (over ??= []).Add(group);
            }
            if (over is null)
                return;
            await _database.WriteAsync(async (connection, transaction) =>
            {
                foreach (var (account, region, group) in over)
                {
                    var excess = _groupCounts[(account, region, group)] - _keepPerGroup;
                    // The group's oldest events by the (account, region, log_group, id) index: no scan past them.
                    await connection.ExecuteAsync(transaction,
                        "DELETE FROM functions_log_events WHERE id IN (SELECT id FROM functions_log_events WHERE account = @a AND region = @r AND log_group = @g ORDER BY id LIMIT @n)",
                        ("@a", account), ("@r", region), ("@g", group), ("@n", excess)).ConfigureAwait(false);
                    _groupCounts[(account, region, group)] = _keepPerGroup;
                }
                return 0;
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            // Counted again from the store before the next trim.
            _groupCounts = null;
            LogPruneFailed(_logger, e);
        }
    }

    private async Task<Dictionary<(string, string, string), long>> LoadGroupCountsAsync()
    {
        var rows = await _database.ReadAsync(connection => connection.QueryAsync(
            "SELECT account, region, log_group, COUNT(*) FROM functions_log_events GROUP BY account, region, log_group",
            r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3))), CancellationToken.None).ConfigureAwait(false);
        var counts = new Dictionary<(string, string, string), long>();
        foreach (var (account, region, group, count) in rows)
            counts[(account, region, group)] = count;
        return counts;
    }

    public async Task<List<(string Group, long Created, long Bytes)>> LogGroupsAsync(string account, string region, string? prefix, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _database.ReadAsync(connection => connection.QueryAsync(
            "SELECT log_group, MIN(ingestion_time), SUM(LENGTH(message)) FROM functions_log_events WHERE account = @a AND region = @r AND (@p IS NULL OR substr(log_group, 1, length(@p)) = @p) GROUP BY log_group ORDER BY log_group",
            r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2)),
            ("@a", account), ("@r", region), ("@p", prefix)), cancellationToken).ConfigureAwait(false);
    }

    public async Task<List<(string Stream, long Created, long First, long Last, long LastIngestion, long Bytes)>> LogStreamsAsync(string account, string region, string group, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _database.ReadAsync(connection => connection.QueryAsync(
            "SELECT log_stream, MIN(ingestion_time), MIN(timestamp), MAX(timestamp), MAX(ingestion_time), SUM(LENGTH(message)) FROM functions_log_events WHERE account = @a AND region = @r AND log_group = @g GROUP BY log_stream",
            r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5)),
            ("@a", account), ("@r", region), ("@g", group)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Events of a group in write order, after <paramref name="afterId"/> (or before, backwards).</summary>
    public async Task<List<StoredLogEvent>> EventsAsync(string account, string region, string group, IReadOnlyCollection<string>? streams, string? streamPrefix,
        long? start, long? end, long afterId, long beforeId, bool backwards, int limit, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var streamFilter = streams is { Count: > 0 }
            ? " AND log_stream IN (" + string.Join(", ", streams.Select((_, i) => "@s" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")"
            : "";
        var parameters = new List<(string, object?)>
        {
            ("@a", account), ("@r", region), ("@g", group), ("@start", start), ("@end", end), ("@after", afterId), ("@before", beforeId),
            ("@prefix", streamPrefix), ("@limit", limit),
        };
        if (streams is { Count: > 0 })
            parameters.AddRange(streams.Select((s, i) => ("@s" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), (object?)s)));
        var sql = "SELECT id, log_stream, timestamp, ingestion_time, message FROM functions_log_events WHERE account = @a AND region = @r AND log_group = @g"
            + streamFilter
            + " AND (@prefix IS NULL OR substr(log_stream, 1, length(@prefix)) = @prefix)"
            + " AND (@start IS NULL OR timestamp >= @start) AND (@end IS NULL OR timestamp <= @end)"
            + " AND id > @after AND id < @before"
            + (backwards ? " ORDER BY id DESC" : " ORDER BY id")
            + " LIMIT @limit";
        var rows = await _database.ReadAsync(connection => connection.QueryAsync(sql,
            r => new StoredLogEvent(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetString(4)),
            [.. parameters]), cancellationToken).ConfigureAwait(false);
        if (backwards)
            rows.Reverse();
        return rows;
    }

    /// <summary>A log group exists once a line was written to it (Lambda creates it on the first invoke).</summary>
    public async Task<bool> GroupExistsAsync(string account, string region, string group, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var rows = await _database.ReadAsync(connection => connection.QueryAsync(
            "SELECT 1 FROM functions_log_events WHERE account = @a AND region = @r AND log_group = @g LIMIT 1", r => 1,
            ("@a", account), ("@r", region), ("@g", group)), cancellationToken).ConfigureAwait(false);
        return rows.Count > 0;
    }

    /// <summary>
    /// Deletes a group's events stamped before <paramref name="before"/> (ms; null: all of them) —
    /// DeleteLogGroup, and retention once events expire.
    /// </summary>
    public async Task DeleteEventsAsync(string account, string region, string group, long? before, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await _database.WriteAsync((connection, transaction) => connection.ExecuteAsync(transaction,
            "DELETE FROM functions_log_events WHERE account = @a AND region = @r AND log_group = @g AND (@b IS NULL OR timestamp < @b)",
            ("@a", account), ("@r", region), ("@g", group), ("@b", before)), cancellationToken).ConfigureAwait(false);
        // The writer's per-group counts no longer hold; it counts again before its next trim.
        if (deleted > 0)
            Interlocked.Exchange(ref _countsStale, 1);
    }

    public async Task DeleteAllAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _database.WriteAsync((connection, transaction) => connection.ExecuteAsync(transaction, "DELETE FROM functions_log_events"), cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _countsStale, 1);
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        // The service stops it first, in order; the container disposes it again at shutdown.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            // Give the writer a moment to save what is queued; the store is closed after services.
            await Task.WhenAny(_writer, Task.Delay(TimeSpan.FromSeconds(2), _time)).ConfigureAwait(false);
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Function log lines are arriving faster than they can be stored; {Dropped} dropped so far")]
    private static partial void LogDropped(ILogger logger, long dropped);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Could not prune old function log lines")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Could not store {Count} function log lines")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);
}
