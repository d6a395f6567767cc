using System.IO.Compression;
using Gatehouse.Storage;

namespace Gatehouse.Functions.Executors;

/// <summary>
/// Function code unpacked once per zip (by its hash) into a folder the environments of every
/// version with that code share, read-only like Lambda's /var/task. Unpacked into a temporary
/// folder and renamed, so a folder is whole or absent.
/// </summary>
internal sealed class CodeCache : IDisposable
{
    private readonly BlobStore _blobs;
    private readonly string _root;
    private readonly bool _temporary;
    private readonly Lock _gate = new();

    public CodeCache(BlobStore blobs, string root, bool temporary)
    {
        _blobs = blobs;
        _root = root;
        _temporary = temporary;
        Directory.CreateDirectory(_root);
    }

    /// <summary>Checks that the bytes are a zip Lambda could unpack (before anything is stored).</summary>
    public static bool IsValidZip(ReadOnlyMemory<byte> zip)
    {
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip.ToArray(), writable: false), ZipArchiveMode.Read);
            foreach (var entry in archive.Entries)
            {
                var full = Path.GetFullPath(Path.Combine("/x", entry.FullName));
                if (!full.StartsWith("/x/", StringComparison.Ordinal) && full != "/x")
                    return false;
            }
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>The folder holding the unpacked code of blob <paramref name="hash"/>, unpacking it if needed.</summary>
    public string Unpack(string hash)
    {
        var target = Path.Combine(_root, hash);
        if (Directory.Exists(target))
            return target;
        lock (_gate)
        {
            if (Directory.Exists(target))
                return target;
            var staging = target + ".tmp-" + Guid.NewGuid().ToString("N");
            ZipFile.ExtractToDirectory(_blobs.PathOf(hash), staging);
            MakeReadOnly(staging);
            Directory.Move(staging, target);
            return target;
        }
    }

    private static void MakeReadOnly(string folder)
    {
        // Lambda's code folder is read-only; keep each file's execute bits (a provided bootstrap needs them).
        if (OperatingSystem.IsWindows())
            return;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var mode = File.GetUnixFileMode(file);
            if (Path.GetFileName(file) == "bootstrap")
                mode |= UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            File.SetUnixFileMode(file, (mode | UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead)
                & ~(UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        }
    }

    public void Dispose()
    {
        if (!_temporary || !Directory.Exists(_root))
            return;
        try
        {
            foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
            {
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort for a temporary folder.
        }
    }
}
