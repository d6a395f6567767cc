using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Identity.Auth;

/// <summary>
/// Remembers, for a few minutes, that a password was verified for a user, so a working set of users
/// signing in repeatedly does not pay the 600,000-iteration hash every time. An entry's key is
/// HMAC-SHA256 under a random per-process key over pool, username, the user's credential stamp
/// and the password: the cache holds no password and no unkeyed hash of one, a password change
/// (new stamp) makes old entries unreachable, and only successful checks are cached, so a wrong
/// guess always pays the full hash (a timing probe learns nothing a failed sign-in does not say).
/// See docs/identity.md.
/// </summary>
internal sealed class CredentialCache
{
    private const int MaxEntries = 100_000;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<UInt128Key, DateTimeOffset> _entries = new();
    private readonly TimeProvider _time;

    public CredentialCache(TimeProvider time, TimeSpan? lifetime = null)
    {
        _time = time;
        Lifetime = lifetime ?? TimeSpan.FromMinutes(5);
    }

    public TimeSpan Lifetime { get; }

    public int Count => _entries.Count;

    public bool Contains(string poolId, string username, string stamp, string password)
    {
        var key = Key(poolId, username, stamp, password);
        if (!_entries.TryGetValue(key, out var expires))
            return false;
        if (expires > _time.GetUtcNow())
            return true;
        _entries.TryRemove(key, out _);
        return false;
    }

    public void Add(string poolId, string username, string stamp, string password)
    {
        if (_entries.Count >= MaxEntries)
            Sweep();
        _entries[Key(poolId, username, stamp, password)] = _time.GetUtcNow() + Lifetime;
    }

    public void Clear() => _entries.Clear();

    private void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var (key, expires) in _entries)
        {
            if (expires <= now)
                _entries.TryRemove(key, out _);
        }
        if (_entries.Count >= MaxEntries)
            _entries.Clear();
    }

    private UInt128Key Key(string poolId, string username, string stamp, string password)
    {
        var message = Encoding.UTF8.GetBytes(string.Join('\0', poolId, username, stamp, password));
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, message, mac);
        CryptographicOperations.ZeroMemory(message);
        return new UInt128Key(BitConverter.ToUInt128(mac[..16]), BitConverter.ToUInt128(mac[16..]));
    }

    private readonly record struct UInt128Key(UInt128 High, UInt128 Low);
}
