using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Core.Security;

/// <summary>
/// AWS Signature Version 4: the one canonical-request implementation, used to sign Gatehouse's own
/// outgoing calls (the quickstart, <c>gatehouse logs</c>, tests) and, by the strict verifier, to
/// recompute the signature of incoming ones. The steps are those of AWS's documentation,
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html: canonical request,
/// string to sign, derived key (HMAC-SHA256 chain), signature.
/// </summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>Adds <c>X-Amz-Date</c>, <c>X-Amz-Content-Sha256</c> and <c>Authorization</c> to <paramref name="request"/>.</summary>
    public static void Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, string accessKeyId, string secretAccessKey,
        string region, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri!;
        var amzDate = AmzDate(now);
        var date = amzDate[..8];
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        request.Headers.Remove("X-Amz-Date");
        request.Headers.Remove("X-Amz-Content-Sha256");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Content-Sha256", payloadHash);

        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = request.Headers.Host ?? host,
            ["x-amz-content-sha256"] = payloadHash,
            ["x-amz-date"] = amzDate,
        };
        if (request.Headers.TryGetValues("X-Amz-Target", out var target))
            headers["x-amz-target"] = string.Join(',', target);
        if (request.Content?.Headers.ContentType is { } contentType)
            headers["content-type"] = contentType.ToString();
        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = CanonicalRequest(request.Method.Method, CanonicalUri(uri.AbsolutePath), CanonicalQuery(uri.Query.TrimStart('?')),
            headers.Select(h => (h.Key, h.Value)), signedHeaders, payloadHash);
        var scope = Scope(date, region, service);
        var signature = Signature(SigningKey(secretAccessKey, date, region, service), StringToSign(amzDate, scope, canonical));
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{Algorithm} Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    /// <summary><c>yyyyMMddTHHmmssZ</c>, the ISO 8601 basic format of <c>X-Amz-Date</c>.</summary>
    public static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string Scope(string date, string region, string service) => $"{date}/{region}/{service}/aws4_request";

    /// <summary>
    /// The canonical request: method, canonical URI, canonical query, the signed headers (lower-case
    /// names, in order, values trimmed with inner runs of spaces collapsed), the signed header list
    /// and the payload hash, separated by new lines.
    /// </summary>
    public static string CanonicalRequest(string method, string canonicalUri, string canonicalQuery,
        IEnumerable<(string Name, string Value)> headers, string signedHeaders, string payloadHash)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var canonical = new StringBuilder(256)
            .Append(method).Append('\n')
            .Append(canonicalUri).Append('\n')
            .Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in headers)
            canonical.Append(name).Append(':').Append(CanonicalHeaderValue(value)).Append('\n');
        return canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash).ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    /// <summary>The derived signing key: HMAC chain over date, region, service and <c>aws4_request</c>.</summary>
    public static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        return Hmac(key, "aws4_request");
    }

    public static string Signature(byte[] signingKey, string stringToSign) => Convert.ToHexStringLower(Hmac(signingKey, stringToSign));

    /// <summary>
    /// The canonical URI of every service but S3: the path as sent (already percent-encoded by the
    /// client) encoded once more, each byte outside the unreserved set and '/' as <c>%XX</c> — the
    /// "encoded twice" rule of the signing documentation.
    /// </summary>
    public static string CanonicalUri(string path)
    {
        if (string.IsNullOrEmpty(path))
            return "/";
        var builder = new StringBuilder(path.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(path))
        {
            if (b == '/' || IsUnreserved(b))
                builder.Append((char)b);
            else
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    /// <summary>
    /// The canonical query: each name and value decoded and re-encoded (RFC 3986 unreserved
    /// characters only), sorted by name then value, joined with '&amp;'. <paramref name="exclude"/>
    /// leaves one parameter out (<c>X-Amz-Signature</c> of a presigned URL).
    /// </summary>
    public static string CanonicalQuery(string query, string? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Length == 0)
            return "";
        var pairs = new List<(string Name, string Value)>();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            if (exclude is not null && name == exclude)
                continue;
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            pairs.Add((Uri.EscapeDataString(name), Uri.EscapeDataString(value)));
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name) is var c && c != 0 ? c : string.CompareOrdinal(a.Value, b.Value));
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    private static string CanonicalHeaderValue(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal))
            return trimmed;
        var builder = new StringBuilder(trimmed.Length);
        foreach (var c in trimmed)
        {
            if (c == ' ' && builder.Length > 0 && builder[^1] == ' ')
                continue;
            builder.Append(c);
        }
        return builder.ToString();
    }

    private static bool IsUnreserved(byte b) =>
        b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~';

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
