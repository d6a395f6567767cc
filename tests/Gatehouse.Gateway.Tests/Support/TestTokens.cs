using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Gateway.Tests.Support;

/// <summary>An RSA signing key and JWTs made with it, the way an OIDC issuer makes them.</summary>
internal sealed class TestIssuer : IDisposable
{
    public TestIssuer(string issuer, string keyId = "key-1")
    {
        Issuer = issuer;
        KeyId = keyId;
        Key = RSA.Create(2048);
    }

    public string Issuer { get; }
    public string KeyId { get; }
    public RSA Key { get; }

    /// <summary>A public-only copy, as a JWKS consumer would hold it.</summary>
    public RSA PublicKey()
    {
        var rsa = RSA.Create();
        rsa.ImportParameters(Key.ExportParameters(false));
        return rsa;
    }

    public JsonObject Jwks() => new()
    {
        ["keys"] = new JsonArray(Jwk()),
    };

    public JsonObject Jwk()
    {
        var parameters = Key.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["kid"] = KeyId,
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["n"] = Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = Base64Url.EncodeToString(parameters.Exponent),
        };
    }

    /// <summary>Claims of a valid Cognito-style access token for <paramref name="clientId"/>.</summary>
    public JsonObject AccessClaims(string clientId, DateTimeOffset now, string scope = "aws.cognito.signin.user.admin") => new()
    {
        ["sub"] = "0a1b2c3d-1111-2222-3333-444455556666",
        ["iss"] = Issuer,
        ["client_id"] = clientId,
        ["token_use"] = "access",
        ["scope"] = scope,
        ["auth_time"] = now.ToUnixTimeSeconds(),
        ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        ["iat"] = now.ToUnixTimeSeconds(),
        ["username"] = "janedoe",
    };

    public string Sign(JsonObject claims, string? keyId = null, RSA? key = null) =>
        Token(new JsonObject { ["kid"] = keyId ?? KeyId, ["alg"] = "RS256" }, claims, signing => (key ?? Key).SignData(signing, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public static string Token(JsonObject header, JsonObject claims, Func<byte[], byte[]> sign)
    {
        var head = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()));
        var body = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = sign(Encoding.ASCII.GetBytes(head + "." + body));
        return head + "." + body + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>The "key confusion" attack: HS256 with the issuer's public key as the HMAC secret.</summary>
    public string SignHs256WithPublicKey(JsonObject claims)
    {
        var secret = Encoding.ASCII.GetBytes(Key.ExportSubjectPublicKeyInfoPem());
        return Token(new JsonObject { ["kid"] = KeyId, ["alg"] = "HS256" }, claims, signing => HMACSHA256.HashData(secret, signing));
    }

    public static string Unsigned(JsonObject claims, string keyId) =>
        Token(new JsonObject { ["kid"] = keyId, ["alg"] = "none" }, claims, _ => []);

    public void Dispose() => Key.Dispose();
}

internal static class JsonText
{
    public static JsonNode Parse(string text) => JsonNode.Parse(text) ?? throw new JsonException("null");
}
