using System.Collections.Concurrent;
using Gatehouse.Core.Security;

namespace Gatehouse.Identity.OAuth;

/// <summary>A browser's sign-in on a domain: lets /oauth2/authorize skip the login page for an hour.</summary>
internal sealed record HostedSession(string PoolId, string UserKey, string Sub, string CredentialStamp, long AuthTime, DateTimeOffset Expires);

/// <summary>
/// Hosted-UI sessions, named by a random cookie value. In memory: a restart signs browsers out,
/// which is what a short-lived session cookie promises anyway.
/// </summary>
internal sealed class HostedSessions
{
    /// <summary>Cognito's hosted-UI session cookies last one hour.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, HostedSession> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public HostedSessions(TimeProvider time) => _time = time;

    public string Add(HostedSession session)
    {
        Sweep();
        var id = Secrets.NewToken();
        _sessions[id] = session;
        return id;
    }

    public HostedSession? Get(string? id) =>
        id is not null && _sessions.TryGetValue(id, out var session) && session.Expires > _time.GetUtcNow() ? session : null;

    public void Remove(string? id)
    {
        if (id is not null)
            _sessions.TryRemove(id, out _);
    }

    public void Clear() => _sessions.Clear();

    private void Sweep()
    {
        if (_sessions.Count < 10_000)
            return;
        var now = _time.GetUtcNow();
        foreach (var (id, session) in _sessions)
        {
            if (session.Expires <= now)
                _sessions.TryRemove(id, out _);
        }
    }
}
