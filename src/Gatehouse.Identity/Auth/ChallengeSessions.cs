using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Numerics;
using System.Security.Cryptography;

namespace Gatehouse.Identity.Auth;

/// <summary>A pending challenge (NEW_PASSWORD_REQUIRED) between a sign-in and its answer.</summary>
internal sealed record ChallengeSession(string PoolId, string ClientId, string UserKey, string Username, string Challenge, string CredentialStamp, DateTimeOffset Expires);

/// <summary>
/// The server half of an SRP exchange between InitiateAuth and the PASSWORD_VERIFIER answer.
/// <see cref="UserKey"/> is null for the decoy exchange run for unknown users when user existence
/// errors are prevented.
/// </summary>
internal sealed record SrpSession(string PoolId, string ClientId, string? UserKey, string Username, BigInteger ClientA, BigInteger ServerB, BigInteger ServerSecret, BigInteger Verifier, DateTimeOffset Expires);

/// <summary>
/// Short-lived, single-use challenge state, in memory: a Session string or an SRP SECRET_BLOCK names
/// an entry; answering successfully consumes it, so a replayed session is refused. A restart drops
/// pending challenges, which clients already handle (the session simply expired).
/// </summary>
internal sealed class ChallengeSessions
{
    private readonly ConcurrentDictionary<string, ChallengeSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SrpSession> _srp = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public ChallengeSessions(TimeProvider time) => _time = time;

    public string Add(ChallengeSession session)
    {
        Sweep();
        // Standard base64 like Cognito's own sessions: a base64url token starts with '-' one time in
        // 64, and the AWS CLI then reads `--session -…` as an option and refuses the command.
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(96));
        _sessions[token] = session;
        return token;
    }

    public ChallengeSession? Get(string? token) =>
        token is not null && _sessions.TryGetValue(token, out var session) && session.Expires > _time.GetUtcNow() ? session : null;

    public bool Remove(string token) => _sessions.TryRemove(token, out _);

    /// <summary>Stores SRP state and returns the SECRET_BLOCK (standard base64, as clients decode it) naming it.</summary>
    public string AddSrp(SrpSession session)
    {
        Sweep();
        var block = Convert.ToBase64String(RandomNumberGenerator.GetBytes(256));
        _srp[block] = session;
        return block;
    }

    /// <summary>Takes (consumes) the SRP state a SECRET_BLOCK names, if it is still valid.</summary>
    public SrpSession? TakeSrp(string block) =>
        _srp.TryRemove(block, out var session) && session.Expires > _time.GetUtcNow() ? session : null;

    public void Clear()
    {
        _sessions.Clear();
        _srp.Clear();
    }

    private void Sweep()
    {
        if (_sessions.Count + _srp.Count < 10_000)
            return;
        var now = _time.GetUtcNow();
        foreach (var (key, value) in _sessions)
        {
            if (value.Expires <= now)
                _sessions.TryRemove(key, out _);
        }
        foreach (var (key, value) in _srp)
        {
            if (value.Expires <= now)
                _srp.TryRemove(key, out _);
        }
    }
}
