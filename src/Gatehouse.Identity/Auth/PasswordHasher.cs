using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Identity.Auth;

/// <summary>
/// Slow salted password hashes: PBKDF2-HMAC-SHA256 with 600,000 iterations (OWASP's 2023 figure)
/// and a 16-byte random salt, stored as <c>pbkdf2-sha256$iterations$salt$hash</c> so the iteration
/// count can be raised later without breaking stored hashes.
/// </summary>
internal static class PasswordHasher
{
    public const int Iterations = 600_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    private const string Scheme = "pbkdf2-sha256";

    // Verified against when a user does not exist, so an unknown user costs as much as a wrong password.
    private static readonly Lazy<string> Decoy = new(() => Hash("gatehouse-decoy-" + Guid.NewGuid()));

    /// <summary>
    /// One slot per core: a hash takes a core for its whole duration, so more at once only slows every
    /// request (health checks and token checks included). A few callers may wait for a slot; beyond
    /// that, or after waiting too long, the call is shed with TooManyRequestsException, which the
    /// SDKs retry with back-off.
    /// </summary>
    private static readonly SemaphoreSlim Slots = new(Environment.ProcessorCount, Environment.ProcessorCount);
    private static readonly int MaxWaiting = 4 * Environment.ProcessorCount;
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);
    private static int _waiting;

    /// <summary>Takes a hashing slot until disposed; throws TooManyRequestsException when the server is saturated.</summary>
    public static Slot EnterSlot()
    {
        if (Slots.Wait(0))
            return new Slot();
        if (Interlocked.Increment(ref _waiting) > MaxWaiting)
        {
            Interlocked.Decrement(ref _waiting);
            throw IdentityErrors.TooManyRequests();
        }
        try
        {
            return Slots.Wait(MaxWait) ? new Slot() : throw IdentityErrors.TooManyRequests();
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public readonly struct Slot : IDisposable
    {
        public void Dispose() => Slots.Release();
    }

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    public static bool Verify(string password, string? stored)
    {
        var parts = (stored ?? Decoy.Value).Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations))
            return false;
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected) && stored is not null;
    }

    /// <summary>Spends the time of one verification without a user (unknown-user path).</summary>
    public static bool VerifyDecoy(string password) => Verify(password, null);
}
