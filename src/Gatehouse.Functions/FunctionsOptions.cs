namespace Gatehouse.Functions;

/// <summary>
/// Settings of the functions service, read with the server's other settings (flag, <c>GATEHOUSE_*</c>
/// variable or <c>gatehouse.json</c>; see the README's options table) by the server's options loader.
/// </summary>
public sealed class FunctionsOptions
{
    /// <summary>Concurrent invocations across all functions (AWS's account concurrency).</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>An environment idle this long is stopped; the next invoke cold-starts.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Delay before each retry of a failed asynchronous (Event) invocation.</summary>
    public TimeSpan EventRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Busy environments per function version beyond which a new invocation first waits briefly for
    /// one of them to finish (default two per core; see <see cref="Invocation.EnvironmentPool"/>).
    /// </summary>
    public int WarmFirstThreshold { get; set; } = Invocation.EnvironmentPool.DefaultWarmFirstThreshold;

    /// <summary>Log events kept per log group; older ones are pruned (a local server's disk is not CloudWatch's).</summary>
    public int LogEventsPerGroup { get; set; } = 100_000;

    /// <summary>
    /// Whether execution environments run sandboxed (<c>GATEHOUSE_SANDBOX</c>): <c>auto</c> (default:
    /// sandboxed where bubblewrap works, otherwise plain processes with a warning), <c>required</c>
    /// (refuse to start without it), <c>off</c> (plain processes, which can read everything the
    /// server's user can).
    /// </summary>
    public string SandboxMode { get; set; } = "auto";

    /// <summary>Runtime name (python3.13) or family (python3, node) → interpreter path.</summary>
    public Dictionary<string, string> Interpreters { get; } = new(StringComparer.Ordinal);

    /// <summary>Folder with the shipped bootstraps; null finds it next to the build output or in the repository.</summary>
    public string? RuntimeDirectory { get; set; }

    /// <summary>The runtime an interpreter setting names: PYTHON3_13 → python3.13, NODEJS20_X → nodejs20.x, PYTHON3 → python3.</summary>
    public static string RuntimeName(string setting)
    {
        var name = setting.ToLowerInvariant();
        var underscore = name.IndexOf('_', StringComparison.Ordinal);
        return underscore < 0 ? name : name[..underscore] + "." + name[(underscore + 1)..].Replace('_', '.');
    }
}
