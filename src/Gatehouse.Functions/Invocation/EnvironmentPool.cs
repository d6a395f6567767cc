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
/// <remarks>
/// Scale-out differs from AWS in one respect, on purpose: once <see cref="EnvironmentServices.WarmFirstThreshold"/>
/// environments (by default <see cref="DefaultWarmFirstThreshold"/>, two per core) are busy, a new invocation waits up to <see cref="ScaleOutDelay"/> for
/// one of them to finish, even when other environments are idle; after the delay it takes an idle
/// environment, or a new one. On a laptop every environment competes for the same cores: a burst of
/// 32 short requests spread over 32 interpreters costs a process wake-up per request, while a few
/// busy ones take their next event in the same read as their last result (throughput on 2 cores:
/// about 6,000 against 10,000 requests/s). Long-running invocations still run in parallel after the
/// delay, and concurrency limits and throttling are unchanged.
/// </remarks>
internal sealed class EnvironmentPool
{
    public static readonly int DefaultWarmFirstThreshold = Math.Max(2, Environment.ProcessorCount * 2);
    public static readonly TimeSpan ScaleOutDelay = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly Stack<ExecutionEnvironment> _idle = new();
    private readonly LinkedList<(PendingInvocation Invocation, long Since)> _waiting = new();
    private readonly HashSet<ExecutionEnvironment> _all = [];
    // The environments running (or starting with) an invocation: a set, so that every way out
    // (release, stop, crash) can remove an environment without double counting.
    private readonly HashSet<ExecutionEnvironment> _busy = [];
    private readonly EnvironmentServices _services;
    private readonly ConcurrencyCounter _account;
    private readonly ConcurrencyCounter _function;
    private bool _retired;
    // One timer for the whole queue (not one per queued invocation): it is due when the oldest
    // waiting invocation has waited ScaleOutDelay.
    private ITimer? _scaleOutTimer;
    private bool _scaleOutArmed;

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
        ExecutionEnvironment? environment;
        var cold = false;
        lock (_gate)
        {
            if (!_retired && _busy.Count >= _services.WarmFirstThreshold)
            {
                _waiting.AddLast((invocation, _services.Time.GetTimestamp()));
                if (!_scaleOutArmed)
                {
                    _scaleOutArmed = true;
                    _scaleOutTimer ??= _services.Time.CreateTimer(static s => ((EnvironmentPool)s!).ScaleOut(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _scaleOutTimer.Change(ScaleOutDelay, Timeout.InfiniteTimeSpan);
                }
                return true;
            }
            environment = PopIdleLocked();
            if (environment is null)
            {
                environment = new ExecutionEnvironment(this, Config, _services);
                _all.Add(environment);
                cold = true;
            }
            _busy.Add(environment);
        }
        if (cold)
            environment.Start(invocation, TaskRoot);
        else
            environment.Deliver(invocation);
        return true;
    }

    /// <summary>An environment finished its invocation and is ready for the next.</summary>
    public void Release(ExecutionEnvironment environment)
    {
        bool stop;
        PendingInvocation? next = null;
        lock (_gate)
        {
            stop = _retired;
            if (!stop && _waiting.First is { } first)
            {
                next = first.Value.Invocation;
                _waiting.RemoveFirst();
            }
            else
            {
                _busy.Remove(environment);
                if (!stop)
                {
                    environment.IdleSince = _services.Time.GetTimestamp();
                    _idle.Push(environment);
                }
            }
        }
        // The finished invocation leaves its concurrency slots; a waiting one already holds its own.
        _function.Exit();
        _account.Exit();
        if (next is not null)
            environment.Deliver(next);
        else if (stop)
            environment.Stop();
    }

    /// <summary>
    /// The scale-out timer: every invocation that has waited <see cref="ScaleOutDelay"/> without a
    /// warm environment taking it gets a new one; the timer is then due for the next oldest.
    /// </summary>
    private void ScaleOut()
    {
        List<(ExecutionEnvironment, PendingInvocation)>? starting = null;
        List<(ExecutionEnvironment, PendingInvocation)>? delivering = null;
        lock (_gate)
        {
            _scaleOutArmed = false;
            if (_retired)
                return;
            while (_waiting.First is { } first)
            {
                var waited = _services.Time.GetElapsedTime(first.Value.Since);
                if (waited < ScaleOutDelay)
                {
                    _scaleOutArmed = true;
                    _scaleOutTimer!.Change(ScaleOutDelay - waited, Timeout.InfiniteTimeSpan);
                    break;
                }
                _waiting.RemoveFirst();
                // An idle environment if there is one, else a new one, into _all and _busy in the same
                // lock that took the invocation off the queue: a reset in between sees it.
                if (PopIdleLocked() is { } idle)
                {
                    _busy.Add(idle);
                    (delivering ??= []).Add((idle, first.Value.Invocation));
                    continue;
                }
                var environment = new ExecutionEnvironment(this, Config, _services);
                _all.Add(environment);
                _busy.Add(environment);
                (starting ??= []).Add((environment, first.Value.Invocation));
            }
        }
        if (delivering is not null)
        {
            foreach (var (environment, invocation) in delivering)
                environment.Deliver(invocation);
        }
        if (starting is not null)
            StartAll(starting);
    }

    private ExecutionEnvironment? PopIdleLocked()
    {
        while (_idle.TryPop(out var candidate))
        {
            if (!candidate.IsStopped)
                return candidate;
        }
        return null;
    }

    /// <summary>Gives every queued invocation an environment of its own (the pool is being retired).</summary>
    private void StartQueued(List<PendingInvocation> queued)
    {
        var starting = new List<(ExecutionEnvironment, PendingInvocation)>(queued.Count);
        lock (_gate)
        {
            foreach (var invocation in queued)
            {
                var environment = new ExecutionEnvironment(this, Config, _services);
                _all.Add(environment);
                _busy.Add(environment);
                starting.Add((environment, invocation));
            }
        }
        StartAll(starting);
    }

    private void StartAll(List<(ExecutionEnvironment Environment, PendingInvocation Invocation)> starting)
    {
        // Start reports its own failures to the invocation; it never throws.
        foreach (var (environment, invocation) in starting)
            environment.Start(invocation, TaskRoot);
    }

    /// <summary>
    /// An invocation that will not run (its environment was stopped before it started, or the pool
    /// was stopped while it waited): it leaves its concurrency slots and its caller gets an error.
    /// </summary>
    public void Abandon(PendingInvocation invocation)
    {
        _function.Exit();
        _account.Exit();
        invocation.TryComplete(new InvocationOutcome(Gatehouse.Core.FunctionInvocationStatus.NotReady, ReadOnlyMemory<byte>.Empty));
    }

    /// <summary>An environment stopped (timeout, crash, reaping, retirement).</summary>
    public void Remove(ExecutionEnvironment environment, bool wasBusy)
    {
        bool last;
        lock (_gate)
        {
            _all.Remove(environment);
            _busy.Remove(environment);
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
        List<PendingInvocation> queued;
        bool empty;
        lock (_gate)
        {
            _retired = true;
            _scaleOutTimer?.Dispose();
            idle = [.. _idle];
            _idle.Clear();
            queued = [.. _waiting.Select(w => w.Invocation)];
            _waiting.Clear();
            empty = _all.Count == 0 && queued.Count == 0;
        }
        foreach (var environment in idle)
            environment.Stop();
        // Accepted before the update: they still run, on the code they were accepted for.
        StartQueued(queued);
        if (empty)
            DeleteTemp();
    }

    /// <summary>Stops every environment, busy or not (reset, shutdown).</summary>
    public void StopAll()
    {
        List<ExecutionEnvironment> all;
        List<PendingInvocation> queued;
        lock (_gate)
        {
            _retired = true;
            _scaleOutTimer?.Dispose();
            all = [.. _all];
            _idle.Clear();
            queued = [.. _waiting.Select(w => w.Invocation)];
            _waiting.Clear();
        }
        foreach (var environment in all)
            environment.Stop();
        foreach (var invocation in queued)
            Abandon(invocation);
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
