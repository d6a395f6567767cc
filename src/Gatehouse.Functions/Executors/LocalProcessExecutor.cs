using System.Diagnostics;
using System.Globalization;

namespace Gatehouse.Functions.Executors;

/// <summary>
/// Runs each runtime as a local process through <c>/bin/sh</c> (which merges stderr into stdout and
/// then becomes the runtime), inside the bubblewrap <see cref="Sandbox"/> when there is one.
/// </summary>
internal sealed class LocalProcessExecutor(Sandbox? sandbox) : IRuntimeExecutor
{
    public IRuntimeHandle Start(RuntimeLaunch launch)
    {
        // sh merges stderr into stdout (one ordered log) and then becomes the runtime (exec keeps the pid).
        var info = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = launch.TaskRoot,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" 2>&1");
        info.ArgumentList.Add(launch.Program);
        foreach (var argument in launch.Arguments)
            info.ArgumentList.Add(argument);
        // The runtime sees only the variables it is given: never the server's.
        info.Environment.Clear();
        foreach (var (key, value) in launch.Environment)
            info.Environment[key] = value;
        sandbox?.Wrap(info, launch.TaskRoot, launch.TempDirectory, launch.Program, launch.RuntimeDirectory, launch.EphemeralStorageMb);
        var process = new Process { StartInfo = info };
        try
        {
            ProcessLauncher.Start(process);
            process.StandardInput.Close();
        }
        catch
        {
            process.Dispose();
            throw;
        }
        return new Handle(process);
    }

    private sealed class Handle : IRuntimeHandle
    {
        private readonly Process _process;
        private long _memoryCheckedAt;
        private int _maxMemoryMb;

        public Handle(Process process)
        {
            _process = process;
            Output = process.StandardOutput.BaseStream;
            Exited = WaitAsync(process);
        }

        public Stream Output { get; }

        public Task<int> Exited { get; }

        private static async Task<int> WaitAsync(Process process)
        {
            await process.WaitForExitAsync().ConfigureAwait(false);
            return process.ExitCode;
        }

        /// <summary>Peak resident memory of the runtime (VmHWM), re-read at most every 250 ms: it only grows.</summary>
        public int PeakMemoryMb()
        {
            var now = Environment.TickCount64;
            if (_maxMemoryMb > 0 && now - _memoryCheckedAt < 250)
                return _maxMemoryMb;
            _memoryCheckedAt = now;
            try
            {
                foreach (var line in File.ReadLines("/proc/" + _process.Id.ToString(CultureInfo.InvariantCulture) + "/status"))
                {
                    if (!line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        continue;
                    var kb = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                    _maxMemoryMb = Math.Max(_maxMemoryMb, (int)((kb + 1023) / 1024));
                    break;
                }
            }
            catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or UnauthorizedAccessException)
            {
                // The process is gone; keep the last figure.
            }
            return _maxMemoryMb;
        }

        public void Kill()
        {
            try
            {
                if (!_process.HasExited)
                    _process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
                // Already gone.
            }
        }

        public void Dispose() => _process.Dispose();
    }
}
