using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.Core;
using Gatehouse.Core.Security;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Protocol.Signing;

/// <summary>
/// The strict mode (<c>--auth sigv4</c>): recomputes the SigV4 signature of a request with the
/// secret of its access key and refuses it as AWS does, following
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html — an
/// unknown key, a signature that does not match, a date more than 15 minutes away from the server's
/// clock, an expired presigned URL. Only the headers the client listed as signed take part.
/// </summary>
public sealed class SigV4Verifier : ISignatureVerifier
{
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);
    private const int MaxCachedKeys = 1024;
    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly AccessKeys _keys;
    private readonly ICredentialDirectory? _issued;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string AccessKeyId, string Date, string Region, string Service), byte[]> _signingKeys = new();

    /// <param name="issued">The keys Gatehouse hands out itself (IAM, STS); null when no service issues any.</param>
    public SigV4Verifier(AccessKeys keys, TimeProvider time, ICredentialDirectory? issued = null)
    {
        _keys = keys;
        _time = time;
        _issued = issued;
    }

    public ValueTask VerifyAsync(HttpContext context, SigV4Authorization authorization, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorization);
        Verify(context.Request, authorization, body.Span);
        return ValueTask.CompletedTask;
    }

    private void Verify(HttpRequest request, SigV4Authorization authorization, ReadOnlySpan<byte> body)
    {
        if (!_keys.TryGetSecret(authorization.AccessKeyId, out var secret))
            secret = IssuedSecret(request, authorization);

        var amzDate = authorization.Presigned ? request.Query["X-Amz-Date"].ToString() : request.Headers["X-Amz-Date"].ToString();
        DateTimeOffset signedAt;
        if (amzDate.Length == 0 && !authorization.Presigned && DateTimeOffset.TryParseExact(request.Headers.Date.ToString(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            signedAt = date;
            amzDate = SigV4Signer.AmzDate(date);
        }
        else if (amzDate.Length == 0)
        {
            throw Incomplete(authorization.Presigned
                ? "AWS query-string parameters must include 'X-Amz-Date'."
                : "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }
        else if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out signedAt))
        {
            throw Incomplete($"Date must be in ISO-8601 'basic format'. Got '{Truncate(amzDate)}'. See http://en.wikipedia.org/wiki/ISO_8601");
        }
        if (!amzDate.StartsWith(authorization.Date, StringComparison.Ordinal))
        {
            throw Invalid($"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{authorization.Date}' != '{amzDate[..8]}', from '{amzDate}'.");
        }

        var now = _time.GetUtcNow();
        if (authorization.Presigned)
        {
            if (!int.TryParse(request.Query["X-Amz-Expires"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || expires is < 1 or > 604800)
                throw Incomplete("X-Amz-Expires must be a whole number of seconds from 1 to 604800.");
            var expiry = signedAt.AddSeconds(expires);
            if (now > expiry)
                throw Invalid($"Signature expired: {SigV4Signer.AmzDate(expiry)} is now earlier than {SigV4Signer.AmzDate(now)}.");
            if (signedAt > now + AllowedSkew)
                throw Invalid($"Signature not yet current: {amzDate} is still later than {SigV4Signer.AmzDate(now + AllowedSkew)} ({SigV4Signer.AmzDate(now)} + 15 min.)");
        }
        else if (signedAt < now - AllowedSkew)
        {
            throw Invalid($"Signature expired: {amzDate} is now earlier than {SigV4Signer.AmzDate(now - AllowedSkew)} ({SigV4Signer.AmzDate(now)} - 15 min.)");
        }
        else if (signedAt > now + AllowedSkew)
        {
            throw Invalid($"Signature not yet current: {amzDate} is still later than {SigV4Signer.AmzDate(now + AllowedSkew)} ({SigV4Signer.AmzDate(now)} + 15 min.)");
        }

        var bodyHash = body.IsEmpty ? EmptyHash : Convert.ToHexStringLower(SHA256.HashData(body));
        var declared = request.Headers["X-Amz-Content-Sha256"].ToString();
        string[] payloadHashes;
        // A streamed upload (S3) is not read before the handler runs: the signature covers the hash
        // the client declared; the STREAMING-* values (aws-chunked bodies) sign the seed request.
        // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
        var streamed = request.HttpContext.Items.ContainsKey(AwsRequestReader.StreamingBodyKey);
        if (declared.Length > 0)
        {
            // A body read here must match what was signed; a streamed one is checked against the
            // declared SHA-256 as it is stored (only a streamed upload may be aws-chunked).
            if (declared != SigV4Signer.UnsignedPayload && !streamed
                && !string.Equals(declared, bodyHash, StringComparison.OrdinalIgnoreCase))
                throw Invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
            payloadHashes = [declared];
        }
        else
        {
            // A presigned URL says nothing of its body: the SDKs sign either the hash of the body
            // (the JavaScript SDK) or UNSIGNED-PAYLOAD (botocore).
            payloadHashes = authorization.Presigned ? [bodyHash, SigV4Signer.UnsignedPayload] : [bodyHash];
        }

        var headers = new (string Name, string Value)[authorization.SignedHeaders.Count];
        for (var i = 0; i < headers.Length; i++)
        {
            var name = authorization.SignedHeaders[i].ToLowerInvariant();
            headers[i] = (name, name == "host" ? request.Host.Value ?? "" : string.Join(',', request.Headers[name].ToArray()));
        }
        var signedHeaders = string.Join(';', authorization.SignedHeaders);
        var rawQuery = request.QueryString.Value is { Length: > 0 } q ? q[1..] : "";
        var canonicalQuery = SigV4Signer.CanonicalQuery(rawQuery, authorization.Presigned ? "X-Amz-Signature" : null);
        // S3 signs the path encoded once, every other service encodes the (already encoded) path again
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request).
        var rawPath = AwsProtocolDispatcher.RawPath(request.HttpContext);
        var canonicalUri = SigV4Signer.CanonicalUri(authorization.Service == "s3" ? Uri.UnescapeDataString(rawPath) : rawPath);
        var scope = SigV4Signer.Scope(authorization.Date, authorization.Region, authorization.Service);
        var key = SigningKey(authorization, secret);
        Span<byte> given = stackalloc byte[64];
        Encoding.ASCII.GetBytes(authorization.Signature, given);
        Span<byte> expected = stackalloc byte[64];
        foreach (var payloadHash in payloadHashes)
        {
            var canonical = SigV4Signer.CanonicalRequest(request.Method, canonicalUri, canonicalQuery, headers, signedHeaders, payloadHash);
            Encoding.ASCII.GetBytes(SigV4Signer.Signature(key, SigV4Signer.StringToSign(amzDate, scope, canonical)), expected);
            if (CryptographicOperations.FixedTimeEquals(given, expected))
                return;
        }
        throw Invalid("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }

    /// <summary>
    /// The secret of a key IAM or STS issued. Temporary credentials also need their session token,
    /// signed or not, in <c>X-Amz-Security-Token</c> (the query parameter of a presigned URL), and
    /// stop at their expiration (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html).
    /// </summary>
    private string IssuedSecret(HttpRequest request, SigV4Authorization authorization)
    {
        var issued = _issued?.Find(authorization.AccessKeyId);
        if (issued is null || issued.Inactive)
            throw new AwsException("UnrecognizedClientException", "The security token included in the request is invalid.", 400);
        if (issued.SessionToken is not null)
        {
            var token = authorization.Presigned ? request.Query["X-Amz-Security-Token"].ToString() : request.Headers["X-Amz-Security-Token"].ToString();
            if (token.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(issued.SessionToken)))
                throw new AwsException("UnrecognizedClientException", "The security token included in the request is invalid.", 400);
        }
        if (issued.Expiration is { } expiration && _time.GetUtcNow() >= expiration)
            throw new AwsException("ExpiredTokenException", "The security token included in the request is expired", 403);
        return issued.SecretAccessKey;
    }

    /// <summary>The derived key, cached per (key, date, region, service): it changes once a day.</summary>
    private byte[] SigningKey(SigV4Authorization authorization, string secret)
    {
        var id = (authorization.AccessKeyId, authorization.Date, authorization.Region, authorization.Service);
        if (_signingKeys.TryGetValue(id, out var key))
            return key;
        if (_signingKeys.Count >= MaxCachedKeys)
            _signingKeys.Clear();
        key = SigV4Signer.SigningKey(secret, authorization.Date, authorization.Region, authorization.Service);
        _signingKeys[id] = key;
        return key;
    }

    private static AwsException Incomplete(string message) => new("IncompleteSignatureException", message, 400);

    private static AwsException Invalid(string message) => new("InvalidSignatureException", message, 403);

    private static string Truncate(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
