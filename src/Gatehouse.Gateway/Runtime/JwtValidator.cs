using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Gatehouse.Core;
using Gatehouse.Core.Security;

namespace Gatehouse.Gateway.Runtime;

/// <summary>Why a token was refused; each maps to AWS's 401 with its own <c>www-authenticate</c> description.</summary>
internal enum JwtFailure
{
    None,
    Missing,
    Malformed,
    UnsupportedAlgorithm,
    UnknownKey,
    IssuerUnreachable,
    BadSignature,
    InvalidIssuer,
    InvalidAudience,
    Expired,
    NotYetValid,
}

/// <summary>A verified token: its claims as API Gateway hands them to integrations, and its scopes.</summary>
internal sealed class JwtPrincipal
{
    public JwtPrincipal(byte[] claimsJson, string[] scopes, long expiresAt)
    {
        ClaimsJson = claimsJson;
        Scopes = scopes;
        ExpiresAt = expiresAt;
    }

    /// <summary>The claims object, every value rendered as a string, ready to splice into an event.</summary>
    public byte[] ClaimsJson { get; }

    /// <summary>From <c>scope</c> (space-delimited) or <c>scp</c>.</summary>
    public string[] Scopes { get; }

    /// <summary><c>exp</c>, in Unix seconds.</summary>
    public long ExpiresAt { get; }
}

internal readonly record struct JwtResult(JwtFailure Failure, JwtPrincipal? Principal, string? Algorithm = null)
{
    public bool Succeeded => Failure == JwtFailure.None;
}

/// <summary>
/// Checks tokens for one issuer and audience list exactly as API Gateway's JWT authorizer does:
/// RS256 signature by <c>kid</c>, <c>iss</c> equal to the issuer, <c>aud</c> or <c>client_id</c> in the
/// audience list, <c>exp</c> in the future, <c>nbf</c> and <c>iat</c> (when present) not in the future.
/// Verified tokens are remembered by their exact text until they expire, so a client reusing its
/// token pays for the RSA check once; failures are never cached.
/// </summary>
internal sealed class JwtValidator
{
    /// <summary>Bound on remembered tokens; the cache is emptied when reached (cheap, and tokens re-verify).</summary>
    public const int CacheLimit = 10_000;

    private readonly string _issuer;
    private readonly string[] _audience;
    private readonly SigningKeyResolver _keys;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, JwtPrincipal> _verified = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JwtPrincipal>.AlternateLookup<ReadOnlySpan<char>> _verifiedBySpan;

    public JwtValidator(string issuer, IEnumerable<string> audience, SigningKeyResolver keys, TimeProvider time)
    {
        _issuer = issuer;
        _audience = [.. audience];
        _keys = keys;
        _time = time;
        _verifiedBySpan = _verified.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// Answers from the cache when <paramref name="token"/> was verified before: success while it is
    /// unexpired, "expired" after. False when the token has not been seen (call <see cref="ValidateAsync"/>).
    /// </summary>
    public bool TryGetVerified(ReadOnlyMemory<char> token, out JwtResult result)
    {
        if (!_verifiedBySpan.TryGetValue(token.Span, out var known))
        {
            result = default;
            return false;
        }
        if (known.ExpiresAt > _time.GetUtcNow().ToUnixTimeSeconds())
        {
            result = new JwtResult(JwtFailure.None, known);
            return true;
        }
        _verifiedBySpan.TryRemove(token.Span, out _, out _);
        result = new JwtResult(JwtFailure.Expired, null);
        return true;
    }

    private int _inserted;

    public int CachedCount => _verified.Count;

    /// <summary>Drops one remembered token (benchmarks measure the first-seen path with it).</summary>
    internal void Forget(string token) => _verified.TryRemove(token, out _);

    public ValueTask<JwtResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (_verified.TryGetValue(token, out var known))
        {
            if (known.ExpiresAt > now)
                return ValueTask.FromResult(new JwtResult(JwtFailure.None, known));
            _verified.TryRemove(token, out _);
            return ValueTask.FromResult(new JwtResult(JwtFailure.Expired, null));
        }
        return ValidateFirstSeenAsync(token, cancellationToken);
    }

    /// <summary>Verifies a token the cache does not hold (after <see cref="TryGetVerified"/> said so) and remembers it when valid.</summary>
    public async ValueTask<JwtResult> ValidateFirstSeenAsync(string token, CancellationToken cancellationToken)
    {
        if (!Jws.TrySplit(token, out var segments))
            return new JwtResult(JwtFailure.Malformed, null);

        // Header: only RS256 is accepted, whatever the key set offers — this is what refuses
        // alg "none" and HS256 tokens "signed" with the issuer's public key.
        if (!Jws.TryReadHeader(segments.Header(token), out var alg, out var kid))
            return new JwtResult(JwtFailure.Malformed, null);
        if (alg != Jws.Rs256)
            return new JwtResult(JwtFailure.UnsupportedAlgorithm, null, alg);
        if (kid is null)
            return new JwtResult(JwtFailure.UnknownKey, null);
        if (!Jws.TryDecode(segments.Signature(token), out var signature) || signature.Length == 0)
            return new JwtResult(JwtFailure.BadSignature, null);

        var (lookup, key) = await _keys.FindAsync(_issuer, kid, cancellationToken).ConfigureAwait(false);
        if (lookup != KeyLookup.Found)
            return new JwtResult(lookup == KeyLookup.IssuerUnreachable ? JwtFailure.IssuerUnreachable : JwtFailure.UnknownKey, null);
        if (!Jws.VerifyRs256(key!, segments.SigningInput(token), signature))
            return new JwtResult(JwtFailure.BadSignature, null);

        if (!Jws.TryReadClaims(segments.Payload(token), out var claims))
            return new JwtResult(JwtFailure.Malformed, null);
        JwtResult result;
        using (claims)
            result = CheckClaims(claims.RootElement, _time.GetUtcNow().ToUnixTimeSeconds());
        if (result.Succeeded)
        {
            // ConcurrentDictionary.Count takes every lock; an approximate counter keeps this cheap.
            if (Interlocked.Increment(ref _inserted) > CacheLimit)
            {
                _verified.Clear();
                Interlocked.Exchange(ref _inserted, 1);
            }
            _verified[token] = result.Principal!;
        }
        return result;
    }

    private JwtResult CheckClaims(JsonElement claims, long now)
    {
        if (!claims.TryGetProperty("iss", out var iss) || iss.ValueKind != JsonValueKind.String || !iss.ValueEquals(_issuer))
            return new JwtResult(JwtFailure.InvalidIssuer, null);
        if (!AudienceMatches(claims))
            return new JwtResult(JwtFailure.InvalidAudience, null);
        if (!claims.TryGetProperty("exp", out var exp) || !exp.TryGetDouble(out var expiresAt))
            return new JwtResult(JwtFailure.Expired, null);
        if (expiresAt <= now)
            return new JwtResult(JwtFailure.Expired, null);
        if (claims.TryGetProperty("nbf", out var nbf) && (!nbf.TryGetDouble(out var notBefore) || notBefore > now))
            return new JwtResult(JwtFailure.NotYetValid, null);
        if (claims.TryGetProperty("iat", out var iat) && (!iat.TryGetDouble(out var issuedAt) || issuedAt > now))
            return new JwtResult(JwtFailure.NotYetValid, null);
        return new JwtResult(JwtFailure.None, new JwtPrincipal(ClaimRendering.Render(claims), ReadScopes(claims), (long)expiresAt));
    }

    private bool AudienceMatches(JsonElement claims)
    {
        if (claims.TryGetProperty("aud", out var aud))
        {
            if (aud.ValueKind == JsonValueKind.String && Contains(aud))
                return true;
            if (aud.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in aud.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String && Contains(item))
                        return true;
                }
            }
        }
        // Cognito access tokens carry the app client in client_id and have no aud.
        return claims.TryGetProperty("client_id", out var clientId) && clientId.ValueKind == JsonValueKind.String && Contains(clientId);
    }

    private bool Contains(JsonElement value)
    {
        foreach (var audience in _audience)
        {
            if (value.ValueEquals(audience))
                return true;
        }
        return false;
    }

    private static string[] ReadScopes(JsonElement claims)
    {
        if (claims.TryGetProperty("scope", out var scope) && scope.ValueKind == JsonValueKind.String)
            return scope.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (claims.TryGetProperty("scp", out var scp))
        {
            if (scp.ValueKind == JsonValueKind.String)
                return scp.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (scp.ValueKind == JsonValueKind.Array)
                return [.. scp.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!)];
        }
        return [];
    }
}

/// <summary>Claims as API Gateway renders them for integrations: every value a string.</summary>
internal static class ClaimRendering
{
    public static byte[] Render(JsonElement claims)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, Json.Relaxed))
        {
            writer.WriteStartObject();
            foreach (var claim in claims.EnumerateObject())
            {
                if (claim.Value.ValueKind == JsonValueKind.Null)
                    continue;
                writer.WriteString(claim.Name, Text(claim.Value));
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Numbers as written, booleans as <c>true</c>/<c>false</c>, arrays as <c>[a b]</c> (as AWS is observed to do).</summary>
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Array => "[" + string.Join(' ', value.EnumerateArray().Select(Text)) + "]",
        _ => value.GetRawText(),
    };
}
