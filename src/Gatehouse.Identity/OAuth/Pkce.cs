using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Identity.OAuth;

/// <summary>Proof Key for Code Exchange (RFC 7636).</summary>
internal static class Pkce
{
    /// <summary>43–128 characters of the unreserved set, for both verifiers and challenges.</summary>
    public static bool IsWellFormed(string value) =>
        value.Length is >= 43 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    public static bool Verify(string challenge, string method, string verifier)
    {
        if (!IsWellFormed(verifier))
            return false;
        var expected = method == "S256"
            ? Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)))
            : verifier;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(challenge));
    }
}
