using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Core.Security;

/// <summary>
/// The access keys the strict SigV4 mode accepts, read from a file in the AWS shared-credentials
/// form (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html):
/// <c>[name]</c> sections with <c>aws_access_key_id</c> and <c>aws_secret_access_key</c>.
/// </summary>
public sealed class AccessKeys
{
    private readonly Dictionary<string, string> _secrets;

    private AccessKeys(Dictionary<string, string> secrets, string path, string firstAccessKeyId, bool generated)
    {
        _secrets = secrets;
        Path = path;
        FirstAccessKeyId = firstAccessKeyId;
        Generated = generated;
    }

    /// <summary>The file the keys came from.</summary>
    public string Path { get; }

    /// <summary>The first key of the file (the one Gatehouse's own clients sign with).</summary>
    public string FirstAccessKeyId { get; }

    /// <summary>Whether Gatehouse created the file on this start.</summary>
    public bool Generated { get; }

    public int Count => _secrets.Count;

    public bool TryGetSecret(string accessKeyId, out string secret) => _secrets.TryGetValue(accessKeyId, out secret!);

    /// <summary>Reads a shared-credentials file; throws <see cref="ArgumentException"/> when it holds no usable key.</summary>
    public static AccessKeys Load(string path, bool generated = false)
    {
        if (!File.Exists(path))
            throw new ArgumentException($"Credentials file '{path}' does not exist.");
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        string? first = null;
        string? section = null, id = null, secret = null;
        void Flush()
        {
            if (section is not null && id is not null && secret is not null)
            {
                secrets[id] = secret;
                first ??= id;
            }
            else if (section is not null && (id is not null || secret is not null))
            {
                throw new ArgumentException($"Profile [{section}] of credentials file '{path}' needs both aws_access_key_id and aws_secret_access_key.");
            }
            id = secret = null;
        }
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
                continue;
            if (line[0] == '[' && line[^1] == ']')
            {
                Flush();
                section = line[1..^1].Trim();
                continue;
            }
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || section is null)
                continue;
            var key = line[..equals].Trim().ToLowerInvariant();
            var value = line[(equals + 1)..].Trim();
            if (key == "aws_access_key_id")
                id = value;
            else if (key == "aws_secret_access_key")
                secret = value;
        }
        Flush();
        if (first is null)
            throw new ArgumentException($"Credentials file '{path}' holds no [profile] with aws_access_key_id and aws_secret_access_key.");
        return new AccessKeys(secrets, System.IO.Path.GetFullPath(path), first, generated);
    }

    /// <summary>
    /// The file in <paramref name="directory"/> (<c>credentials</c>), created with one new root key
    /// pair under <c>[default]</c> and mode 0600 when it does not exist yet.
    /// </summary>
    public static AccessKeys LoadOrCreate(string directory)
    {
        var path = System.IO.Path.Combine(directory, "credentials");
        if (File.Exists(path))
            return Load(path);
        Directory.CreateDirectory(directory);
        var text = $"""
            # Written by Gatehouse (--auth sigv4): the root access key of this server.
            # Use it with AWS_SHARED_CREDENTIALS_FILE={System.IO.Path.GetFullPath(path)}
            [default]
            aws_access_key_id = {NewAccessKeyId()}
            aws_secret_access_key = {NewSecret()}

            """;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, options))
            stream.Write(Encoding.UTF8.GetBytes(text));
        return Load(path, generated: true);
    }

    // AWS access key ids are AKIA + 16 characters of A-Z and 2-7; secrets 40 characters of base64.
    private static string NewAccessKeyId() => "AKIA" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);

    private static string NewSecret() => RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
}
