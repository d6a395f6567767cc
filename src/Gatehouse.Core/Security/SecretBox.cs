using System.Security.Cryptography;

namespace Gatehouse.Core.Security;

/// <summary>
/// Seals secrets at rest (user pools' signing keys and SRP verifiers, SecureString parameters) with AES-256-GCM
/// under a key kept outside the database: a file beside it (mode 0600) for a persistent store, a
/// random in-process key for the in-memory store. A copy of the database alone therefore reveals
/// neither keys nor verifiers (an SRP verifier would otherwise allow cheap offline password guessing).
/// Sealed form: nonce (12) ‖ tag (16) ‖ ciphertext.
/// </summary>
public sealed class SecretBox
{
    private readonly byte[] _key;

    public SecretBox(byte[] key)
    {
        if (key.Length != 32)
            throw new ArgumentException("The secret key must be 32 bytes.", nameof(key));
        _key = key;
    }

    public static SecretBox Ephemeral() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>Loads the key file, creating it (owner-only permissions) on first start.</summary>
    public static SecretBox FromFile(string path)
    {
        if (File.Exists(path))
            return new SecretBox(File.ReadAllBytes(path));
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
        return new SecretBox(key);
    }

    /// <param name="associatedData">Bound to the sealed value (e.g. the name of what it belongs to): it opens only with the same.</param>
    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData = default)
    {
        var sealedBytes = new byte[12 + 16 + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16), associatedData);
        return sealedBytes;
    }

    public byte[] Open(ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> associatedData = default)
    {
        if (sealedBytes.Length < 28)
            throw new CryptographicException("Sealed value too short.");
        var plaintext = new byte[sealedBytes.Length - 28];
        using var aes = new AesGcm(_key, 16);
        aes.Decrypt(sealedBytes[..12], sealedBytes[28..], sealedBytes.Slice(12, 16), plaintext, associatedData);
        return plaintext;
    }
}
