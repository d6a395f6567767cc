using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Identity.Auth;

/// <summary>SECRET_HASH = Base64(HMAC-SHA256(key: client secret, message: username + client id)) (https://docs.aws.amazon.com/cognito/latest/developerguide/signing-up-users-in-your-app.html#cognito-user-pools-computing-secret-hash).</summary>
internal static class SecretHash
{
    public static string Compute(string clientSecret, string username, string clientId) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(clientSecret), Encoding.UTF8.GetBytes(username + clientId)));

    /// <summary>True when <paramref name="supplied"/> is the hash over any of <paramref name="usernames"/>.</summary>
    public static bool Matches(string supplied, string clientSecret, string clientId, params ReadOnlySpan<string?> usernames)
    {
        byte[] given;
        try
        {
            given = Convert.FromBase64String(supplied);
        }
        catch (FormatException)
        {
            return false;
        }
        var matched = false;
        foreach (var username in usernames)
        {
            if (username is null)
                continue;
            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(clientSecret), Encoding.UTF8.GetBytes(username + clientId));
            matched |= CryptographicOperations.FixedTimeEquals(expected, given);
        }
        return matched;
    }
}
