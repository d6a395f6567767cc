using System.Buffers;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Gatehouse.Core;
using Gatehouse.Storage;

namespace Gatehouse.Functions.Executors;

/// <summary>
/// Function code unpacked once per zip (by its hash) into a folder the environments of every
/// version with that code share, read-only like Lambda's /var/task. Unpacked into a temporary
/// folder and renamed, so a folder is whole or absent. Beside each folder, outside what any
/// function can see, a manifest lists every file with its size and SHA-256; a folder found on disk
/// is checked against it the first time this process uses it, and unpacked again from the stored
/// zip if anything differs (a file changed, added or removed while the server was stopped), so
/// code is never run from a folder something else rewrote.
/// </summary>
internal sealed class CodeCache : IDisposable
{
    private readonly BlobStore _blobs;
    private readonly string _root;
    private readonly bool _temporary;
    private readonly Lock _gate = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _verified = new(StringComparer.Ordinal);

    public CodeCache(BlobStore blobs, string root, bool temporary)
    {
        _blobs = blobs;
        _root = root;
        _temporary = temporary;
        Directory.CreateDirectory(_root);
    }

    /// <summary>Lambda's quota on a function's unpacked code, 250 MB
    /// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).</summary>
    public const long MaxUnzippedBytes = 262_144_000;

    /// <summary>The most entries a zip may hold (Lambda documents none; this bounds files and folders made).</summary>
    public const int MaxEntries = 100_000;

    /// <summary>
    /// Checks, before anything is stored, that the bytes are a zip Lambda could unpack into one folder:
    /// no entry outside it, no path twice, no file where a folder is, at most <see cref="MaxEntries"/>
    /// entries and <see cref="MaxUnzippedBytes"/> bytes — counted while every entry is inflated (to
    /// nowhere), so sizes the zip's headers understate do not get through either.
    /// </summary>
    /// <exception cref="AwsException">400 InvalidParameterValueException, with Lambda's wording.</exception>
    public static void Validate(ReadOnlyMemory<byte> zip)
    {
        var stream = MemoryMarshal.TryGetArray(zip, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(zip.ToArray(), writable: false);
        try
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Read);
            long total = 0;
            foreach (var (entry, _, isDirectory) in Plan(archive, "/x"))
            {
                if (!isDirectory)
                    Inflate(entry, Stream.Null, ref total);
            }
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
        {
            throw FunctionErrors.InvalidZip();
        }
    }

    /// <summary>
    /// Where each entry of <paramref name="archive"/> goes under <paramref name="root"/>, or the
    /// reason it cannot be unpacked there (thrown). Declared sizes are checked here, real ones by
    /// <see cref="Inflate"/>.
    /// </summary>
    private static List<(ZipArchiveEntry Entry, string Path, bool IsDirectory)> Plan(ZipArchive archive, string root)
    {
        var entries = archive.Entries;
        if (entries.Count > MaxEntries)
            throw FunctionErrors.InvalidZip($"It holds {entries.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)} entries; at most {MaxEntries.ToString(System.Globalization.CultureInfo.InvariantCulture)} are accepted.");
        long declared = 0;
        var plan = new List<(ZipArchiveEntry, string, bool)>(entries.Count);
        // Every path the zip makes, and whether it is a folder (named or implied by a path under it).
        var kinds = new Dictionary<string, bool>(StringComparer.Ordinal);
        var prefix = root + "/";
        foreach (var entry in entries)
        {
            declared += entry.Length;
            if (declared > MaxUnzippedBytes)
                throw FunctionErrors.UnzippedTooLarge(MaxUnzippedBytes);
            if (entry.FullName.Contains('\0', StringComparison.Ordinal))
                throw FunctionErrors.InvalidZip();
            var full = Path.GetFullPath(Path.Combine(root, entry.FullName));
            var isDirectory = entry.FullName.EndsWith('/');
            if (full == root || full + "/" == prefix)
            {
                if (isDirectory)
                    continue; // "./": the folder itself
                throw FunctionErrors.InvalidZip();
            }
            if (!full.StartsWith(prefix, StringComparison.Ordinal))
                throw FunctionErrors.InvalidZip();
            var relative = Path.TrimEndingDirectorySeparator(full[prefix.Length..]);
            for (var slash = relative.IndexOf('/'); slash > 0; slash = relative.IndexOf('/', slash + 1))
            {
                var parent = relative[..slash];
                if (kinds.TryGetValue(parent, out var parentIsDirectory) && !parentIsDirectory)
                    throw FunctionErrors.InvalidZip($"'{parent}' is both a file and a folder.");
                kinds[parent] = true;
            }
            if (kinds.TryGetValue(relative, out var existingIsDirectory))
            {
                if (existingIsDirectory && isDirectory)
                    continue; // a folder named twice (or after a file in it) makes nothing new
                throw existingIsDirectory || isDirectory
                    ? FunctionErrors.InvalidZip($"'{relative}' is both a file and a folder.")
                    : FunctionErrors.InvalidZip($"'{relative}' is in it twice.");
            }
            kinds[relative] = isDirectory;
            plan.Add((entry, full, isDirectory));
        }
        return plan;
    }

    /// <summary>Copies one entry's bytes to <paramref name="target"/>, keeping the zip's total (<paramref name="total"/>) under the quota.</summary>
    private static void Inflate(ZipArchiveEntry entry, Stream target, ref long total)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            using var source = entry.Open();
            long written = 0;
            var crc = new System.IO.Hashing.Crc32();
            int read;
            while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                written += read;
                total += read;
                if (total > MaxUnzippedBytes)
                    throw FunctionErrors.UnzippedTooLarge(MaxUnzippedBytes);
                // More than the entry's header promised: not a zip to trust.
                if (written > entry.Length)
                    throw new InvalidDataException("An entry inflates beyond its declared size.");
                crc.Append(buffer.AsSpan(0, read));
                target.Write(buffer, 0, read);
            }
            // The inflater stops at the declared size, so a header that understates it shows as a
            // checksum that does not match (as unzip reports it), not as a bomb.
            if (written != entry.Length || crc.GetCurrentHashAsUInt32() != entry.Crc32)
                throw new InvalidDataException("An entry's size or checksum does not match its header.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The folder holding the unpacked code of blob <paramref name="hash"/>, unpacking it if needed.</summary>
    /// <exception cref="AwsException">The blob is not a zip that unpacks (400 InvalidParameterValueException); nothing is left behind.</exception>
    public string Unpack(string hash)
    {
        var target = Path.Combine(_root, hash);
        if (_verified.ContainsKey(hash))
            return target;
        lock (_gate)
        {
            if (_verified.ContainsKey(hash))
                return target;
            var manifest = target + ManifestSuffix;
            if (Directory.Exists(target))
            {
                if (File.Exists(manifest) && File.ReadAllText(manifest) == Manifest(target))
                {
                    _verified[hash] = true;
                    return target;
                }
                // Changed since it was unpacked (or unpacked before manifests): unpack it afresh.
                Remove(target);
            }
            var staging = target + ".tmp-" + Guid.NewGuid().ToString("N");
            try
            {
                Extract(_blobs.PathOf(hash), staging);
                MakeReadOnly(staging);
                var listing = Manifest(staging);
                File.WriteAllText(manifest + ".tmp", listing);
                File.Move(manifest + ".tmp", manifest, overwrite: true);
                Directory.Move(staging, target);
                _verified[hash] = true;
            }
            catch (Exception e)
            {
                DeleteStaging(staging);
                if (e is InvalidDataException or NotSupportedException)
                    throw FunctionErrors.InvalidZip();
                if (StoreFailures.Translate(e) is { } unavailable)
                    throw unavailable;
                throw;
            }
            return target;
        }
    }

    /// <summary>Unpacks with the same checks as <see cref="Validate"/> (the blob may predate them).</summary>
    private static void Extract(string zipPath, string staging)
    {
        using var archive = ZipFile.OpenRead(zipPath);
        var plan = Plan(archive, Path.GetFullPath(staging));
        Directory.CreateDirectory(staging);
        long total = 0;
        foreach (var (entry, path, isDirectory) in plan)
        {
            if (isDirectory)
            {
                Directory.CreateDirectory(path);
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                Inflate(entry, file, ref total);
            // The zip's Unix mode (high bits of the external attributes), as unzip and .NET keep it.
            var mode = (entry.ExternalAttributes >> 16) & 0x1FF;
            if (mode != 0 && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, (UnixFileMode)mode);
            File.SetLastWriteTime(path, entry.LastWriteTime.DateTime);
        }
    }

    private const string ManifestSuffix = ".manifest";

    /// <summary>Every file under <paramref name="folder"/>: its path, size, mode and SHA-256, one per line, in ordinal order.</summary>
    private static string Manifest(string folder)
    {
        var text = new System.Text.StringBuilder();
        var prefix = Path.GetFullPath(folder) + "/";
        var entries = Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
            .Select(Path.GetFullPath).Order(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var relative = entry[prefix.Length..];
            var info = new FileInfo(entry);
            if (info.LinkTarget is not null)
            {
                text.Append("link ").Append(relative).Append(" -> ").Append(info.LinkTarget).Append('\n');
                continue;
            }
            if (Directory.Exists(entry))
            {
                text.Append("dir ").Append(relative).Append('\n');
                continue;
            }
            using var stream = File.OpenRead(entry);
            var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
            var mode = OperatingSystem.IsWindows() ? 0 : (int)File.GetUnixFileMode(entry);
            text.Append("file ").Append(relative).Append(' ').Append(info.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Append(' ').Append(Convert.ToString(mode, 8)).Append(' ').Append(digest).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Deletes an unpacked folder that failed its check (its files are read-only, not their folders).</summary>
    private static void Remove(string target)
    {
        var doomed = target + ".bad-" + Guid.NewGuid().ToString("N");
        Directory.Move(target, doomed);
        DeleteStaging(doomed);
    }

    private static void DeleteStaging(string staging)
    {
        try
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort; the staging name is never reused.
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
