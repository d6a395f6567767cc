using System.Diagnostics;

namespace Gatehouse.Functions.Executors;

/// <summary>
/// Runs each execution environment inside a bubblewrap sandbox (Debian's <c>bubblewrap</c>, the
/// tool Flatpak uses): its own PID, IPC and UTS namespaces (no view of the server or of other
/// environments, nothing to signal), the file system read-only, a fresh <c>/tmp</c>, and hidden —
/// overmounted with empty folders — Gatehouse's data directory (the store, the key that unseals
/// every pool's keys, every function's code), the in-memory store's temporary folders, and the
/// credentials in home folders (a developer's <c>~/.aws</c>, <c>~/.ssh</c>, …). The function's own code and its temporary folder are
/// mounted back: the code read-only, the temporary folder writable. All capabilities are dropped,
/// the whole tree dies with the environment's process (PID 1 of its namespace) and with the server
/// (<c>--die-with-parent</c>; the process is started by <see cref="ProcessLauncher"/>, whose thread lives as long as the
/// server, because that signal follows the starting thread). The network is shared: functions call Gatehouse on loopback.
/// </summary>
internal sealed class Sandbox
{
    private readonly string _bwrap;
    private readonly string[] _hidden;

    private Sandbox(string bwrap, string[] hidden)
    {
        _bwrap = bwrap;
        _hidden = hidden;
    }

    /// <summary>
    /// The sandbox if this machine can make one (bubblewrap installed and namespaces allowed),
    /// else null with the reason.
    /// </summary>
    public static Sandbox? TryCreate(IEnumerable<string> hidden, out string? unavailable)
    {
        var bwrap = new[] { "/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap" }.FirstOrDefault(File.Exists);
        if (bwrap is null)
        {
            unavailable = "bubblewrap (bwrap) is not installed";
            return null;
        }
        try
        {
            var probe = new ProcessStartInfo(bwrap) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in new[] { "--ro-bind", "/", "/", "--unshare-pid", "--die-with-parent", "--cap-drop", "ALL", "--", "/bin/true" })
                probe.ArgumentList.Add(argument);
            using var process = Process.Start(probe)!;
            var error = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(10_000) || process.ExitCode != 0)
            {
                unavailable = "bubblewrap cannot create namespaces here: " + error.Trim();
                return null;
            }
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            unavailable = "bubblewrap could not be started: " + e.Message;
            return null;
        }
        unavailable = null;
        return new Sandbox(bwrap, hidden.Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p))).Distinct(StringComparer.Ordinal).ToArray());
    }

    /// <summary>Turns <paramref name="info"/> (the runtime's command) into the same command inside a sandbox.</summary>
    public void Wrap(ProcessStartInfo info, string taskRoot, string tempDirectory, string program, string runtimeDirectory, int ephemeralStorageMb)
    {
        var inner = new List<string> { info.FileName };
        inner.AddRange(info.ArgumentList);
        info.FileName = _bwrap;
        info.ArgumentList.Clear();
        void Add(params string[] arguments)
        {
            foreach (var argument in arguments)
                info.ArgumentList.Add(argument);
        }
        Add("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc");
        Add("--size", (Math.Max(ephemeralStorageMb, 512) * 1024L * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), "--tmpfs", "/tmp");
        foreach (var hidden in _hidden)
        {
            if (Directory.Exists(hidden) && hidden != "/tmp")
                Add("--tmpfs", hidden);
            else if (File.Exists(hidden))
                Add("--ro-bind", "/dev/null", hidden);
        }
        // An interpreter installed under a hidden folder (e.g. ~/.pyenv) is mounted back read-only.
        var interpreterHome = Path.GetDirectoryName(Path.GetDirectoryName(program));
        if (interpreterHome is not null && _hidden.Any(h => interpreterHome.StartsWith(h + "/", StringComparison.Ordinal)))
            Add("--ro-bind", interpreterHome, interpreterHome);
        // The runtime's bootstrap too, should the build live under a hidden folder.
        if (_hidden.Any(h => runtimeDirectory.StartsWith(h + "/", StringComparison.Ordinal)))
            Add("--ro-bind", runtimeDirectory, runtimeDirectory);
        Add("--ro-bind", taskRoot, taskRoot);
        Directory.CreateDirectory(tempDirectory);
        Add("--bind", tempDirectory, tempDirectory);
        Add("--chdir", taskRoot);
        Add("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try");
        Add("--die-with-parent", "--new-session", "--cap-drop", "ALL", "--");
        foreach (var argument in inner)
            info.ArgumentList.Add(argument);
    }
}
