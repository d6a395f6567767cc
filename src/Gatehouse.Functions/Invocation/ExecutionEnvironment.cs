using System.Globalization;
using System.Text;
using Gatehouse.Core;
using Gatehouse.Functions.Executors;
using Gatehouse.Functions.Logs;
using Gatehouse.Functions.Model;
using Gatehouse.Functions.RuntimeApi;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Functions.Invocation;

/// <summary>
/// One execution environment: a runtime (started by an <see cref="IRuntimeExecutor"/>) in the function's code folder, its own Runtime API
/// port, and the invocation it is running (at most one). It goes Init → (Idle ⇄ Busy) → Stopped;
/// a timeout, crash or init failure stops it for good and the pool starts a fresh one on demand.
/// </summary>
internal sealed partial class ExecutionEnvironment : IRuntimeApiHandler
{
    private static readonly byte[] ResponseTooLarge = """{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}"""u8.ToArray();

    private readonly Lock _gate = new();
    private readonly EnvironmentPool _pool;
    private readonly FunctionVersionConfig _config;
    private readonly EnvironmentServices _services;
    private readonly ITimer _timer;
    private readonly long _createdTimestamp;
    private RuntimeApiListener? _listener;
    private IRuntimeHandle? _runtime;
    private LogPump? _pump;
    private PendingInvocation? _current;
    private bool _delivered;
    private TaskCompletionSource<PendingInvocation?>? _waiter;
    private bool _initialized;
    private double _initDurationMs;
    private bool _initReported;
    private bool _initFailed;
    private bool _stopped;
    private PendingInvocation? _logTarget;

    public ExecutionEnvironment(EnvironmentPool pool, FunctionVersionConfig config, EnvironmentServices services)
    {
        _pool = pool;
        _config = config;
        _services = services;
        _createdTimestamp = services.Time.GetTimestamp();
        _timer = services.Time.CreateTimer(static s => ((ExecutionEnvironment)s!).OnTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var now = services.Time.GetUtcNow();
        LogStream = string.Create(CultureInfo.InvariantCulture, $"{now:yyyy'/'MM'/'dd}/[{config.Version}]{Guid.NewGuid():N}");
    }

    public string LogStream { get; }

    /// <summary>When the environment last became idle (TimeProvider timestamp), for reaping.</summary>
    public long IdleSince { get; set; }

    public bool IsStopped
    {
        get { lock (_gate) return _stopped; }
    }

    /// <summary>Starts the runtime process with its first invocation already assigned (a cold start).</summary>
    /// <remarks>Never throws: a failure to start is the invocation's error.</remarks>
    public void Start(PendingInvocation first, string taskRoot)
    {
        bool stopped;
        lock (_gate)
        {
            stopped = _stopped;
            if (!stopped)
            {
                _current = first;
                _delivered = false;
            }
        }
        if (stopped)
        {
            // Stopped (a reset, shutdown or retirement) between being created and being started.
            _pool.Abandon(first);
            return;
        }
        // A cold start may take up to the init limit (10 s) on top of the function's own timeout.
        _timer.Change(TimeSpan.FromSeconds(10 + _config.Timeout), Timeout.InfiniteTimeSpan);
        _services.Live[this] = 0;
        try
        {
            Directory.CreateDirectory(_pool.TempDirectory);
            // A runtime's connection may sit between an event and its result for the whole timeout.
            _listener = RuntimeApiListener.Start(this, RuntimeApiLimits.Default with { IdleTimeout = TimeSpan.FromSeconds(_config.Timeout + 10) });
            var (program, arguments, runtimeNotice) = _services.Runtimes.Launch(_config.Runtime, taskRoot, _config.MemorySize);
            var runtime = _services.Executor.Start(new RuntimeLaunch(program, arguments, taskRoot, _pool.TempDirectory,
                _services.Runtimes.RuntimeDirectory, RuntimeEnvironment(taskRoot, program), _config.EphemeralStorage));
            _runtime = runtime;
            _pump = new LogPump(runtime.Output, OnRuntimeLine);
            // E.g. "python3.13 is not installed; running on Python 3.11": in every new environment's log.
            if (runtimeNotice is not null)
                Append(runtimeNotice);
            _ = WatchExitAsync(runtime, _pump);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            LogStartFailed(_services.Logger, _config.Name, e);
            FailAndStop(PlatformError("Runtime.Unknown", $"RequestId: {first.RequestId} Error: the runtime could not be started"), "");
        }
    }

    private Dictionary<string, string> RuntimeEnvironment(string taskRoot, string program)
    {
        var config = _config;
        var memory = config.MemorySize.ToString(CultureInfo.InvariantCulture);
        // Lambda puts its language's bin folder (/var/lang/bin) first; here that is the interpreter's
        // own folder, so a `python3` or `node` the function starts is the one it runs on.
        const string lambdaPath = "/usr/local/bin:/usr/bin:/bin:/opt/bin";
        var languageBin = config.Runtime.StartsWith("provided", StringComparison.Ordinal) ? null : Path.GetDirectoryName(program);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = string.IsNullOrEmpty(languageBin) || lambdaPath.Split(':').Contains(languageBin) ? lambdaPath : languageBin + ":" + lambdaPath,
            ["LANG"] = "en_US.UTF-8",
            ["TZ"] = ":UTC",
            ["HOME"] = taskRoot,
            ["TMPDIR"] = _pool.TempDirectory,
            ["LD_LIBRARY_PATH"] = $"/lib64:/usr/lib64:{taskRoot}:{taskRoot}/lib:/opt/lib",
        };
        // The function's variables may override the unreserved defaults above, never the ones below.
        foreach (var (key, value) in config.Environment)
            environment[key] = value;
        environment["_HANDLER"] = config.Handler;
        environment["AWS_REGION"] = config.Region;
        environment["AWS_DEFAULT_REGION"] = config.Region;
        environment["AWS_LAMBDA_FUNCTION_NAME"] = config.Name;
        environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = memory;
        environment["AWS_LAMBDA_FUNCTION_VERSION"] = config.Version;
        environment["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
        environment["AWS_LAMBDA_LOG_GROUP_NAME"] = config.LogGroup;
        environment["AWS_LAMBDA_LOG_STREAM_NAME"] = LogStream;
        environment["AWS_LAMBDA_RUNTIME_API"] = _listener!.Address;
        environment["LAMBDA_TASK_ROOT"] = taskRoot;
        environment["LAMBDA_RUNTIME_DIR"] = _services.Runtimes.RuntimeDirectory;
        // Dummy execution-role credentials: SDK calls back into Gatehouse sign with them.
        environment["AWS_ACCESS_KEY_ID"] = "ASIAGATEHOUSEFUNCTION";
        environment["AWS_SECRET_ACCESS_KEY"] = "gatehouse-function-secret";
        environment["AWS_SESSION_TOKEN"] = "gatehouse-function-session";
        environment["AWS_ENDPOINT_URL"] = _services.PublicUrl;
        environment["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR";
        if (!config.Runtime.StartsWith("provided", StringComparison.Ordinal))
            environment["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + config.Runtime;
        return environment;
    }

    public RuntimeReply Respond(string requestId, byte[] body, bool tooLarge) =>
        Finish(requestId, tooLarge ? FunctionInvocationStatusError(ResponseTooLarge) : new InvocationOutcome(FunctionInvocationStatus.Success, body), tooLarge ? RuntimeReply.PayloadTooLarge : RuntimeReply.Accepted);

    public RuntimeReply ReportError(string requestId, byte[] body, string? errorType)
    {
        if (body.Length == 0)
            body = PlatformError(errorType ?? "Runtime.Unknown", "The runtime reported an error without details.");
        return Finish(requestId, FunctionInvocationStatusError(body), RuntimeReply.Accepted);
    }

    private static InvocationOutcome FunctionInvocationStatusError(byte[] body) => new(FunctionInvocationStatus.FunctionError, body);

    /// <summary>The invocation is answered: log END/REPORT, make the environment idle, answer the caller.</summary>
    private RuntimeReply Finish(string requestId, InvocationOutcome outcome, RuntimeReply reply)
    {
        PendingInvocation invocation;
        lock (_gate)
        {
            if (_current is null || !_delivered || _current.RequestId != requestId)
                return RuntimeReply.InvalidRequestId;
            invocation = _current;
            _current = null;
            _delivered = false;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        var duration = _services.Time.GetElapsedTime(invocation.StartedTimestamp).TotalMilliseconds;
        _pool.Release(this);
        WriteEndAndComplete(invocation, outcome, duration, errorLine: null);
        return reply;
    }

    private void WriteEndAndComplete(PendingInvocation invocation, InvocationOutcome outcome, double durationMs, string? errorLine)
    {
        var report = Report(invocation.RequestId, durationMs);
        var end = "END RequestId: " + invocation.RequestId;
        if (!invocation.WantsLogTail)
        {
            // The caller does not wait for the log: answer first, log in order as the pipe drains.
            invocation.TryComplete(outcome);
            _pump?.AtBoundary(() => WriteEnd(errorLine, end, report));
            if (_pump is null)
                WriteEnd(errorLine, end, report);
            return;
        }
        void Complete()
        {
            WriteEnd(errorLine, end, report);
            var log = invocation.Log?.ToString() ?? "";
            var bytes = Encoding.UTF8.GetBytes(log);
            var tail = bytes.Length > 4096 ? bytes.AsSpan(bytes.Length - 4096) : bytes;
            invocation.TryComplete(outcome with { LogTail = Convert.ToBase64String(tail) });
        }
        if (_pump is null)
            Complete();
        else
            _pump.AtBoundary(Complete);
    }

    private void WriteEnd(string? errorLine, string end, string report)
    {
        if (errorLine is not null)
            Append(errorLine);
        Append(end);
        Append(report);
        _logTarget = null;
    }

    private string Report(string requestId, double durationMs)
    {
        string? init = null;
        lock (_gate)
        {
            if (!_initReported)
            {
                _initReported = true;
                init = string.Create(CultureInfo.InvariantCulture, $"Init Duration: {_initDurationMs:0.00} ms\t");
            }
        }
        // One interpolation into a pooled buffer: a single string per REPORT line.
        return string.Create(CultureInfo.InvariantCulture,
            $"REPORT RequestId: {requestId}\tDuration: {durationMs:0.00} ms\tBilled Duration: {Math.Max(1, (long)Math.Ceiling(durationMs))} ms\tMemory Size: {_config.MemorySize} MB\tMax Memory Used: {MaxMemoryUsed()} MB\t{init}");
    }

    private int MaxMemoryUsed() => _runtime?.PeakMemoryMb() ?? 0;

    public RuntimeReply ReportInitError(byte[] body, string? errorType)
    {
        lock (_gate)
        {
            if (_initialized)
                return RuntimeReply.InvalidStateTransition;
            _initFailed = true;
        }
        if (body.Length == 0)
            body = PlatformError(errorType ?? "Runtime.Unknown", "The runtime failed to initialize.");
        FailAndStop(body, null);
        return RuntimeReply.Accepted;
    }

    /// <summary>Fails the current invocation (if any) with <paramref name="error"/> and stops the environment.</summary>
    private void FailAndStop(byte[] error, string? errorLine)
    {
        PendingInvocation? invocation;
        TaskCompletionSource<PendingInvocation?>? waiter;
        lock (_gate)
        {
            if (_stopped)
                return;
            _stopped = true;
            invocation = _current;
            _current = null;
            waiter = _waiter;
            _waiter = null;
        }
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _services.Live.TryRemove(this, out _);
        waiter?.TrySetResult(null);
        _pool.Remove(this, wasBusy: invocation is not null);
        if (invocation is not null)
        {
            var duration = invocation.StartedTimestamp == 0 ? 0 : _services.Time.GetElapsedTime(invocation.StartedTimestamp).TotalMilliseconds;
            if (invocation.StartedTimestamp == 0)
            {
                // It never reached the runtime (init failed): log its START here so END/REPORT pair up.
                var start = "START RequestId: " + invocation.RequestId + " Version: " + _config.Version;
                Append(start);
                if (invocation.WantsLogTail)
                    invocation.Log = new StringBuilder(start).Append('\n');
                _logTarget = invocation;
            }
            WriteEndAndComplete(invocation, FunctionInvocationStatusError(error), duration, errorLine);
        }
        Kill();
    }

    private async Task WatchExitAsync(IRuntimeHandle runtime, LogPump pump)
    {
        var exitCode = await runtime.Exited.ConfigureAwait(false);
        // Let the last output (a traceback, say) reach the log before the platform's lines.
        await Task.WhenAny(pump.Completion, Task.Delay(TimeSpan.FromSeconds(2), _services.Time)).ConfigureAwait(false);
        string? requestId;
        bool initFailed;
        lock (_gate)
        {
            requestId = _current?.RequestId;
            initFailed = _initFailed;
        }
        if (!initFailed)
        {
            if (requestId is not null)
                LogRuntimeExited(_services.Logger, _config.Name, _config.Version, exitCode);
            var status = exitCode > 128 ? "signal: " + SignalName(exitCode - 128) : "exit status " + exitCode.ToString(CultureInfo.InvariantCulture);
            FailAndStop(PlatformError("Runtime.ExitError", $"RequestId: {requestId} Error: Runtime exited with error: {status}"),
                requestId is null ? null : $"RequestId: {requestId} Error: Runtime exited with error: {status}\nRuntime.ExitError");
        }
        runtime.Dispose();
        if (_listener is not null)
            await _listener.DisposeAsync().ConfigureAwait(false);
        _timer.Dispose();
    }

    private static string SignalName(int signal) => signal switch
    {
        9 => "killed",
        15 => "terminated",
        11 => "segmentation fault",
        6 => "aborted",
        _ => signal.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Stops the environment (idle reaping, code update, reset, shutdown).</summary>
    public void Stop() => FailAndStop(PlatformError("Runtime.Unknown", "The execution environment was stopped."), null);

    private void Kill()
    {
        _runtime?.Kill();
        if (_runtime is null && _listener is not null)
        {
            _ = _listener.DisposeAsync().AsTask();
            _timer.Dispose();
        }
    }

    private void OnRuntimeLine(string line)
    {
        // Called under the pump's lock, in output order.
        Append(line);
    }

    private void Append(string message)
    {
        _services.Logs.Append(new LogEvent(_config.Account, _config.Region, _config.LogGroup, LogStream, _services.Logs.Now, message));
        if (_logTarget?.Log is { } log)
            log.Append(message).Append('\n');
    }

    private static byte[] PlatformError(string errorType, string message)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("errorType", errorType);
            writer.WriteString("errorMessage", message);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Function {Function}:{Version} timed out after {Timeout} s; its environment was replaced")]
    private static partial void LogTimedOut(ILogger logger, string function, string version, int timeout);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "The runtime of function {Function}:{Version} exited with code {ExitCode} during an invocation; its environment was replaced")]
    private static partial void LogRuntimeExited(ILogger logger, string function, string version, int exitCode);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Could not start an execution environment for function {Function}")]
    private static partial void LogStartFailed(ILogger logger, string function, Exception exception);
}
