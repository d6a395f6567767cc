using System.Collections.Concurrent;
using Gatehouse.Core.Security;

namespace Gatehouse.Identity.OAuth;

/// <summary>What an authorization code stands for until the client exchanges it.</summary>
internal sealed record AuthorizationGrant(
    string PoolId, string ClientId, string UserKey, string Sub, string RedirectUri, string Scope, string? Nonce,
    string? CodeChallenge, string? CodeChallengeMethod, long AuthTime, DateTimeOffset Expires);

/// <summary>
/// Authorization codes: random, single use, five minutes. Kept in memory: a code
/// outliving a restart is not worth a write, and a client whose code was lost simply signs in again.
/// Taking a code removes it atomically, so two concurrent exchanges cannot both succeed.
/// </summary>
internal sealed class AuthorizationCodes
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, AuthorizationGrant> _codes = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public AuthorizationCodes(TimeProvider time) => _time = time;

    public string Add(AuthorizationGrant grant)
    {
        Sweep();
        var code = Secrets.NewToken();
        _codes[code] = grant;
        return code;
    }

    /// <summary>Consumes a code; null when it is unknown, used or expired.</summary>
    public AuthorizationGrant? Take(string code) =>
        _codes.TryRemove(code, out var grant) && grant.Expires > _time.GetUtcNow() ? grant : null;

    public void Clear() => _codes.Clear();

    private void Sweep()
    {
        if (_codes.Count < 10_000)
            return;
        var now = _time.GetUtcNow();
        foreach (var (code, grant) in _codes)
        {
            if (grant.Expires <= now)
                _codes.TryRemove(code, out _);
        }
    }
}
