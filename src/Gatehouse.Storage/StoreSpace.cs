namespace Gatehouse.Storage;

/// <summary>
/// The free space left where the store writes, so <c>/_gatehouse/health</c> says "low-space" before a
/// write fails rather than only after. Read when asked (one <c>statvfs</c> call), never cached.
/// </summary>
public sealed class StoreSpace
{
    /// <summary>Below this much free space the store is reported as low on space (a function's code unpacks to up to 250 MB).</summary>
    public const long DefaultLowThreshold = 256L * 1024 * 1024;

    private readonly string _directory;
    private readonly Func<string, long?> _freeBytes;

    /// <param name="freeBytes">Reads the bytes available to this user under a directory; null when unknown. Defaults to the file system's answer.</param>
    public StoreSpace(string directory, long lowThreshold = DefaultLowThreshold, Func<string, long?>? freeBytes = null)
    {
        _directory = directory;
        LowThreshold = lowThreshold;
        _freeBytes = freeBytes ?? ReadFreeBytes;
    }

    public long LowThreshold { get; }

    /// <summary>The bytes available under the store's directory, and whether that is below <see cref="LowThreshold"/>.</summary>
    public (long? FreeBytes, bool Low) Check()
    {
        var free = _freeBytes(_directory);
        return (free, free is { } bytes && bytes < LowThreshold);
    }

    private static long? ReadFreeBytes(string directory)
    {
        try
        {
            // DriveInfo on a path answers for the file system that holds it (statvfs on Unix).
            return new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
