using System.Security.Cryptography;

namespace Gatehouse.Core;

/// <summary>
/// Token issuers that live in this server (user pools). Lets the JWT authorizer check a token
/// signed by a local pool without an HTTP round trip to its JWKS. Implemented by the identity service.
/// </summary>
public interface ILocalIssuerDirectory
{
    /// <summary>
    /// The public signing key with <paramref name="keyId"/> of the local issuer named exactly
    /// <paramref name="issuer"/>. Returns false when the issuer is not local (look it up over HTTP)
    /// and sets <paramref name="isLocal"/> to tell "unknown issuer" from "local issuer, unknown kid".
    /// </summary>
    bool TryGetSigningKey(string issuer, string keyId, out RSA? key, out bool isLocal);
}
