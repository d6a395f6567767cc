using System.Globalization;
using System.Text;

namespace Gatehouse.Functions.Invocation;

/// <summary>
/// The hand-off between the pool and the runtime: an invocation is assigned (<see cref="Deliver"/>),
/// the runtime's GET /next takes it (<see cref="NextAsync"/>), and from then its deadline runs; when the
/// deadline passes first, the invocation times out and the environment is replaced.
/// </summary>
internal sealed partial class ExecutionEnvironment
{
    /// <summary>Hands a warm environment its next invocation.</summary>
    /// <remarks>
    /// Its deadline starts now, whether or not the runtime is asking for an event yet: a runtime that
    /// never asks again (stuck, or its request taken by someone else) times the invocation out after
    /// the function's timeout, as a slow handler would, instead of leaving the caller waiting.
    /// </remarks>
    public void Deliver(PendingInvocation invocation)
    {
        TaskCompletionSource<PendingInvocation?>? waiter;
        lock (_gate)
        {
            _current = invocation;
            _delivered = false;
            ArmDeadlineLocked(invocation);
            waiter = _waiter;
            _waiter = null;
            if (waiter is not null)
                BeginLocked(invocation);
        }
        waiter?.TrySetResult(invocation);
    }

    public ValueTask<PendingInvocation?> NextAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<PendingInvocation?> waiter;
        lock (_gate)
        {
            if (_stopped)
                return ValueTask.FromResult<PendingInvocation?>(null);
            if (!_initialized)
            {
                _initialized = true;
                _initDurationMs = _services.Time.GetElapsedTime(_createdTimestamp).TotalMilliseconds;
            }
            if (_current is { } current && !_delivered)
            {
                BeginLocked(current);
                return ValueTask.FromResult<PendingInvocation?>(current);
            }
            waiter = new TaskCompletionSource<PendingInvocation?>();
            _waiter = waiter;
        }
        // No cancellation registration on this hot path: stopping the environment completes the waiter with null.
        return new ValueTask<PendingInvocation?>(waiter.Task);
    }

    /// <summary>
    /// The invocation's deadline (Lambda-Runtime-Deadline-Ms) and the timer that enforces it, from now
    /// unless already set: a warm invocation's from its delivery, a cold one's from the end of init.
    /// </summary>
    private void ArmDeadlineLocked(PendingInvocation invocation)
    {
        if (invocation.DeadlineMs != 0)
            return;
        invocation.DeadlineMs = _services.Time.GetUtcNow().ToUnixTimeMilliseconds() + _config.Timeout * 1000L;
        _timer.Change(TimeSpan.FromSeconds(_config.Timeout), Timeout.InfiniteTimeSpan);
    }

    /// <inheritdoc/>
    public void CancelNext()
    {
        TaskCompletionSource<PendingInvocation?>? waiter;
        lock (_gate)
        {
            waiter = _waiter;
            _waiter = null;
        }
        waiter?.TrySetResult(null);
    }

    private void BeginLocked(PendingInvocation invocation)
    {
        _delivered = true;
        invocation.StartedTimestamp = _services.Time.GetTimestamp();
        ArmDeadlineLocked(invocation);
        var start = "START RequestId: " + invocation.RequestId + " Version: " + _config.Version;
        _pump!.AtBoundary(() =>
        {
            _logTarget = invocation;
            if (invocation.WantsLogTail)
                invocation.Log = new StringBuilder(256);
            Append(start);
        });
    }

    private void OnTimeout()
    {
        string requestId;
        lock (_gate)
        {
            if (_stopped || _current is null)
                return;
            requestId = _current.RequestId;
        }
        LogTimedOut(_services.Logger, _config.Name, _config.Version, _config.Timeout);
        var line = $"{_services.Time.GetUtcNow():yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {requestId} Task timed out after {_config.Timeout.ToString("0.00", CultureInfo.InvariantCulture)} seconds";
        FailAndStop(PlatformError("Sandbox.Timedout", $"RequestId: {requestId} Error: Task timed out after {_config.Timeout.ToString("0.00", CultureInfo.InvariantCulture)} seconds"), line);
    }
}
