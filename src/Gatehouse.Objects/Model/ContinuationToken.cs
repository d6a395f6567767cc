using System.Text;

namespace Gatehouse.Objects.Model;

/// <summary>
/// ListObjectsV2's opaque continuation token (the last key or common prefix of the page, base64url)
/// and the <c>encoding-type=url</c> form of keys in listings, which the SDKs ask for and decode.
/// </summary>
internal static class ContinuationToken
{
    public static string Encode(string after) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(after)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string? Decode(string token)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var written) ? Encoding.UTF8.GetString(bytes, 0, written) : null;
    }

    /// <summary>Percent-encoding of everything but unreserved characters and <c>/</c>.</summary>
    public static string UrlEncode(string text) => Uri.EscapeDataString(text).Replace("%2F", "/", StringComparison.Ordinal);
}
