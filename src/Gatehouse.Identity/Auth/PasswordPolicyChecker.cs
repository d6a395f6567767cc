using Gatehouse.Identity.Model;

namespace Gatehouse.Identity.Auth;

/// <summary>Checks a password against a pool's policy, in Cognito's order and wording.</summary>
internal static class PasswordPolicyChecker
{
    /// <summary>Cognito's symbol set (plus space).</summary>
    private const string Symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

    public const string SignUpPrefix = "Password did not conform with policy: ";
    public const string ChangePrefix = "Password does not conform to policy: ";

    /// <summary>The first rule the password breaks, or null when it conforms.</summary>
    public static string? Problem(string password, PasswordPolicy policy)
    {
        if (password.Length < policy.MinimumLength)
            return "Password not long enough";
        if (policy.RequireLowercase && !password.Any(char.IsAsciiLetterLower))
            return "Password must have lowercase characters";
        if (policy.RequireUppercase && !password.Any(char.IsAsciiLetterUpper))
            return "Password must have uppercase characters";
        if (policy.RequireNumbers && !password.Any(char.IsAsciiDigit))
            return "Password must have numeric characters";
        if (policy.RequireSymbols && !password.Any(c => Symbols.Contains(c, StringComparison.Ordinal)))
            return "Password must have symbol characters";
        return null;
    }

    public static void Enforce(string password, PasswordPolicy policy, string prefix)
    {
        if (Problem(password, policy) is { } problem)
            throw IdentityErrors.InvalidPassword(prefix + problem);
    }

    /// <summary>A random temporary password that satisfies <paramref name="policy"/>.</summary>
    public static string Generate(PasswordPolicy policy)
    {
        const string lower = "abcdefghijkmnopqrstuvwxyz";
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        const string digits = "23456789";
        const string symbols = "!#%&*+-=?@^_";
        var length = Math.Max(policy.MinimumLength, 12);
        var chars = new List<char>
        {
            Pick(lower), Pick(upper), Pick(digits), Pick(symbols),
        };
        const string all = lower + upper + digits + symbols;
        while (chars.Count < length)
            chars.Add(Pick(all));
        System.Security.Cryptography.RandomNumberGenerator.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(chars));
        return new string([.. chars]);
    }

    private static char Pick(string alphabet) => alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(alphabet.Length)];
}
