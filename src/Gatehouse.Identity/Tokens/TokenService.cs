using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gatehouse.Core;
using Gatehouse.Core.Security;
using Gatehouse.Identity.Model;

namespace Gatehouse.Identity.Tokens;

/// <summary>What a refresh token carries (sealed inside it; only the pool can read it).</summary>
internal sealed record RefreshClaims(string PoolId, string ClientId, string Username, string Sub, string OriginJti, long AuthTime, long IssuedAt, long ExpiresAt)
{
    /// <summary>The OAuth scopes granted by the hosted flow (null for API sign-ins), kept across refreshes.</summary>
    public string? Scope { get; init; }
}

/// <summary>The claims of a verified access token that the user-facing operations need.</summary>
internal sealed record AccessClaims(string PoolId, string ClientId, string Username, string Sub, string OriginJti, long IssuedAt, long ExpiresAt, string Scope);

/// <summary>The tokens of one sign-in or refresh.</summary>
internal sealed record IssuedTokens(string AccessToken, string IdToken, string? RefreshToken, int ExpiresIn);

/// <summary>
/// Mints and reads tokens with Cognito's exact claim sets (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-with-identity-providers.html): RS256 JWTs (ID and access
/// tokens signed with different keys, kid in the header, no typ) and refresh tokens that are opaque,
/// five-segment JWE-shaped strings sealed with the pool's AES-256-GCM key. Refresh tokens are
/// self-contained so a refresh costs no database read or write; revocation is a short list of
/// revoked sign-ins (origin_jti) plus each user's global sign-out time.
/// </summary>
internal sealed partial class TokenService
{
    private static readonly byte[] RefreshHeader = Encoding.ASCII.GetBytes(
        B64("""{"cty":"JWT","enc":"A256GCM","alg":"dir"}"""u8.ToArray()));

    private readonly GatehouseOptions _options;
    private readonly TimeProvider _time;

    public TokenService(GatehouseOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>The issuer of a pool's tokens: on Gatehouse by default, or AWS's format when asked for.</summary>
    public string Issuer(string poolId, string region) => _options.AwsIssuers
        ? $"https://cognito-idp.{region}.amazonaws.com/{poolId}"
        : $"{_options.EffectivePublicUrl}/{poolId}";

    public IssuedTokens Issue(UserPool pool, PoolKeys keys, AppClient client, User user, IReadOnlyList<Group> groups,
        long authTime, string originJti, bool withRefreshToken, OAuthGrantClaims? oauth = null, Triggers.TokenOverrides? overrides = null)
    {
        var now = _time.GetUtcNow();
        var iat = now.ToUnixTimeSeconds();
        var issuer = Issuer(pool.Id, pool.Region);
        var eventId = Guid.NewGuid().ToString();
        var groupNames = groups.Select(g => g.Name).ToList();

        var access = Sign(keys.AccessKey, overrides, access: true, w =>
        {
            w.WriteString("sub", user.Sub);
            WriteGroups(w, groupNames);
            w.WriteString("iss", issuer);
            w.WriteString("client_id", client.Id);
            w.WriteString("origin_jti", originJti);
            w.WriteString("event_id", eventId);
            w.WriteString("token_use", "access");
            w.WriteString("scope", oauth?.Scope ?? "aws.cognito.signin.user.admin");
            w.WriteNumber("auth_time", authTime);
            w.WriteNumber("exp", iat + (long)client.AccessTokenValidity.TotalSeconds);
            w.WriteNumber("iat", iat);
            w.WriteString("jti", Guid.NewGuid().ToString());
            w.WriteString("username", user.Username);
            if (oauth is not null)
                w.WriteNumber("version", 2);
        });

        var id = Sign(keys.IdKey, overrides, access: false, w =>
        {
            if (oauth is not null)
                WriteOAuthIdClaims(w, oauth, access);
            w.WriteString("sub", user.Sub);
            WriteGroups(w, groupNames);
            var roles = groups.Where(g => g.RoleArn is not null).Select(g => g.RoleArn!).Distinct(StringComparer.Ordinal).ToList();
            if (roles.Count > 0)
            {
                w.WriteStartArray("cognito:roles");
                foreach (var role in roles)
                    w.WriteStringValue(role);
                w.WriteEndArray();
                w.WriteString("cognito:preferred_role", roles[0]);
            }
            foreach (var (name, value) in user.Attributes)
            {
                if (name == "sub" || (client.ReadAttributes is { } readable && !readable.Contains(name)))
                    continue;
                WriteAttribute(w, name, value);
            }
            w.WriteString("iss", issuer);
            w.WriteString("cognito:username", user.Username);
            w.WriteString("origin_jti", originJti);
            w.WriteString("aud", client.Id);
            w.WriteString("event_id", eventId);
            w.WriteString("token_use", "id");
            w.WriteNumber("auth_time", authTime);
            w.WriteNumber("exp", iat + (long)client.IdTokenValidity.TotalSeconds);
            w.WriteNumber("iat", iat);
            w.WriteString("jti", Guid.NewGuid().ToString());
        });

        var refresh = withRefreshToken
            ? SealRefresh(keys, new RefreshClaims(pool.Id, client.Id, user.Username, user.Sub, originJti, authTime, iat, iat + (long)client.RefreshTokenValidity.TotalSeconds) { Scope = oauth?.Scope })
            : null;
        return new IssuedTokens(access, id, refresh, (int)client.AccessTokenValidity.TotalSeconds);
    }

    private static void WriteGroups(Utf8JsonWriter w, List<string> groups)
    {
        if (groups.Count == 0)
            return;
        w.WriteStartArray("cognito:groups");
        foreach (var group in groups)
            w.WriteStringValue(group);
        w.WriteEndArray();
    }

    /// <summary>Attributes are strings in the API; the *_verified flags are booleans in tokens.</summary>
    private static void WriteAttribute(Utf8JsonWriter w, string name, string value)
    {
        if (name is "email_verified" or "phone_number_verified")
            w.WriteBoolean(name, string.Equals(value, "true", StringComparison.OrdinalIgnoreCase));
        else if (name == "updated_at" && long.TryParse(value, out var number))
            w.WriteNumber(name, number);
        else
            w.WriteString(name, value);
    }

    private static string Sign(SigningKey key, Action<Utf8JsonWriter> payload) => Jws.SignRs256(key.Rsa, key.Kid, payload);

    /// <summary>
    /// Signs the claims <paramref name="payload"/> writes, changed by a pre token generation trigger
    /// when there is one (the claims are then read back into a document, changed and written again;
    /// without a trigger they are written straight into the token).
    /// </summary>
    private static string Sign(SigningKey key, Triggers.TokenOverrides? overrides, bool access, Action<Utf8JsonWriter> payload)
    {
        if (overrides is null)
            return Sign(key, payload);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            payload(writer);
            writer.WriteEndObject();
        }
        var claims = overrides.Apply(System.Text.Json.Nodes.JsonNode.Parse(buffer.WrittenSpan)!.AsObject(), access);
        return Sign(key, w =>
        {
            foreach (var (name, value) in claims)
            {
                w.WritePropertyName(name);
                if (value is null)
                    w.WriteNullValue();
                else
                    value.WriteTo(w);
            }
        });
    }

    public static string B64(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    private static string SealRefresh(PoolKeys keys, RefreshClaims claims)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(claims);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(keys.RefreshKey, 16))
            aes.Encrypt(nonce, plaintext, ciphertext, tag, RefreshHeader);
        // JWE compact form with direct encryption: header . (no encrypted key) . iv . ciphertext . tag
        return Encoding.ASCII.GetString(RefreshHeader) + ".." + B64(nonce) + "." + B64(ciphertext) + "." + B64(tag);
    }

    /// <summary>The claims of a refresh token sealed by <paramref name="keys"/>, or null when it is not one.</summary>
    public static RefreshClaims? OpenRefresh(PoolKeys keys, string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 5 || parts[1].Length != 0 || !Encoding.ASCII.GetBytes(parts[0]).AsSpan().SequenceEqual(RefreshHeader))
            return null;
        try
        {
            var nonce = Base64Url.DecodeFromChars(parts[2]);
            var ciphertext = Base64Url.DecodeFromChars(parts[3]);
            var tag = Base64Url.DecodeFromChars(parts[4]);
            if (nonce.Length != 12 || tag.Length != 16)
                return null;
            var plaintext = new byte[ciphertext.Length];
            using (var aes = new AesGcm(keys.RefreshKey, 16))
                aes.Decrypt(nonce, ciphertext, tag, plaintext, RefreshHeader);
            return JsonSerializer.Deserialize<RefreshClaims>(plaintext);
        }
        catch (Exception e) when (e is FormatException or CryptographicException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The pool id a refresh token claims to belong to, if it has the shape of one (read after decryption only).</summary>
    public static bool LooksLikeRefreshToken(string token) => token.Split('.') is { Length: 5 } parts && parts[1].Length == 0;

    /// <summary>Reads the unverified payload of an RS256 JWT (to find the pool; the signature is checked next).</summary>
    public static JsonElement? PeekPayload(string token, out string? kid)
    {
        kid = null;
        if (!Jws.TrySplit(token, out var segments) || !Jws.TryReadHeader(segments.Header(token), out var alg, out var headerKid) || alg != Jws.Rs256)
            return null;
        kid = headerKid;
        if (!Jws.TryReadClaims(segments.Payload(token), out var claims))
            return null;
        using (claims)
            return claims.RootElement.Clone();
    }

    public static bool VerifySignature(string token, RSA key) =>
        Jws.TrySplit(token, out var segments)
        && Jws.TryDecode(segments.Signature(token), out var signature)
        && Jws.VerifyRs256(key, segments.SigningInput(token), signature);
}
