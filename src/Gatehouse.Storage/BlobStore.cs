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

    /// <summary>
    /// Stores a stream without holding it in memory: copied to a temporary file while its SHA-256 is
    /// computed and each chunk is shown to <paramref name="observe"/> (which may throw, e.g. when a
    /// size limit is passed); <paramref name="beforeCommit"/> runs once the stream has ended and may
    /// still refuse it (a digest that does not match). Only then is the file moved in; on any failure
    /// or cancellation nothing is left behind.
    /// </summary>
    /// <returns>The blob's name (hex SHA-256) and its length.</returns>
    public async Task<(string Hash, long Length)> PutAsync(Stream source, Action<ReadOnlySpan<byte>>? observe, Action? beforeCommit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var temporary = Path.Combine(_root, "tmp-" + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            string hash;
            long length = 0;
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
                {
                    var buffer = new byte[128 * 1024];
                    while (true)
                    {
                        var read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                        if (read == 0)
                            break;
                        var chunk = buffer.AsSpan(0, read);
                        sha.AppendData(chunk);
                        observe?.Invoke(chunk);
                        length += read;
                        await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                    beforeCommit?.Invoke();
                    stream.Flush(flushToDisk: true);
                }
                hash = Convert.ToHexStringLower(sha.GetHashAndReset());
            }
            var path = PathOf(hash);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (File.Exists(path))
                File.Delete(temporary);
            else
                File.Move(temporary, path, overwrite: true);
            return (hash, length);
        }
        catch (Exception e)
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            if (_health.Observe(e) is { } unavailable)
                throw unavailable;
            throw;
        }
    }

    /// <summary>Temporary files of writes that never finished (a crash mid-upload), for tests and clean-up.</summary>
    public IEnumerable<string> PendingWrites() =>
        Directory.Exists(_root) ? Directory.EnumerateFiles(_root, "tmp-*.tmp") : [];

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
