using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gatehouse.Core.Security;

/// <summary>
/// Where the three segments of a JWS compact serialization are (RFC 7515 §7.1,
/// https://www.rfc-editor.org/rfc/rfc7515#section-7.1): <c>header.payload.signature</c>, each base64url.
/// Offsets only, so splitting a token allocates nothing.
/// </summary>
public readonly record struct JwsSegments(int FirstDot, int LastDot)
{
    public ReadOnlySpan<char> Header(ReadOnlySpan<char> token) => token[..FirstDot];

    public ReadOnlySpan<char> Payload(ReadOnlySpan<char> token) => token[(FirstDot + 1)..LastDot];

    public ReadOnlySpan<char> Signature(ReadOnlySpan<char> token) => token[(LastDot + 1)..];

    /// <summary><c>header.payload</c>, the bytes the signature covers (RFC 7515 §5.1).</summary>
    public ReadOnlySpan<char> SigningInput(ReadOnlySpan<char> token) => token[..LastDot];
}

/// <summary>
/// RS256 JSON Web Signatures (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3,
/// https://www.rfc-editor.org/rfc/rfc7518#section-3.3) with the framework's RSA: the one place that
/// signs, splits, decodes and verifies the JWTs user pools issue and API Gateway's JWT authorizer checks.
/// </summary>
public static class Jws
{
    public const string Rs256 = "RS256";

    /// <summary>A compact RS256 JWS with header <c>{"kid":…,"alg":"RS256"}</c> (no <c>typ</c>, as Cognito writes it) over the claims <paramref name="payload"/> writes.</summary>
    public static string SignRs256(RSA key, string kid, Action<Utf8JsonWriter> payload)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(payload);
        var header = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(header, Json.Relaxed))
        {
            w.WriteStartObject();
            w.WriteString("kid", kid);
            w.WriteString("alg", Rs256);
            w.WriteEndObject();
        }
        var body = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(body, Json.Relaxed))
        {
            w.WriteStartObject();
            payload(w);
            w.WriteEndObject();
        }
        var signingInput = Base64Url.EncodeToString(header.WrittenSpan) + "." + Base64Url.EncodeToString(body.WrittenSpan);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>True when <paramref name="token"/> has exactly three segments and a non-empty header.</summary>
    public static bool TrySplit(ReadOnlySpan<char> token, out JwsSegments segments)
    {
        var firstDot = token.IndexOf('.');
        var lastDot = token.LastIndexOf('.');
        segments = new JwsSegments(firstDot, lastDot);
        return firstDot > 0 && lastDot != firstDot && token[(firstDot + 1)..lastDot].IndexOf('.') < 0;
    }

    /// <summary>Base64url-decodes one segment; false when it is not base64url.</summary>
    public static bool TryDecode(ReadOnlySpan<char> segment, out byte[] bytes)
    {
        try
        {
            bytes = Base64Url.DecodeFromChars(segment);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    /// <summary>
    /// Reads <c>alg</c> and <c>kid</c> from an encoded header; false when it is not base64url of a JSON
    /// object, has no <c>alg</c>, or either member is not a string.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<char> encodedHeader, out string? alg, out string? kid)
    {
        alg = null;
        kid = null;
        if (!TryDecode(encodedHeader, out var header))
            return false;
        try
        {
            var reader = new Utf8JsonReader(header);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isAlg = reader.ValueTextEquals("alg"u8);
                var isKid = reader.ValueTextEquals("kid"u8);
                reader.Read();
                if (isAlg || isKid)
                {
                    if (reader.TokenType != JsonTokenType.String)
                        return false;
                    if (isAlg) alg = reader.GetString();
                    else kid = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
            return alg is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The claims of an encoded payload; false when it is not base64url of a JSON object. The caller disposes the document.</summary>
    public static bool TryReadClaims(ReadOnlySpan<char> encodedPayload, out JsonDocument claims)
    {
        claims = null!;
        if (!TryDecode(encodedPayload, out var payload))
            return false;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            return false;
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return false;
        }
        claims = document;
        return true;
    }

    /// <summary>
    /// Checks an RS256 signature over <paramref name="signingInput"/> (<c>header.payload</c> as text).
    /// Tokens are ASCII (base64url and dots); a character outside printable ASCII cannot be part of a
    /// valid one. The bytes are rented, so a check allocates nothing beyond what RSA itself does.
    /// </summary>
    public static bool VerifyRs256(RSA key, ReadOnlySpan<char> signingInput, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (signature.IsEmpty || signingInput.ContainsAnyExceptInRange((char)0x21, (char)0x7e))
            return false;
        var length = signingInput.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Encoding.ASCII.GetBytes(signingInput, rented);
            return key.VerifyData(rented.AsSpan(0, length), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
