using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Parameters.Model;

/// <summary>
/// Seals SecureString values at rest with AES-256-GCM under a key kept outside the database: a file
/// in the data directory (mode 0600) for a persistent store, a random in-process key for the
/// in-memory one. The parameter's account, region and name are the associated data, so a sealed value
/// copied onto another parameter does not open. The sealed form (nonce ‖ tag ‖ ciphertext, base64) is
/// also what GetParameter answers without WithDecryption: like AWS's KMS ciphertext, opaque text
/// (https://docs.aws.amazon.com/systems-manager/latest/userguide/secure-string-parameter-kms-encryption.html).
/// </summary>
internal sealed class SecureValues
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SecureValues(byte[] key)
    {
        if (key.Length != 32)
            throw new ArgumentException("The parameter key must be 32 bytes.", nameof(key));
        _key = key;
    }

    public static SecureValues Ephemeral() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>Loads the key file, creating it (owner-only permissions) on first start.</summary>
    public static SecureValues FromFile(string path)
    {
        if (File.Exists(path))
            return new SecureValues(File.ReadAllBytes(path));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var key = RandomNumberGenerator.GetBytes(32);
        var temporary = path + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, fileOptions))
        {
            stream.Write(key);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path);
        return new SecureValues(key);
    }

    public string Seal(ParameterKey key, string value)
    {
        var plaintext = Encoding.UTF8.GetBytes(value);
        var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Context(key));
        return Convert.ToBase64String(sealedBytes);
    }

    public string Open(ParameterKey key, string sealedValue)
    {
        var sealedBytes = Convert.FromBase64String(sealedValue);
        if (sealedBytes.Length < NonceSize + TagSize)
            throw new CryptographicException("Sealed value too short.");
        var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plaintext, Context(key));
        return Encoding.UTF8.GetString(plaintext);
    }

    private static byte[] Context(ParameterKey key) => Encoding.UTF8.GetBytes($"{key.Account}\n{key.Region}\n{key.Name}");
}
