using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Gatehouse.Core;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Gateway.Runtime;

/// <summary>Where a token's verification key comes from, or why there is none.</summary>
internal enum KeyLookup
{
    Found,
    UnknownKey,
    IssuerUnreachable,
}

/// <summary>
/// Finds the RSA key that signed a token: Gatehouse's own user pools in-process through
/// <see cref="ILocalIssuerDirectory"/>, any other issuer by OpenID discovery
/// (<c>{issuer}/.well-known/openid-configuration</c> → <c>jwks_uri</c>) over HTTP. Remote key sets
/// are cached and fetched again when a token names a key id the cache does not have (key
/// rotation), at most once per <see cref="RefreshInterval"/> per issuer so unknown ids cannot
/// make the gateway hammer an issuer.
/// </summary>
internal sealed partial class SigningKeyResolver : IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly ILocalIssuerDirectory? _local;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, RemoteIssuer> _remote = new(StringComparer.Ordinal);

    /// <param name="local">The user pools served here (their keys are read directly); null without the identity service.</param>
    public SigningKeyResolver(ILocalIssuerDirectory? local, TimeProvider time, ILogger logger, HttpMessageHandler? handler = null)
    {
        _local = local;
        _time = time;
        _logger = logger;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(3),
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = TimeSpan.FromSeconds(5),
            MaxResponseContentBufferSize = 1024 * 1024,
        };
    }

    public async ValueTask<(KeyLookup Result, RSA? Key)> FindAsync(string issuer, string keyId, CancellationToken cancellationToken)
    {
        // Without the identity service every issuer is remote.
        if (_local is { } local)
        {
            var found = local.TryGetSigningKey(issuer, keyId, out var localKey, out var isLocal);
            if (found && localKey is not null)
                return (KeyLookup.Found, localKey);
            if (isLocal)
                return (KeyLookup.UnknownKey, null);
        }

        var remote = _remote.GetOrAdd(issuer, i => new RemoteIssuer(i));
        var keys = remote.Keys;
        if (keys is not null && keys.TryGetValue(keyId, out var key))
            return (KeyLookup.Found, key);
        var refreshed = await RefreshAsync(remote, cancellationToken).ConfigureAwait(false);
        if (refreshed is null)
            return (KeyLookup.IssuerUnreachable, null);
        return refreshed.TryGetValue(keyId, out key) ? (KeyLookup.Found, key) : (KeyLookup.UnknownKey, null);
    }

    private async Task<IReadOnlyDictionary<string, RSA>?> RefreshAsync(RemoteIssuer issuer, CancellationToken cancellationToken)
    {
        await issuer.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (issuer.Keys is not null && now - issuer.FetchedAt < RefreshInterval)
                return issuer.Keys;
            try
            {
                var discoveryUri = new Uri(issuer.Issuer.TrimEnd('/') + "/.well-known/openid-configuration");
                using var discovery = await GetJsonAsync(discoveryUri, cancellationToken).ConfigureAwait(false);
                if (!discovery.RootElement.TryGetProperty("jwks_uri", out var jwksUri) || jwksUri.ValueKind != JsonValueKind.String
                    || !Uri.TryCreate(jwksUri.GetString(), UriKind.Absolute, out var jwksLocation))
                {
                    LogDiscoveryFailed(_logger, issuer.Issuer, "the discovery document has no jwks_uri");
                    return Remember(issuer, now, issuer.Keys);
                }
                using var jwks = await GetJsonAsync(jwksLocation, cancellationToken).ConfigureAwait(false);
                return Remember(issuer, now, ReadKeys(jwks.RootElement));
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException or JsonException or UriFormatException or InvalidOperationException)
            {
                if (cancellationToken.IsCancellationRequested)
                    throw;
                LogDiscoveryFailed(_logger, issuer.Issuer, error.Message);
                return Remember(issuer, now, issuer.Keys);
            }
        }
        finally
        {
            issuer.Lock.Release();
        }
    }

    private static IReadOnlyDictionary<string, RSA>? Remember(RemoteIssuer issuer, DateTimeOffset now, IReadOnlyDictionary<string, RSA>? keys)
    {
        issuer.FetchedAt = now;
        issuer.Keys = keys;
        return keys;
    }

    private async Task<JsonDocument> GetJsonAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return JsonDocument.Parse(bytes);
    }

    /// <summary>The RSA signing keys of a JWKS document, by key id.</summary>
    internal static Dictionary<string, RSA> ReadKeys(JsonElement jwks)
    {
        var keys = new Dictionary<string, RSA>(StringComparer.Ordinal);
        if (!jwks.TryGetProperty("keys", out var list) || list.ValueKind != JsonValueKind.Array)
            return keys;
        foreach (var jwk in list.EnumerateArray())
        {
            if (jwk.ValueKind != JsonValueKind.Object || Text(jwk, "kty") != "RSA" || Text(jwk, "kid") is not { } kid)
                continue;
            if (Text(jwk, "use") is { } use && use != "sig")
                continue;
            if (Text(jwk, "n") is not { } n || Text(jwk, "e") is not { } e)
                continue;
            try
            {
                var rsa = RSA.Create();
                rsa.ImportParameters(new RSAParameters
                {
                    Modulus = System.Buffers.Text.Base64Url.DecodeFromChars(n),
                    Exponent = System.Buffers.Text.Base64Url.DecodeFromChars(e),
                });
                keys[kid] = rsa;
            }
            catch (Exception error) when (error is FormatException or CryptographicException)
            {
                // A malformed key is skipped; tokens naming it fail as "unknown key".
            }
        }
        return keys;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public void Dispose() => _http.Dispose();

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Could not read the signing keys of issuer {Issuer}: {Reason}")]
    private static partial void LogDiscoveryFailed(ILogger logger, string issuer, string reason);

    private sealed class RemoteIssuer(string issuer)
    {
        public string Issuer { get; } = issuer;
        public SemaphoreSlim Lock { get; } = new(1, 1);
        public volatile IReadOnlyDictionary<string, RSA>? Keys;
        public DateTimeOffset FetchedAt;
    }
}
