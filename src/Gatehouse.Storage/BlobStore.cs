using System.Security.Cryptography;

namespace Gatehouse.Storage;

/// <summary>
/// Content-addressed files (function code and other large values) in the data directory, named by
/// their SHA-256. Written to a temporary file, flushed and renamed, so a blob is whole or absent.
/// </summary>
public sealed class BlobStore : IDisposable
{
    private readonly string _root;
    private readonly bool _deleteOnDispose;

    private readonly StoreHealth _health;

    public BlobStore(string root, bool deleteOnDispose = false, StoreHealth? health = null)
    {
        _root = Path.GetFullPath(root);
        _deleteOnDispose = deleteOnDispose;
        _health = health ?? new StoreHealth();
        try
        {
            Directory.CreateDirectory(_root);
        }
        catch (Exception e) when (StoreFailures.Translate(e) is not null)
        {
            // A read-only data directory: blobs are still read; PutAsync answers StoreUnavailableException.
        }
    }

    /// <summary>A blob store in a fresh temporary folder that is deleted on dispose (in-memory mode).</summary>
    public static BlobStore CreateTemporary() =>
        new(Path.Combine(Path.GetTempPath(), "gatehouse-blobs-" + Guid.NewGuid().ToString("N")), deleteOnDispose: true);

    /// <summary>Stores the bytes; returns the lowercase hex SHA-256 that names them.</summary>
    public async Task<string> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var path = PathOf(hash);
        if (File.Exists(path))
            return hash;
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e)
        {
            // Cancelled, or the disk is full: no half-written blob is left behind.
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            if (_health.Observe(e) is { } unavailable)
                throw unavailable;
            throw;
        }
        return hash;
    }

    public bool Exists(string hash) => File.Exists(PathOf(hash));

    /// <summary>The file that holds the blob (for unpacking without a copy).</summary>
    public string PathOf(string hash)
    {
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
            throw new ArgumentException("A blob name is 64 lowercase hex digits.", nameof(hash));
        return Path.Combine(_root, hash[..2], hash);
    }

    public Task<byte[]> ReadAsync(string hash, CancellationToken cancellationToken) =>
        File.ReadAllBytesAsync(PathOf(hash), cancellationToken);

    public void Dispose()
    {
        if (_deleteOnDispose && Directory.Exists(_root))
        {
            try { Directory.Delete(_root, recursive: true); }
            catch (IOException) { /* best effort for a temporary folder */ }
        }
    }
}
