using System.Buffers.Text;
using System.Security.Cryptography;

namespace Gatehouse.Core.Security;

/// <summary>Unguessable values Gatehouse hands out: session ids, authorization codes, form-token cookies, Runtime API secrets.</summary>
public static class Secrets
{
    /// <summary>
    /// 256 random bits as base64url (43 characters): beyond guessing, and safe as it is in a URL path,
    /// a query string or a cookie (RFC 4648 §5, https://www.rfc-editor.org/rfc/rfc4648#section-5).
    /// </summary>
    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
