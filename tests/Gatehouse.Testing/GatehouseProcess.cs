using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Gatehouse.Testing;

/// <summary>
/// A real Gatehouse server in its own OS process, on a free loopback port. Use one per test class
/// (<c>IClassFixture&lt;GatehouseProcess&gt;</c>) or derive to pass other options.
/// </summary>
public partial class GatehouseProcess : IAsyncDisposable, IDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    public GatehouseProcess() : this("--in-memory")
    {
    }

    protected GatehouseProcess(params string[] arguments) : this(arguments, "serve")
    {
    }

    /// <param name="verb">serve, or quickstart (which also creates the seed's stack).</param>
    protected GatehouseProcess(IReadOnlyList<string> arguments, string verb)
    {
        Arguments = arguments;
        Verb = verb;
        Start();
    }

    public IReadOnlyList<string> Arguments { get; }

    public string Verb { get; }

    /// <summary>e.g. http://127.0.0.1:41234</summary>
    public Uri Endpoint { get; private set; } = null!;

    public int Port => Endpoint.Port;

    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Everything the server printed so far (for assertions that secrets never reach the log).</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts (or restarts) the server and waits for its ready line.</summary>
    public void Start(params string[] extraArguments)
    {
        if (!File.Exists(Repository.ServerDll))
            throw new InvalidOperationException($"The server is not built: {Repository.ServerDll}. Run ./test.sh or dotnet build first.");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(Repository.ServerDll);
        info.ArgumentList.Add(Verb);
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add("0");
        foreach (var argument in Arguments.Concat(extraArguments))
            info.ArgumentList.Add(argument);
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("GATEHOUSE_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);

        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.AppendLine(e.Data);
            var match = ReadyLine().Match(e.Data);
            if (match.Success)
                ready.TrySetResult(new Uri(match.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.AppendLine(e.Data);
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("Gatehouse exited before it was ready:\n" + Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        if (!ready.Task.Wait(TimeSpan.FromSeconds(30)))
        {
            Kill();
            throw new TimeoutException("Gatehouse did not print its ready line within 30 s:\n" + Output);
        }
        Endpoint = ready.Task.Result;
    }

    /// <summary>Ends the server with SIGKILL: no chance to flush anything.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>Asks the server to stop with SIGTERM and waits for it to exit; returns its exit code.</summary>
    public int Terminate(TimeSpan timeout)
    {
        if (_process is null || _process.HasExited)
            return _process?.ExitCode ?? 0;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            kill.WaitForExit();
        if (!_process.WaitForExit((int)timeout.TotalMilliseconds))
        {
            Kill();
            throw new TimeoutException("Gatehouse did not stop within " + timeout);
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>An HttpClient for this server that signs AWS API calls as the SDKs do (see <see cref="SigningHandler"/>).</summary>
    public HttpClient CreateClient() => new(new SigningHandler()) { BaseAddress = Endpoint, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Runs the AWS CLI v2 against this server.</summary>
    public Task<CliResult> AwsAsync(params string[] arguments) => AwsCli.RunAsync(Endpoint, arguments);

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        GC.SuppressFinalize(this);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"Gatehouse ready on (https?://[^\s]+)")]
    private static partial Regex ReadyLine();
}
