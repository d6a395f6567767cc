using Gatehouse.Core;
using Gatehouse.Functions.Model;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Functions.Invocation;

/// <summary>
/// Asynchronous (Event) invocations: stored durably before the caller gets its 202, then run in the
/// background; a function error is retried twice (AWS's default), a throttle is retried without
/// counting, a deleted function drops the event. Survives restarts: pending rows are picked up at start.
/// </summary>
internal sealed partial class EventQueue : IAsyncDisposable
{
    private const int MaxAttempts = 3;
    private const int MaxParallel = 16;

    private readonly IDatabase _database;
    private readonly FunctionInvoker _invoker;
    private readonly FunctionsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<long> _running = [];
    private Task? _loop;

    public EventQueue(IDatabase database, FunctionInvoker invoker, FunctionsOptions options, TimeProvider time, ILogger<EventQueue> logger)
    {
        _database = database;
        _invoker = invoker;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public void Start() => _loop = Task.Run(LoopAsync);

    public async Task EnqueueAsync(FunctionVersionConfig config, string? qualifier, string requestId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _database.WriteAsync((connection, transaction) => connection.ExecuteAsync(transaction,
            "INSERT INTO functions_event_queue (account, region, name, qualifier, request_id, payload, not_before) VALUES (@a, @r, @n, @q, @id, @p, 0)",
            ("@a", config.Account), ("@r", config.Region), ("@n", config.Name), ("@q", qualifier), ("@id", requestId), ("@p", payload.ToArray())), cancellationToken).ConfigureAwait(false);
        _signal.Release();
    }

    private sealed record QueuedEvent(long Id, string Account, string Region, string Name, string? Qualifier, string RequestId, byte[] Payload, int Attempts);

    private async Task LoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                int running;
                lock (_running)
                    running = _running.Count;
                var due = running >= MaxParallel ? [] : await _database.ReadAsync(connection => connection.QueryAsync(
                    "SELECT id, account, region, name, qualifier, request_id, payload, attempts FROM functions_event_queue WHERE not_before <= @now ORDER BY id LIMIT 64",
                    r => new QueuedEvent(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetString(5), (byte[])r.GetValue(6), r.GetInt32(7)),
                    ("@now", now)), token).ConfigureAwait(false);
                foreach (var item in due)
                {
                    lock (_running)
                    {
                        if (_running.Count >= MaxParallel || !_running.Add(item.Id))
                            continue;
                    }
                    _ = RunAsync(item, token);
                }
                await _signal.WaitAsync(TimeSpan.FromMilliseconds(250), token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
            {
                LogQueueFailed(_logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task RunAsync(QueuedEvent item, CancellationToken token)
    {
        try
        {
            var handle = _invoker.Resolve(item.Account, item.Region, item.Name, item.Qualifier, out _, out var invokedArn);
            if (handle is null)
            {
                await DeleteAsync(item.Id).ConfigureAwait(false);
                return;
            }
            // A retry keeps the request id (AWS: duplicate invocations with the same id are retries).
            var invocation = new PendingInvocation(item.RequestId, FunctionInvoker.EventBytes(item.Payload), invokedArn);
            if (!FunctionInvoker.TryStart(handle, invocation, out _))
            {
                await RescheduleAsync(item.Id, item.Attempts, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                return;
            }
            var outcome = await invocation.Completion.WaitAsync(token).ConfigureAwait(false);
            if (outcome.Status == FunctionInvocationStatus.Success || item.Attempts + 1 >= MaxAttempts)
                await DeleteAsync(item.Id).ConfigureAwait(false);
            else
                await RescheduleAsync(item.Id, item.Attempts + 1, _options.EventRetryDelay * (item.Attempts + 1)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the row stays and runs after the next start.
        }
        catch (Exception e) when (e is System.Data.Common.DbException or AwsException)
        {
            LogQueueFailed(_logger, e);
        }
        finally
        {
            lock (_running)
                _running.Remove(item.Id);
            _signal.Release();
        }
    }

    private Task DeleteAsync(long id) =>
        _database.WriteAsync((c, t) => c.ExecuteAsync(t, "DELETE FROM functions_event_queue WHERE id = @id", ("@id", id)), CancellationToken.None);

    private Task RescheduleAsync(long id, int attempts, TimeSpan delay) =>
        _database.WriteAsync((c, t) => c.ExecuteAsync(t, "UPDATE functions_event_queue SET attempts = @n, not_before = @at WHERE id = @id",
            ("@id", id), ("@n", attempts), ("@at", _time.GetUtcNow().Add(delay).ToUnixTimeMilliseconds())), CancellationToken.None);

    public Task ClearAsync(CancellationToken cancellationToken) =>
        _database.WriteAsync((c, t) => c.ExecuteAsync(t, "DELETE FROM functions_event_queue"), cancellationToken);

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        // The service stops it first, in order; the container disposes it again at shutdown.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
            await _loop.ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 3200, Level = LogLevel.Error, Message = "The asynchronous invocation queue failed")]
    private static partial void LogQueueFailed(ILogger logger, Exception exception);
}
