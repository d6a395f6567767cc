using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gatehouse.Functions.Executors;

/// <summary>
/// Starts runtime processes from one thread that lives as long as the server. The sandbox asks
/// bubblewrap to die with its parent (<c>--die-with-parent</c>, that is <c>PR_SET_PDEATHSIG</c>), and
/// Linux sends that signal when the <i>thread</i> that forked the child exits, not the process
/// (https://man7.org/linux/man-pages/man2/PR_SET_PDEATHSIG.2const.html). Started from a thread-pool
/// thread, a warm environment would be killed whenever the pool retired that thread; started from
/// this one, it dies only with the server.
/// </summary>
internal static class ProcessLauncher
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Requests = [];

    static ProcessLauncher()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "gatehouse-process-launcher" };
        thread.Start();
    }

    /// <summary>Starts <paramref name="process"/> on the launcher thread; returns once it runs (or rethrows why it could not start).</summary>
    public static void Start(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((process, started));
        started.Task.GetAwaiter().GetResult();
    }

    private static void Run()
    {
        foreach (var (process, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
