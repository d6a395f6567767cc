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
/// <c>python3</c> and <c>node</c> on PATH). When the exact version asked for is not the one
/// installed, the function still runs and its log says on what.
/// </summary>
internal sealed class RuntimeCatalog
{
    private readonly FunctionsOptions _options;
    private readonly ConcurrentDictionary<string, Lazy<string?>> _installedVersions = new(StringComparer.Ordinal);

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
                var interpreter = Interpreter(runtime, "python3");
                // -B: the code folder is shared and read-only, so no .pyc files are written there.
                return (interpreter, ["-B", Path.Combine(RuntimeDirectory, "python", "bootstrap.py")], Notice(runtime, interpreter, "Python ", runtime["python".Length..]));
            }
            case RuntimeFamily.Node:
            {
                var interpreter = Interpreter(runtime, "node");
                // The V8 heap limit is the memory limit Node can enforce on itself.
                var heap = Math.Max(64, memorySize * 9 / 10);
                return (interpreter, ["--max-old-space-size=" + heap.ToString(System.Globalization.CultureInfo.InvariantCulture), Path.Combine(RuntimeDirectory, "node", "bootstrap.js")],
                    Notice(runtime, interpreter, "v", runtime["nodejs".Length..].TrimEnd('x').TrimEnd('.')));
            }
            default:
                return (Path.Combine(taskRoot, "bootstrap"), [], null);
        }
    }

    private string Interpreter(string runtime, string fallback) =>
        _options.Interpreters.GetValueOrDefault(runtime)
        ?? _options.Interpreters.GetValueOrDefault(fallback)
        ?? fallback;

    /// <summary>A log line when the interpreter's version is not the runtime's (python3.13 on Python 3.11).</summary>
    private string? Notice(string runtime, string interpreter, string versionPrefix, string wanted)
    {
        var installed = _installedVersions.GetOrAdd(interpreter, i => new Lazy<string?>(() => QueryVersion(i))).Value;
        if (installed is null)
            return $"Gatehouse: {runtime} runs on '{interpreter}', whose version could not be determined.";
        var number = installed.StartsWith(versionPrefix, StringComparison.Ordinal) ? installed[versionPrefix.Length..] : installed;
        if (number == wanted || number.StartsWith(wanted + ".", StringComparison.Ordinal))
            return null;
        return $"Gatehouse: {runtime} is not installed on this machine; running on the nearest available interpreter, {installed} ({interpreter}).";
    }

    private static string? QueryVersion(string interpreter)
    {
        try
        {
            var info = new ProcessStartInfo(interpreter, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(info);
            if (process is null)
                return null;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit(5000);
            return output.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
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
