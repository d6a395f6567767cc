namespace Gatehouse.Functions.Executors;

/// <summary>
/// Starts the runtime of an execution environment. The environment owns the lifecycle (Init →
/// Idle ⇄ Busy → Stopped), the Runtime API and the log; the executor only starts the runtime and
/// hands back a <see cref="IRuntimeHandle"/> to watch and end it. The server's one is
/// <see cref="LocalProcessExecutor"/> (a local process, sandboxed when bubblewrap works).
/// </summary>
internal interface IRuntimeExecutor
{
    /// <summary>Starts the runtime.</summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The program could not be started.</exception>
    /// <exception cref="IOException">The program or its folders could not be read.</exception>
    /// <exception cref="InvalidOperationException">The start request was not valid.</exception>
    IRuntimeHandle Start(RuntimeLaunch launch);
}

/// <summary>What to start: the runtime's program and arguments, in the function's code folder, with exactly <see cref="Environment"/>.</summary>
/// <param name="Program">The interpreter or bootstrap (an absolute path).</param>
/// <param name="Arguments">Its arguments.</param>
/// <param name="TaskRoot">The function's unpacked code (LAMBDA_TASK_ROOT), the working folder.</param>
/// <param name="TempDirectory">The environment's writable temporary folder (TMPDIR).</param>
/// <param name="RuntimeDirectory">The shipped bootstraps (LAMBDA_RUNTIME_DIR).</param>
/// <param name="Environment">The runtime's whole environment: never the server's.</param>
/// <param name="EphemeralStorageMb">The function's /tmp size.</param>
internal sealed record RuntimeLaunch(
    string Program,
    IReadOnlyList<string> Arguments,
    string TaskRoot,
    string TempDirectory,
    string RuntimeDirectory,
    IReadOnlyDictionary<string, string> Environment,
    int EphemeralStorageMb);

/// <summary>A started runtime.</summary>
internal interface IRuntimeHandle : IDisposable
{
    /// <summary>The runtime's stdout and stderr, merged in the order written: the log pump reads it.</summary>
    Stream Output { get; }

    /// <summary>Completes with the exit code when the runtime has exited (more than 128: killed by signal code − 128).</summary>
    Task<int> Exited { get; }

    /// <summary>Peak memory the runtime has used so far, in MB (0 when unknown).</summary>
    int PeakMemoryMb();

    /// <summary>Ends the runtime and everything it started; nothing happens if it has already exited.</summary>
    void Kill();
}
