using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gatehouse.Core;

namespace Gatehouse.Identity.Tokens;

/// <summary>An RSA key pair a pool signs tokens with; <see cref="Kid"/> names it in JWT headers and the JWKS.</summary>
internal sealed class SigningKey
{
    public SigningKey(string kid, string purpose, RSA rsa, DateTimeOffset created)
    {
        Kid = kid;
        Purpose = purpose;
        Rsa = rsa;
        Created = created;
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        Modulus = Base64Url(parameters.Modulus!);
        Exponent = Base64Url(parameters.Exponent!);
        PublicKey = RSA.Create(parameters);
    }

    public string Kid { get; }

    /// <summary>"id" or "access": Cognito signs ID and access tokens with different keys.</summary>
    public string Purpose { get; }

    public RSA Rsa { get; }

    /// <summary>A key holding only the public half, handed to other services (the gateway's authorizer).</summary>
    public RSA PublicKey { get; }

    public DateTimeOffset Created { get; }
    public string Modulus { get; }
    public string Exponent { get; }

    public static SigningKey Generate(string purpose, DateTimeOffset now)
    {
        var rsa = RSA.Create(2048);
        return new SigningKey(KidOf(rsa), purpose, rsa, now);
    }

    /// <summary>A 44-character standard-base64 kid, like Cognito's: the SHA-256 of the public key.</summary>
    public static string KidOf(RSA rsa) => Convert.ToBase64String(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// A pool's keys: every signing key (all published in the JWKS, so a rotated-out key keeps verifying
/// until its tokens expire), the current ID and access keys, and the AES-256 key that seals refresh
/// tokens. Immutable; rotation would publish a new instance.
/// </summary>
internal sealed class PoolKeys
{
    private readonly Lazy<string> _certificate;

    public PoolKeys(IReadOnlyList<SigningKey> signingKeys, byte[] refreshKey)
    {
        SigningKeys = signingKeys;
        IdKey = signingKeys.Where(k => k.Purpose == "id").MaxBy(k => k.Created) ?? throw new InvalidOperationException("No ID token key.");
        AccessKey = signingKeys.Where(k => k.Purpose == "access").MaxBy(k => k.Created) ?? throw new InvalidOperationException("No access token key.");
        RefreshKey = refreshKey;
        ByKid = signingKeys.ToDictionary(k => k.Kid, StringComparer.Ordinal);
        Jwks = JsonSerializer.SerializeToUtf8Bytes(new
        {
            keys = signingKeys.Select(k => new { alg = "RS256", e = k.Exponent, kid = k.Kid, kty = "RSA", n = k.Modulus, use = "sig" }),
        }, Json.RelaxedSerializer);
        _certificate = new Lazy<string>(() => CreateCertificate(IdKey));
    }

    public IReadOnlyList<SigningKey> SigningKeys { get; }
    public SigningKey IdKey { get; }
    public SigningKey AccessKey { get; }
    public byte[] RefreshKey { get; }
    public IReadOnlyDictionary<string, SigningKey> ByKid { get; }

    /// <summary>The JWKS document, serialised once.</summary>
    public byte[] Jwks { get; }

    /// <summary>GetSigningCertificate: a self-signed X.509 certificate over the ID token key, base64 DER.</summary>
    public string Certificate => _certificate.Value;

    public static PoolKeys Generate(DateTimeOffset now) =>
        new([SigningKey.Generate("id", now), SigningKey.Generate("access", now)], RandomNumberGenerator.GetBytes(32));

    private static string CreateCertificate(SigningKey key)
    {
        var request = new CertificateRequest("CN=gatehouse-user-pool", key.Rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(key.Created.AddMinutes(-5), key.Created.AddYears(10));
        return Convert.ToBase64String(certificate.Export(X509ContentType.Cert));
    }
}
