using Gatehouse.Core;

namespace Gatehouse.Protocol.Signing;

/// <summary>
/// The parts of a SigV4 <c>Authorization</c> header:
/// <c>AWS4-HMAC-SHA256 Credential=AKID/20241126/us-east-1/cognito-idp/aws4_request, SignedHeaders=…, Signature=…</c>.
/// </summary>
public sealed record SigV4Authorization(
    string AccessKeyId,
    string Date,
    string Region,
    string Service,
    IReadOnlyList<string> SignedHeaders,
    string Signature)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Whether the signature came in the query string (a presigned URL) rather than the header.</summary>
    public bool Presigned { get; init; }

    /// <summary>
    /// Parses the header. Returns null when there is no SigV4 header at all (unsigned calls such as
    /// InitiateAuth are legal); throws an <see cref="AwsException"/> when one is present but malformed.
    /// </summary>
    public static SigV4Authorization? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
            return null;
        header = header.Trim();
        if (!header.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            throw Incomplete($"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header, and the '{Algorithm}' algorithm. Authorization={Redact(header)}");
        }
        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in header[(Algorithm.Length + 1)..].Split(','))
        {
            var pair = part.Trim();
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                continue;
            var key = pair[..equals];
            var value = pair[(equals + 1)..];
            switch (key)
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
            }
        }
        if (credential is null)
            throw Incomplete("Authorization header requires 'Credential' parameter.");
        if (signedHeaders is null)
            throw Incomplete("Authorization header requires 'SignedHeaders' parameter.");
        if (signature is null)
            throw Incomplete("Authorization header requires 'Signature' parameter.");
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request" || scope[0].Length == 0 || scope[1].Length != 8 || !scope[1].All(char.IsAsciiDigit))
            throw Incomplete($"Credential should be scoped to a valid region, not '{(scope.Length > 2 ? scope[2] : "")}'. ");
        if (!AwsIds.IsRegion(scope[2]))
            throw Incomplete($"Credential should be scoped to a valid region, not '{scope[2]}'. ");
        if (signature.Length != 64 || !signature.All(char.IsAsciiHexDigit))
            throw Incomplete("The request signature is not 64 hexadecimal characters.");
        var headers = signedHeaders.Split(';', StringSplitOptions.RemoveEmptyEntries);
        if (headers.Length == 0)
            throw Incomplete("Authorization header requires 'SignedHeaders' parameter.");
        return new SigV4Authorization(scope[0], scope[1], scope[2], scope[3], headers, signature.ToLowerInvariant());
    }

    /// <summary>
    /// The presigned-URL form: <c>X-Amz-Algorithm</c>, <c>X-Amz-Credential</c>,
    /// <c>X-Amz-SignedHeaders</c> and <c>X-Amz-Signature</c> in the query string. Null when the
    /// query carries no signature at all; malformed parts are refused as in the header form.
    /// </summary>
    public static SigV4Authorization? ParseQuery(Microsoft.AspNetCore.Http.IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!query.ContainsKey("X-Amz-Algorithm") && !query.ContainsKey("X-Amz-Signature") && !query.ContainsKey("X-Amz-Credential"))
            return null;
        if (query["X-Amz-Algorithm"].ToString() != Algorithm)
            throw Incomplete($"AWS query-string parameters must include 'X-Amz-Algorithm' with the value '{Algorithm}'.");
        return Parse($"{Algorithm} Credential={query["X-Amz-Credential"]}, SignedHeaders={query["X-Amz-SignedHeaders"]}, Signature={query["X-Amz-Signature"]}")! with { Presigned = true };
    }

    private static AwsException Incomplete(string message) => new("IncompleteSignatureException", message, 400);

    // The signature itself is not a secret, but keep error messages short and free of key material.
    private static string Redact(string header) => header.Length > 40 ? header[..40] + "…" : header;
}

/// <summary>
/// Decides whether a signed request is genuine. The default accepts any credentials, as a local
/// emulator should; a strict verifier that recomputes the signature plugs in here.
/// </summary>
public interface ISignatureVerifier
{
    /// <summary>Throws an <see cref="AwsException"/> when the signature must be refused.</summary>
    ValueTask VerifyAsync(Microsoft.AspNetCore.Http.HttpContext context, SigV4Authorization authorization, ReadOnlyMemory<byte> body);
}

public sealed class AcceptAnySignature : ISignatureVerifier
{
    public ValueTask VerifyAsync(Microsoft.AspNetCore.Http.HttpContext context, SigV4Authorization authorization, ReadOnlyMemory<byte> body) =>
        ValueTask.CompletedTask;
}
