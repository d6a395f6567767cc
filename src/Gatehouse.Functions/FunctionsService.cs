using System.Collections.Immutable;
using Gatehouse.Core;
using Gatehouse.Functions.Executors;
using Gatehouse.Functions.Invocation;
using Gatehouse.Functions.Logs;
using Gatehouse.Functions.Model;
using Gatehouse.Functions.Operations;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Functions;

/// <summary>
/// The functions (AWS Lambda) service: its operations, its state and its data plane (execution
/// environments speaking the Runtime API), plus the CloudWatch Logs subset its logs are read with.
/// </summary>
internal sealed partial class FunctionsService : IGatehouseService, IAsyncDisposable
{
    private readonly IDatabase _database;
    private readonly FunctionsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CodeCache _code;
    private readonly LogStore _logs;
    private readonly LogGroups _logGroups;
    private readonly FunctionRegistry _registry;
    private readonly EventQueue _events;
    private readonly EnvironmentServices _environmentServices;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _reaper;
    private int _disposed;

    public FunctionsService(IDatabase database, FunctionsOptions options, TimeProvider time, ILogger<FunctionsService> logger,
        CodeCache code, LogStore logs, LogGroups logGroups, FunctionRegistry registry, EventQueue events, EnvironmentServices environmentServices)
    {
        _database = database;
        _options = options;
        _time = time;
        _logger = logger;
        _code = code;
        _logs = logs;
        _logGroups = logGroups;
        _registry = registry;
        _events = events;
        _environmentServices = environmentServices;
    }

    public string Name => "lambda";

    public string State { get; private set; } = "starting";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _database.MigrateAsync(EmbeddedMigrations.Load(typeof(FunctionsService).Assembly, "functions", _database.Provider), cancellationToken).ConfigureAwait(false);
        foreach (var stored in await FunctionStore.LoadAsync(_database, cancellationToken).ConfigureAwait(false))
        {
            var latestConfig = stored.Versions.FirstOrDefault(v => v.Version == "$LATEST");
            if (latestConfig is null)
                continue;
            var counter = new ConcurrencyCounter { Limit = stored.ReservedConcurrency ?? -1 };
            var entry = new FunctionEntry(_registry.CreateHandle(latestConfig, counter), counter)
            {
                LastVersion = stored.LastVersion,
                Tags = stored.Tags.ToImmutableDictionary(StringComparer.Ordinal),
                Policy = [.. stored.Policy],
                PolicyRevisionId = stored.PolicyRevision,
                Aliases = stored.Aliases.ToImmutableDictionary(a => a.Name, StringComparer.Ordinal),
                Versions = stored.Versions.Where(v => v.Version != "$LATEST")
                    .ToImmutableDictionary(v => v.Version, v => _registry.CreateHandle(v, counter), StringComparer.Ordinal),
            };
            _registry.Add(entry);
        }
        await _logGroups.LoadAsync(cancellationToken).ConfigureAwait(false);
        _logs.Start();
        _events.Start();
        _reaper = Task.Run(ReapLoopAsync);
        State = "running";
    }

    /// <summary>How often log events that outlived their group's retention are deleted (reads hide them at once).</summary>
    private static readonly TimeSpan PurgePeriod = TimeSpan.FromMinutes(1);

    /// <summary>Stops environments that idled longer than the configured time, and purges expired log events.</summary>
    private async Task ReapLoopAsync()
    {
        var period = TimeSpan.FromMilliseconds(Math.Clamp(_options.IdleTimeout.TotalMilliseconds / 4, 50, 5000));
        using var timer = new PeriodicTimer(period, _time);
        var lastPurge = _time.GetUtcNow();
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                foreach (var pool in _registry.Pools)
                    pool.Reap(_options.IdleTimeout);
                if (_time.GetUtcNow() - lastPurge >= PurgePeriod)
                {
                    lastPurge = _time.GetUtcNow();
                    await PurgeExpiredLogsAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task PurgeExpiredLogsAsync()
    {
        try
        {
            await _logGroups.PurgeExpiredAsync(_logs, _stopping.Token).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException e)
        {
            // Reads already hide expired events; the next period tries again.
            LogPurgeFailed(_logger, e);
        }
    }

    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        StopEnvironments();
        _registry.Clear();
        await _events.ClearAsync(cancellationToken).ConfigureAwait(false);
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction, "DELETE FROM functions_aliases").ConfigureAwait(false);
            await connection.ExecuteAsync(transaction, "DELETE FROM functions_versions").ConfigureAwait(false);
            await connection.ExecuteAsync(transaction, "DELETE FROM functions_functions").ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        await _logs.DeleteAllAsync(cancellationToken).ConfigureAwait(false);
        await _logGroups.ResetAsync(cancellationToken).ConfigureAwait(false);
    }

    private void StopEnvironments()
    {
        foreach (var pool in _registry.Pools)
            pool.StopAll();
        // Environments of retired pools (old code still finishing) too.
        foreach (var environment in _environmentServices.Live.Keys)
            environment.Stop();
    }

    /// <summary>Ends every runtime process: none may outlive the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        StopEnvironments();
        if (_reaper is not null)
            await _reaper.ConfigureAwait(false);
        await _events.DisposeAsync().ConfigureAwait(false);
        await _logs.DisposeAsync().ConfigureAwait(false);
        _code.Dispose();
        _stopping.Dispose();
        LogStopped(_logger);
    }

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Could not purge log events past their group's retention")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "Functions service stopped; all execution environments ended")]
    private static partial void LogStopped(ILogger logger);
}
