using Gatehouse.Functions.Model;

namespace Gatehouse.Functions.Invocation;

/// <summary>
/// Counts concurrent invocations against a limit: one server-wide (the account's concurrency) and
/// one per function with reserved concurrency. Lock-free: the invoke path only does interlocked adds.
/// </summary>
internal sealed class ConcurrencyCounter
{
    private int _inFlight;

    /// <summary>The limit, or -1 for none (a function without reserved concurrency).</summary>
    public int Limit { get; set; } = -1;

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool TryEnter()
    {
        var now = Interlocked.Increment(ref _inFlight);
        var limit = Limit;
        if (limit >= 0 && now > limit)
        {
            Interlocked.Decrement(ref _inFlight);
            return false;
        }
        return true;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);
}

/// <summary>
/// The execution environments of one function version's code and configuration. Warm environments
/// wait on a stack (the most recently used is reused first, so the oldest age out); new ones start
/// when all are busy. A pool is retired when its function is updated or deleted: idle environments
/// stop at once, busy ones when they finish, so new code never shares a pool with old code.
/// </summary>
internal sealed class EnvironmentPool
{
    private readonly Lock _gate = new();
    private readonly Stack<ExecutionEnvironment> _idle = new();
    private readonly HashSet<ExecutionEnvironment> _all = [];
    private readonly EnvironmentServices _services;
    private readonly ConcurrencyCounter _account;
    private readonly ConcurrencyCounter _function;
    private bool _retired;

    public EnvironmentPool(FunctionVersionConfig config, string taskRoot, EnvironmentServices services, ConcurrencyCounter account, ConcurrencyCounter function)
    {
        Config = config;
        TaskRoot = taskRoot;
        _services = services;
        _account = account;
        _function = function;
        TempDirectory = Path.Combine(Path.GetTempPath(), "gatehouse-tmp-" + config.Name + "-" + Guid.NewGuid().ToString("N")[..8]);
    }

    public FunctionVersionConfig Config { get; }

    /// <summary>The unpacked code folder shared read-only by this pool's environments.</summary>
    public string TaskRoot { get; }

    /// <summary>Where the runtime's TMPDIR points (made on the first cold start).</summary>
    public string TempDirectory { get; }

    public int Count
    {
        get { lock (_gate) return _all.Count; }
    }

    public int IdleCount
    {
        get { lock (_gate) return _idle.Count; }
    }

    /// <summary>
    /// Runs the invocation on a warm environment or a new one; false when a concurrency limit is
    /// reached (the reason says which).
    /// </summary>
    public bool TryRun(PendingInvocation invocation, out string? throttleReason)
    {
        if (!_function.TryEnter())
        {
            throttleReason = "ReservedFunctionConcurrentInvocationLimitExceeded";
            return false;
        }
        if (!_account.TryEnter())
        {
            _function.Exit();
            throttleReason = "ConcurrentInvocationLimitExceeded";
            return false;
        }
        throttleReason = null;
        ExecutionEnvironment? environment = null;
        var cold = false;
        lock (_gate)
        {
            while (_idle.TryPop(out var candidate))
            {
                if (!candidate.IsStopped)
                {
                    environment = candidate;
                    break;
                }
            }
            if (environment is null)
            {
                environment = new ExecutionEnvironment(this, Config, _services);
                _all.Add(environment);
                cold = true;
            }
        }
        if (cold)
        {
            Directory.CreateDirectory(TempDirectory);
            environment.Start(invocation, TaskRoot);
        }
        else
        {
            environment.Deliver(invocation);
        }
        return true;
    }

    /// <summary>An environment finished its invocation and is ready for the next.</summary>
    public void Release(ExecutionEnvironment environment)
    {
        bool stop;
        lock (_gate)
        {
            stop = _retired;
            if (!stop)
            {
                environment.IdleSince = _services.Time.GetTimestamp();
                _idle.Push(environment);
            }
        }
        _function.Exit();
        _account.Exit();
        if (stop)
            environment.Stop();
    }

    /// <summary>An environment stopped (timeout, crash, reaping, retirement).</summary>
    public void Remove(ExecutionEnvironment environment, bool wasBusy)
    {
        bool last;
        lock (_gate)
        {
            _all.Remove(environment);
            last = _retired && _all.Count == 0;
        }
        if (wasBusy)
        {
            _function.Exit();
            _account.Exit();
        }
        if (last)
            DeleteTemp();
    }

    /// <summary>No new invocations: stop idle environments now and busy ones when they finish.</summary>
    public void Retire()
    {
        List<ExecutionEnvironment> idle;
        bool empty;
        lock (_gate)
        {
            _retired = true;
            idle = [.. _idle];
            _idle.Clear();
            empty = _all.Count == 0;
        }
        foreach (var environment in idle)
            environment.Stop();
        if (empty)
            DeleteTemp();
    }

    /// <summary>Stops every environment, busy or not (reset, shutdown).</summary>
    public void StopAll()
    {
        List<ExecutionEnvironment> all;
        lock (_gate)
        {
            _retired = true;
            all = [.. _all];
            _idle.Clear();
        }
        foreach (var environment in all)
            environment.Stop();
        DeleteTemp();
    }

    /// <summary>Stops environments idle for longer than <paramref name="idleTimeout"/>.</summary>
    public void Reap(TimeSpan idleTimeout)
    {
        List<ExecutionEnvironment>? expired = null;
        lock (_gate)
        {
            if (_idle.Count == 0)
                return;
            var keep = new List<ExecutionEnvironment>(_idle.Count);
            // Stack enumeration runs from the most recently used down to the oldest.
            foreach (var environment in _idle)
            {
                if (_services.Time.GetElapsedTime(environment.IdleSince) >= idleTimeout)
                    (expired ??= []).Add(environment);
                else
                    keep.Add(environment);
            }
            if (expired is null)
                return;
            _idle.Clear();
            for (var i = keep.Count - 1; i >= 0; i--)
                _idle.Push(keep[i]);
        }
        foreach (var environment in expired)
            environment.Stop();
    }

    private void DeleteTemp()
    {
        try
        {
            if (Directory.Exists(TempDirectory))
                Directory.Delete(TempDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a runtime may still be writing while it dies.
        }
    }
}
