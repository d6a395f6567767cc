using System.Diagnostics;
using Gatehouse.Functions.Executors;

namespace Gatehouse.Functions.Tests;

/// <summary>
/// bubblewrap's <c>--die-with-parent</c> follows the thread that started it: a sandboxed environment
/// started from a thread that then ends is killed at once, and one started through
/// <see cref="ProcessLauncher"/> lives on.
/// </summary>
public sealed class ProcessLauncherTests
{
    [Fact]
    public void StartedFromAnEndingThread_KilledWithIt()
    {
        // What the launcher exists for: the kernel's behaviour, shown with a plain Process.Start.
        using var process = StartFromEndingThread(p => p.Start());
        Assert.True(process.WaitForExit(10_000), "the sandbox outlived the thread that started it");
        Assert.Equal(137, process.ExitCode); // SIGKILL
    }

    [Fact]
    public void StartedThroughTheLauncher_OutlivesTheAskingThread()
    {
        using var process = StartFromEndingThread(ProcessLauncher.Start);
        try
        {
            // The control above is killed within milliseconds of its thread's end.
            Assert.False(process.WaitForExit(1_000), "the sandbox died with the thread that asked for it");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    private static Process StartFromEndingThread(Action<Process> start)
    {
        var info = new ProcessStartInfo("bwrap") { UseShellExecute = false };
        foreach (var argument in new[] { "--dev-bind", "/", "/", "--die-with-parent", "sleep", "30" })
            info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        var thread = new Thread(() =>
        {
            start(process);
            // bwrap arms the signal itself, just after it starts: give it time before this thread ends.
            Thread.Sleep(300);
        });
        thread.Start();
        thread.Join();
        return process;
    }
}
