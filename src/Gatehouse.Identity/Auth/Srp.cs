using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Identity.Auth;

/// <summary>
/// SRP-6a exactly as Cognito's clients compute it: the 3072-bit group, SHA-256,
/// Java-style sign-padded hex ("padHex") fed to every hash, HKDF with the info "Caldera Derived Key"
/// and a 16-byte session key. This is the protocol on top of the framework's primitives
/// (BigInteger, SHA-256, HMAC, HKDF).
/// </summary>
internal static class Srp
{
    public static readonly BigInteger N = FromHex(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
        "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
        "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
        "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
        "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
        "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
        "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
        "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF");

    public static readonly BigInteger G = 2;

    /// <summary>k = H(padHex(N) ‖ padHex(g)); g is not padded to N's length (unlike RFC 5054).</summary>
    public static readonly BigInteger K = FromBytes(SHA256.HashData([.. Pad(N), .. Pad(G)]));

    private static readonly byte[] DerivedKeyInfo = Encoding.UTF8.GetBytes("Caldera Derived Key");

    public static BigInteger FromHex(string hex) => BigInteger.Parse("0" + hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    public static BigInteger FromBytes(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    /// <summary>Lowercase hex without leading zeros, as the JS client writes <c>toString(16)</c>.</summary>
    public static string ToHex(BigInteger value) =>
        value.IsZero ? "0" : Convert.ToHexStringLower(value.ToByteArray(isUnsigned: true, isBigEndian: true)).TrimStart('0');

    /// <summary>The bytes of padHex(n): big-endian with a 0x00 sign byte when the top bit is set (Java's toByteArray).</summary>
    public static byte[] Pad(BigInteger value) => value.ToByteArray(isUnsigned: false, isBigEndian: true);

    /// <summary>x = H(padHex(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)).</summary>
    public static BigInteger PrivateKey(string poolName, string userId, string password, BigInteger salt)
    {
        var inner = SHA256.HashData(Encoding.UTF8.GetBytes(poolName + userId + ":" + password));
        return FromBytes(SHA256.HashData([.. Pad(salt), .. inner]));
    }

    /// <summary>v = g^x mod N, stored when a password is set.</summary>
    public static BigInteger Verifier(string poolName, string userId, string password, BigInteger salt) =>
        BigInteger.ModPow(G, PrivateKey(poolName, userId, password, salt), N);

    /// <summary>A fresh 16-byte salt that survives the clients' integer round trip (leading zeros dropped).</summary>
    public static BigInteger NewSalt()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return FromBytes(bytes);
    }

    /// <summary>A random server secret b (256 bits).</summary>
    public static BigInteger NewPrivateEphemeral()
    {
        Span<byte> bytes = stackalloc byte[32];
        BigInteger b;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            b = FromBytes(bytes);
        }
        while (b.IsZero);
        return b;
    }

    /// <summary>B = (k·v + g^b) mod N.</summary>
    public static BigInteger PublicEphemeral(BigInteger verifier, BigInteger b) =>
        (K * verifier + PowG(b)) % N;

    // g^e for exponents up to 256 bits from a table of g^(j·16^i): at most 64 multiplications instead of
    // ~256 squarings, which makes the server's half of an SRP sign-in about a quarter cheaper.
    private const int TableWindows = 64;
    private static readonly Lazy<BigInteger[][]> GeneratorTable = new(BuildGeneratorTable);

    private static BigInteger[][] BuildGeneratorTable()
    {
        var table = new BigInteger[TableWindows][];
        for (var i = 0; i < TableWindows; i++)
        {
            var row = table[i] = new BigInteger[16];
            row[0] = BigInteger.One;
            row[1] = i == 0 ? G : BigInteger.ModPow(table[i - 1][1], 16, N);
            for (var j = 2; j < 16; j++)
                row[j] = row[j - 1] * row[1] % N;
        }
        return table;
    }

    /// <summary>g^e mod N (the same value as <c>BigInteger.ModPow(G, e, N)</c>).</summary>
    public static BigInteger PowG(BigInteger exponent)
    {
        if (exponent.Sign < 0 || exponent.GetBitLength() > TableWindows * 4)
            return BigInteger.ModPow(G, exponent, N);
        var table = GeneratorTable.Value;
        var bytes = exponent.ToByteArray(isUnsigned: true, isBigEndian: false);
        var result = BigInteger.One;
        for (var i = 0; i < TableWindows && i / 2 < bytes.Length; i++)
        {
            var nibble = (bytes[i / 2] >> (4 * (i % 2))) & 0xF;
            if (nibble != 0)
                result = result * table[i][nibble] % N;
        }
        return result;
    }

    /// <summary>u = H(padHex(A) ‖ padHex(B)).</summary>
    public static BigInteger Scrambler(BigInteger a, BigInteger b) => FromBytes(SHA256.HashData([.. Pad(a), .. Pad(b)]));

    /// <summary>The server's premaster secret S = (A · v^u)^b mod N.</summary>
    public static BigInteger ServerSecret(BigInteger clientA, BigInteger verifier, BigInteger u, BigInteger b) =>
        BigInteger.ModPow(clientA * BigInteger.ModPow(verifier, u, N) % N, b, N);

    /// <summary>The 16-byte session key: HKDF-SHA256(ikm: padHex(S), salt: padHex(u), info: "Caldera Derived Key").</summary>
    public static byte[] SessionKey(BigInteger secret, BigInteger u) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Pad(secret), 16, Pad(u), DerivedKeyInfo);

    /// <summary>HMAC-SHA256(K, poolName ‖ userId ‖ secretBlock ‖ timestamp): the client's password claim.</summary>
    public static byte[] ClaimSignature(byte[] sessionKey, string poolName, string userId, ReadOnlySpan<byte> secretBlock, string timestamp) =>
        HMACSHA256.HashData(sessionKey, (byte[])[.. Encoding.UTF8.GetBytes(poolName), .. Encoding.UTF8.GetBytes(userId), .. secretBlock, .. Encoding.UTF8.GetBytes(timestamp)]);
}
