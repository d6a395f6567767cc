using System.Collections.Concurrent;

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

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public SignInThrottle(TimeProvider time) => _time = time;

    private sealed record Entry(int Failures, DateTimeOffset LastFailure, DateTimeOffset LockedUntil);

    public bool IsLockedOut(string key)
    {
        if (!_entries.TryGetValue(key, out var entry))
            return false;
        return entry.LockedUntil > _time.GetUtcNow();
    }

    public void RecordFailure(string key)
    {
        var now = _time.GetUtcNow();
        _entries.AddOrUpdate(key,
            _ => new Entry(1, now, DateTimeOffset.MinValue),
            (_, old) =>
            {
                var failures = now - old.LastFailure > Forget ? 1 : old.Failures + 1;
                var lockedUntil = DateTimeOffset.MinValue;
                if (failures > FreeFailures)
                {
                    var seconds = Math.Min(Math.Pow(2, failures - FreeFailures - 1), MaxLockout.TotalSeconds);
                    lockedUntil = now + TimeSpan.FromSeconds(seconds);
                }
                return new Entry(failures, now, lockedUntil);
            });
    }

    public void RecordSuccess(string key) => _entries.TryRemove(key, out _);

    public void Clear() => _entries.Clear();
}
