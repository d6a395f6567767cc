using System.Security.Cryptography;
using Gatehouse.Core;

namespace Gatehouse.Identity.Tokens;

/// <summary>
/// Lets the HTTP API gateway verify tokens of this server's pools without fetching their JWKS:
/// an issuer is local when it is exactly the issuer this server puts in the pool's tokens.
/// </summary>
internal sealed class LocalIssuerDirectory : ILocalIssuerDirectory
{
    private readonly IdentityState _service;

    public LocalIssuerDirectory(IdentityState service) => _service = service;

    public bool TryGetSigningKey(string issuer, string keyId, out RSA? key, out bool isLocal)
    {
        key = null;
        isLocal = false;
        var slash = issuer.LastIndexOf('/');
        if (slash < 0 || !_service.TryGetPool(issuer[(slash + 1)..], out var state)
            || _service.Tokens.Issuer(state.Pool.Id, state.Pool.Region) != issuer)
            return false;
        isLocal = true;
        if (!state.Keys.ByKid.TryGetValue(keyId, out var signingKey))
            return false;
        key = signingKey.PublicKey;
        return true;
    }
}
