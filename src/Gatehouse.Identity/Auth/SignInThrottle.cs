namespace Gatehouse.Identity.Auth;

/// <summary>
/// Cognito's lockout for failed sign-ins (https://docs.aws.amazon.com/cognito/latest/developerguide/authentication.html#authentication-flow-lockout-behavior): five failures are free; each further one
/// locks the user out for 1 s, doubling up to 15 minutes; attempts during a lockout are refused
/// without checking the password (so they do not extend it), and 15 minutes without a failure
/// forgets the history. The cap is what keeps one attacker from locking a user out for good.
/// Kept in memory: a restart forgives everyone, as a short lockout should.
/// </summary>
internal sealed class SignInThrottle
{
    private const int FreeFailures = 5;
    private static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Forget = TimeSpan.FromMinutes(15);

    private const int MaxEntries = 100_000;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    public SignInThrottle(TimeProvider time) => _time = time;

    private sealed record Entry(int Failures, DateTimeOffset LastFailure, DateTimeOffset LockedUntil);

    /// <summary>
    /// Reserves one attempt before the password is checked, so concurrent guesses cannot all slip
    /// in before the first failure is counted: the attempt counts as a failure now (and may start a
    /// lockout) and <see cref="RecordSuccess"/> forgives it. False, changing nothing, during a lockout.
    /// </summary>
    public bool TryBegin(string key)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            _entries.TryGetValue(key, out var old);
            if (old is not null && old.LockedUntil > now)
                return false;
            var failures = old is null || now - old.LastFailure > Forget ? 1 : old.Failures + 1;
            _entries[key] = new Entry(failures, now, LockedUntil(failures, now));
            if (_entries.Count > MaxEntries)
                Prune(now);
            return true;
        }
    }

    /// <summary>
    /// The reserved attempt failed: its lockout runs from now, when the caller hears the answer,
    /// not from when the (slow) check began.
    /// </summary>
    public void RecordFailure(string key)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry))
                _entries[key] = entry with { LastFailure = now, LockedUntil = LockedUntil(entry.Failures, now) };
        }
    }

    private static DateTimeOffset LockedUntil(int failures, DateTimeOffset now) =>
        failures > FreeFailures
            ? now + TimeSpan.FromSeconds(Math.Min(Math.Pow(2, failures - FreeFailures - 1), MaxLockout.TotalSeconds))
            : DateTimeOffset.MinValue;

    /// <summary>Whether attempts are refused right now (without reserving one).</summary>
    public bool IsLockedOut(string key)
    {
        lock (_lock)
            return _entries.TryGetValue(key, out var entry) && entry.LockedUntil > _time.GetUtcNow();
    }

    // Unknown names are throttled too, so a name spray grows this; histories older than the
    // forgetting time mean nothing and go first.
    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (now - entry.LastFailure > Forget)
                _entries.Remove(key);
        }
    }

    public void RecordSuccess(string key)
    {
        lock (_lock)
            _entries.Remove(key);
    }

    public void Clear()
    {
        lock (_lock)
            _entries.Clear();
    }
}
