using System.Text;
using Gatehouse.Core.Security;

namespace Gatehouse.Parameters.Model;

/// <summary>
/// Seals SecureString values at rest with the store's <see cref="SecretBox"/> (AES-256-GCM under a key
/// kept outside the database). The parameter's account, region and name are the associated data, so a
/// sealed value copied onto another parameter does not open. The sealed form (base64) is also what
/// GetParameter answers without WithDecryption: like AWS's KMS ciphertext, opaque text
/// (https://docs.aws.amazon.com/systems-manager/latest/userguide/secure-string-parameter-kms-encryption.html).
/// </summary>
internal sealed class SecureValues
{
    private readonly SecretBox _box;

    public SecureValues(SecretBox box) => _box = box;

    public static SecureValues Ephemeral() => new(SecretBox.Ephemeral());

    /// <summary>Loads the key file, creating it (owner-only permissions) on first start.</summary>
    public static SecureValues FromFile(string path) => new(SecretBox.FromFile(path));

    public string Seal(ParameterKey key, string value) =>
        Convert.ToBase64String(_box.Seal(Encoding.UTF8.GetBytes(value), Context(key)));

    public string Open(ParameterKey key, string sealedValue) =>
        Encoding.UTF8.GetString(_box.Open(Convert.FromBase64String(sealedValue), Context(key)));

    private static byte[] Context(ParameterKey key) => Encoding.UTF8.GetBytes($"{key.Account}\n{key.Region}\n{key.Name}");
}
