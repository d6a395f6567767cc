using Gatehouse.Functions.Executors;
using Gatehouse.Functions.Logs;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Functions.Invocation;

/// <summary>What environments share: clock, logs, runtimes, the executor that starts them, the server's own logger and URL.</summary>
internal sealed record EnvironmentServices(TimeProvider Time, LogStore Logs, RuntimeCatalog Runtimes, ILogger Logger, string PublicUrl, IRuntimeExecutor Executor)
{
    /// <summary>Every running environment, retired pools included, so shutdown can stop them all.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<ExecutionEnvironment, byte> Live { get; } = new();

    /// <summary>Busy environments per pool beyond which a new invocation first waits for one of them (see <see cref="EnvironmentPool"/>).</summary>
    public int WarmFirstThreshold { get; init; } = EnvironmentPool.DefaultWarmFirstThreshold;
}
