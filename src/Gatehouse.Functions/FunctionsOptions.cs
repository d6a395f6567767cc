using System.Globalization;

namespace Gatehouse.Functions;

/// <summary>
/// Settings of the functions service. Read from <c>GATEHOUSE_FUNCTIONS_*</c> environment variables
/// (the server's own option loader knows only server-wide settings):
/// <c>GATEHOUSE_FUNCTIONS_CONCURRENCY</c> (server-wide concurrent invocations, default 64),
/// <c>GATEHOUSE_FUNCTIONS_IDLE_SECONDS</c> (idle environments are stopped after this, default 600),
/// <c>GATEHOUSE_FUNCTIONS_RETRY_SECONDS</c> (delay before retrying a failed Event invoke, default 1),
/// <c>GATEHOUSE_FUNCTIONS_LOG_EVENTS_PER_GROUP</c> (log events kept per function, default 100,000),
/// <c>GATEHOUSE_RUNTIME_&lt;NAME&gt;</c> (interpreter for a runtime or family, e.g.
/// <c>GATEHOUSE_RUNTIME_PYTHON3_13=/opt/python3.13/bin/python3</c>, <c>GATEHOUSE_RUNTIME_NODE=/usr/bin/node</c>).
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

    public static FunctionsOptions FromEnvironment(IReadOnlyDictionary<string, string?> environment)
    {
        var options = new FunctionsOptions();
        if (Number(environment, "GATEHOUSE_FUNCTIONS_CONCURRENCY") is { } concurrency)
            options.MaxConcurrency = (int)Math.Clamp(concurrency, 1, 10_000);
        if (Number(environment, "GATEHOUSE_FUNCTIONS_IDLE_SECONDS") is { } idle)
            options.IdleTimeout = TimeSpan.FromSeconds(Math.Max(0.1, idle));
        if (Number(environment, "GATEHOUSE_FUNCTIONS_RETRY_SECONDS") is { } retry)
            options.EventRetryDelay = TimeSpan.FromSeconds(Math.Max(0, retry));
        if (Number(environment, "GATEHOUSE_FUNCTIONS_LOG_EVENTS_PER_GROUP") is { } kept)
            options.LogEventsPerGroup = (int)Math.Clamp(kept, 100, 100_000_000);
        if (environment.TryGetValue("GATEHOUSE_SANDBOX", out var sandbox) && !string.IsNullOrEmpty(sandbox))
        {
            options.SandboxMode = sandbox.ToLowerInvariant() is "auto" or "off" or "required" ? sandbox.ToLowerInvariant()
                : throw new ArgumentException($"GATEHOUSE_SANDBOX must be auto, off or required, not '{sandbox}'.");
        }
        if (environment.TryGetValue("GATEHOUSE_RUNTIME_DIRECTORY", out var directory) && !string.IsNullOrEmpty(directory))
            options.RuntimeDirectory = directory;
        foreach (var (key, value) in environment)
        {
            if (!key.StartsWith("GATEHOUSE_RUNTIME_", StringComparison.Ordinal) || key == "GATEHOUSE_RUNTIME_DIRECTORY" || string.IsNullOrEmpty(value))
                continue;
            // PYTHON3_13 → python3.13; NODEJS20_X → nodejs20.x; PYTHON3 → python3.
            var name = key["GATEHOUSE_RUNTIME_".Length..].ToLowerInvariant();
            var underscore = name.IndexOf('_', StringComparison.Ordinal);
            if (underscore >= 0)
                name = name[..underscore] + "." + name[(underscore + 1)..].Replace('_', '.');
            options.Interpreters[name] = value;
        }
        return options;
    }

    private static double? Number(IReadOnlyDictionary<string, string?> environment, string key) =>
        environment.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
