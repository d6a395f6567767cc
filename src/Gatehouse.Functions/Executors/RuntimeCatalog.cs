using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gatehouse.Functions.Executors;

/// <summary>How a runtime family is started on this machine.</summary>
internal enum RuntimeFamily
{
    Python,
    Node,
    Provided,
}

/// <summary>
/// Maps Lambda runtime names to what runs them here: python3.x on the machine's Python (the
/// bootstrap Gatehouse ships), nodejs*.x on the machine's Node, provided.* as the zip's own
/// <c>bootstrap</c>. Interpreters come from <see cref="FunctionsOptions.Interpreters"/> (default:
/// <c>python3</c> and <c>node</c>, the system's first). When the exact version asked for is not the one
/// installed, the function still runs and its log says on what.
/// </summary>
internal sealed class RuntimeCatalog
{
    private readonly FunctionsOptions _options;
    private readonly ConcurrentDictionary<string, Lazy<(string Path, string? Version)>> _interpreters = new(StringComparer.Ordinal);

    public RuntimeCatalog(FunctionsOptions options)
    {
        _options = options;
        RuntimeDirectory = options.RuntimeDirectory ?? FindRuntimeDirectory();
    }

    /// <summary>Where the shipped bootstraps live (runtimes/python/bootstrap.py, runtimes/node/bootstrap.js).</summary>
    public string RuntimeDirectory { get; }

    public static bool TryGetFamily(string runtime, out RuntimeFamily family)
    {
        if (runtime.StartsWith("python3", StringComparison.Ordinal))
            family = RuntimeFamily.Python;
        else if (runtime.StartsWith("nodejs", StringComparison.Ordinal))
            family = RuntimeFamily.Node;
        else if (runtime.StartsWith("provided", StringComparison.Ordinal))
            family = RuntimeFamily.Provided;
        else
        {
            family = default;
            return false;
        }
        return true;
    }

    /// <summary>The program and arguments that start an environment of <paramref name="runtime"/>.</summary>
    public (string Program, IReadOnlyList<string> Arguments, string? Notice) Launch(string runtime, string taskRoot, int memorySize)
    {
        if (!TryGetFamily(runtime, out var family))
            throw new InvalidOperationException("Unsupported runtime " + runtime);
        switch (family)
        {
            case RuntimeFamily.Python:
            {
                var (interpreter, version) = Interpreter(runtime, "python3", PythonProbe);
                // -B: the code folder is shared and read-only, so no .pyc files are written there.
                // -u: print() reaches the log as it happens (as Lambda's runtime makes it), so it
                // survives a timeout and keeps its order with stderr; stdout is a pipe here.
                return (interpreter, ["-B", "-u", Path.Combine(RuntimeDirectory, "python", "bootstrap.py")], Notice(runtime, interpreter, version, "Python ", runtime["python".Length..]));
            }
            case RuntimeFamily.Node:
            {
                var (interpreter, version) = Interpreter(runtime, "node", NodeProbe);
                // The V8 heap limit is the memory limit Node can enforce on itself.
                var heap = Math.Max(64, memorySize * 9 / 10);
                return (interpreter, ["--max-old-space-size=" + heap.ToString(System.Globalization.CultureInfo.InvariantCulture), Path.Combine(RuntimeDirectory, "node", "bootstrap.js")],
                    Notice(runtime, interpreter, version, "v", runtime["nodejs".Length..].TrimEnd('x').TrimEnd('.')));
            }
            default:
                return (Path.Combine(taskRoot, "bootstrap"), [], null);
        }
    }

    // Each probe prints the interpreter's real executable, then its version ("Python 3.11.7", "v20.1.0").
    private static readonly string[] PythonProbe = ["-c", "import sys, platform; print(sys.executable); print('Python ' + platform.python_version())"];
    private static readonly string[] NodeProbe = ["-e", "console.log(process.execPath); console.log(process.version)"];

    /// <summary>The folders of Lambda's own PATH, where a machine's system interpreters live.</summary>
    private static readonly string[] SystemBin = ["/usr/local/bin", "/usr/bin", "/bin"];

    /// <summary>
    /// The interpreter's real executable and version, asked of the interpreter itself once. A bare
    /// name is looked up on Lambda's PATH first (the machine's system interpreter: a clean one, as
    /// Lambda's is, rather than a developer's environment whose extra packages would hide what a zip
    /// lacks), then on the server's PATH. The real executable is what runs: a version manager's shim
    /// (pyenv, nvm, asdf) would add its own variables to the function's environment.
    /// </summary>
    private (string Path, string? Version) Interpreter(string runtime, string fallback, string[] probe)
    {
        var program = _options.Interpreters.GetValueOrDefault(runtime)
            ?? _options.Interpreters.GetValueOrDefault(fallback)
            ?? fallback;
        return _interpreters.GetOrAdd(program, p => new Lazy<(string, string?)>(() => Probe(OnSystemPath(p) ?? p, probe))).Value;
    }

    private static string? OnSystemPath(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal) || OperatingSystem.IsWindows())
            return null;
        foreach (var directory in SystemBin)
        {
            var candidate = Path.Combine(directory, program);
            try
            {
                if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                    return candidate;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not readable: keep looking.
            }
        }
        return null;
    }

    private static (string Path, string? Version) Probe(string program, string[] probe)
    {
        try
        {
            var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in probe)
                info.ArgumentList.Add(argument);
            using var process = Process.Start(info);
            if (process is null)
                return (program, null);
            var error = process.StandardError.ReadToEndAsync();
            var lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            process.WaitForExit(10_000);
            _ = error.Result;
            if (process.ExitCode != 0 || lines.Length < 2 || !Path.IsPathRooted(lines[0]) || !File.Exists(lines[0]))
                return (program, null);
            return (lines[0], lines[1]);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // Not installed (or not runnable): environments fail to start with the runtime's own error.
            return (program, null);
        }
    }

    /// <summary>A log line when the interpreter's version is not the runtime's (python3.13 on Python 3.11).</summary>
    private static string? Notice(string runtime, string interpreter, string? installed, string versionPrefix, string wanted)
    {
        if (installed is null)
            return $"Gatehouse: {runtime} runs on '{interpreter}', whose version could not be determined.";
        var number = installed.StartsWith(versionPrefix, StringComparison.Ordinal) ? installed[versionPrefix.Length..] : installed;
        if (number == wanted || number.StartsWith(wanted + ".", StringComparison.Ordinal))
            return null;
        return $"Gatehouse: {runtime} is not installed on this machine; running on the nearest available interpreter, {installed} ({interpreter}).";
    }

    private static string FindRuntimeDirectory()
    {
        // Next to the server build output; failing that, the repository's runtimes/ folder.
        var beside = Path.Combine(AppContext.BaseDirectory, "lambda-runtimes");
        if (File.Exists(Path.Combine(beside, "python", "bootstrap.py")))
            return beside;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "runtimes");
            if (File.Exists(Path.Combine(candidate, "python", "bootstrap.py")))
                return candidate;
        }
        return beside;
    }
}
