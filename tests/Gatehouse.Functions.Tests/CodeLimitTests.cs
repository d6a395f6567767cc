using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Gatehouse.Core;
using Gatehouse.Functions.Executors;
using Gatehouse.Storage;
using Gatehouse.Testing;
using static Gatehouse.Functions.Tests.TestFunctions;

namespace Gatehouse.Functions.Tests;

/// <summary>A server on its own data directory, so a test can look at what a refused upload left on disk.</summary>
public sealed class CodeLimitGatehouse : GatehouseProcess
{
    public CodeLimitGatehouse()
        : base("--data", Path.Combine(Path.GetTempPath(), "gatehouse-codelimits-" + Guid.NewGuid().ToString("N")))
    {
    }

    public string DataDirectory => Arguments[1];

    /// <summary>Every file and folder under the data directory's blobs and unpacked code.</summary>
    public string[] StoredCode() =>
        new[] { Path.Combine(DataDirectory, "blobs"), Path.Combine(DataDirectory, "functions", "code") }
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFileSystemEntries(d, "*", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal)
            .ToArray();
}

/// <summary>
/// Code Lambda would refuse, uploaded as an attacker would: a zip bomb, sizes that lie, a path twice,
/// a file where a folder is, too many entries, bytes that do not inflate. Each is 400
/// InvalidParameterValueException and leaves nothing behind.
/// </summary>
public sealed class CodeLimitTests : IClassFixture<CodeLimitGatehouse>
{
    private const string Handler = "def handler(event, context):\n    return 'old code'\n";

    private static readonly Lazy<byte[]> ZerosBomb = new(() => ZipOfZeros(300L * 1024 * 1024));

    private readonly CodeLimitGatehouse _server;

    public CodeLimitTests(CodeLimitGatehouse server) => _server = server;

    /// <summary>One entry of <paramref name="size"/> zero bytes: 300 MB compress to about 300 KB.</summary>
    private static byte[] ZipOfZeros(long size, string name = "zeros.bin")
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var app = archive.CreateEntry("app.py").Open())
                app.Write(Encoding.UTF8.GetBytes(Handler));
            using var stream = archive.CreateEntry(name, CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (long written = 0; written < size; written += zeros.Length)
                stream.Write(zeros, 0, (int)Math.Min(zeros.Length, size - written));
        }
        return output.ToArray();
    }

    private static byte[] ZipOf(params string[] names)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var name in names)
            {
                var entry = archive.CreateEntry(name);
                if (!name.EndsWith('/'))
                {
                    using var stream = entry.Open();
                    stream.Write(Encoding.UTF8.GetBytes(name == "app.py" ? Handler : "x = 1\n"));
                }
            }
        }
        return output.ToArray();
    }

    /// <summary>
    /// The zip with every entry's uncompressed size, in the local headers and the central directory,
    /// rewritten to <paramref name="declared"/>: a bomb that claims to be small.
    /// </summary>
    private static byte[] UnderstateSizes(byte[] zip, uint declared)
    {
        var bytes = (byte[])zip.Clone();
        for (var i = 0; i + 30 <= bytes.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
            if (signature == 0x04034b50 && BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i + 22)) > declared)
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 22), declared);
            else if (signature == 0x02014b50 && BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i + 24)) > declared)
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 24), declared);
        }
        return bytes;
    }

    private static string Save(byte[] zip)
    {
        var path = Path.Combine(Path.GetTempPath(), "gatehouse-test-" + Guid.NewGuid().ToString("N") + ".zip");
        File.WriteAllBytes(path, zip);
        return path;
    }

    private async Task<CliResult> CreateRawAsync(string name, byte[] zip)
    {
        var path = Save(zip);
        try
        {
            return await _server.AwsAsync("lambda", "create-function", "--function-name", name, "--runtime", "python3.13",
                "--handler", "app.handler", "--role", Role, "--zip-file", "fileb://" + path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Asserts the CLI's error line: the code and the message, as AWS's CLI prints them.</summary>
    private static void AssertRefused(CliResult result, string operation, string message)
    {
        Assert.NotEqual(0, result.ExitCode);
        // The CLI v2 puts "(reached max retries: 0)" after the operation name.
        var expected = $@"^An error occurred \(InvalidParameterValueException\) when calling the {operation} operation( \(reached max retries: [0-9]+\))?: {System.Text.RegularExpressions.Regex.Escape(message)}$";
        Assert.Matches(expected, result.StandardError.Trim());
    }

    private async Task AssertNothingStoredAsync(string name, string[] before)
    {
        var get = await _server.AwsAsync("lambda", "get-function", "--function-name", name);
        Assert.Contains("ResourceNotFoundException", get.StandardError, StringComparison.Ordinal);
        Assert.Equal(before, _server.StoredCode());
        Assert.DoesNotContain("Exception:", _server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateFunction_ZipBombOf300MegabytesOfZeros_IsUnzippedSizeErrorAndNothingIsStored()
    {
        var bomb = ZerosBomb.Value;
        Assert.True(bomb.Length < 2 * 1024 * 1024, $"the bomb is {bomb.Length} bytes");
        var name = UniqueName("bomb");
        var before = _server.StoredCode();

        var result = await CreateRawAsync(name, bomb);

        AssertRefused(result, "CreateFunction", "Unzipped size must be smaller than 262144000 bytes");
        await AssertNothingStoredAsync(name, before);
    }

    [Fact]
    public async Task CreateFunction_ZipBombWhoseHeadersClaimItIsSmall_IsRefusedAndNothingIsStored()
    {
        var liar = UnderstateSizes(ZerosBomb.Value, 1000);
        var name = UniqueName("liar");
        var before = _server.StoredCode();

        var result = await CreateRawAsync(name, liar);

        // Inflating it stops where the headers said it would end (and the CRC is then wrong), or
        // counts past the quota: either way Lambda's refusal, never 300 MB on disk.
        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches(@"An error occurred \(InvalidParameterValueException\) when calling the CreateFunction operation( \(reached max retries: [0-9]+\))?: (Could not unzip uploaded file|Unzipped size must be smaller than 262144000 bytes)", result.StandardError);
        await AssertNothingStoredAsync(name, before);
    }

    [Fact]
    public void Validate_AtTheQuota_IsAcceptedAndOneByteMoreIsNot()
    {
        // Inflated to nowhere: 250 MB of code is checked without 250 MB on disk or in memory.
        var handlerBytes = Encoding.UTF8.GetByteCount(Handler);

        CodeCache.Validate(ZipOfZeros(CodeCache.MaxUnzippedBytes - handlerBytes));
        var over = Assert.Throws<AwsException>(() => CodeCache.Validate(ZipOfZeros(CodeCache.MaxUnzippedBytes - handlerBytes + 1)));
        var lying = Assert.Throws<AwsException>(() => CodeCache.Validate(UnderstateSizes(ZipOfZeros(CodeCache.MaxUnzippedBytes), 1000)));

        Assert.Equal("InvalidParameterValueException", over.Code);
        Assert.Equal("Unzipped size must be smaller than 262144000 bytes", over.Message);
        Assert.Equal("InvalidParameterValueException", lying.Code);
    }

    [Theory]
    [InlineData("'app.py' is in it twice.", "app.py", "app.py")]
    [InlineData("'app.py' is in it twice.", "app.py", "./app.py")]
    [InlineData("'lib' is both a file and a folder.", "app.py", "lib", "lib/x.py")]
    [InlineData("'lib' is both a file and a folder.", "app.py", "lib/x.py", "lib")]
    [InlineData("'lib' is both a file and a folder.", "app.py", "lib/", "lib")]
    public async Task CreateFunction_DuplicateOrConflictingEntries_IsInvalidParameterValue(string detail, params string[] names)
    {
        var name = UniqueName("dup");
        var before = _server.StoredCode();

        var result = await CreateRawAsync(name, ZipOf(names));

        AssertRefused(result, "CreateFunction", "Could not unzip uploaded file. Please check your file, then try to upload again. " + detail);
        await AssertNothingStoredAsync(name, before);
    }

    [Fact]
    public async Task CreateFunction_AFolderNamedTwice_IsAccepted()
    {
        var name = UniqueName("dirs");

        var result = await CreateRawAsync(name, ZipOf("lib/", "lib/", "lib/x.py", "app.py"));

        result.EnsureSuccess();
        Assert.Equal("\"old code\"", (await InvokeAsync(_server, name)).Payload);
    }

    [Theory]
    [InlineData("../escape.py")]
    [InlineData("/etc/escape.py")]
    public async Task CreateFunction_EntryOutsideTheCodeFolder_IsCouldNotUnzip(string entry)
    {
        var name = UniqueName("escape");

        var result = await CreateRawAsync(name, ZipOf("app.py", entry));

        AssertRefused(result, "CreateFunction", "Could not unzip uploaded file. Please check your file, then try to upload again.");
    }

    [Fact]
    public async Task CreateFunction_MoreEntriesThanTheLimit_IsInvalidParameterValue()
    {
        var name = UniqueName("many");
        var names = Enumerable.Range(0, CodeCache.MaxEntries + 1).Select(i => $"f/{i}/").Prepend("app.py").ToArray();

        var result = await CreateRawAsync(name, ZipOf(names));

        AssertRefused(result, "CreateFunction", $"Could not unzip uploaded file. Please check your file, then try to upload again. It holds {CodeCache.MaxEntries + 2} entries; at most {CodeCache.MaxEntries} are accepted.");
    }

    [Fact]
    public async Task CreateFunction_CompressedBytesThatDoNotInflate_IsCouldNotUnzip()
    {
        var zip = ZipOfZeros(1024 * 1024, "data.bin");
        // Corrupt the middle of the last entry's compressed data (the central directory stays intact).
        var centralDirectory = zip.AsSpan().LastIndexOf([(byte)0x50, (byte)0x4b, (byte)0x01, (byte)0x02]);
        for (var i = centralDirectory - 200; i < centralDirectory - 100; i++)
            zip[i] ^= 0x5a;
        var name = UniqueName("corrupt");
        var before = _server.StoredCode();

        var result = await CreateRawAsync(name, zip);

        AssertRefused(result, "CreateFunction", "Could not unzip uploaded file. Please check your file, then try to upload again.");
        await AssertNothingStoredAsync(name, before);
    }

    [Fact]
    public async Task UpdateFunctionCode_ZipBomb_IsRefusedAndTheOldCodeKeepsRunning()
    {
        var name = UniqueName("keep");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", Handler)));
        var path = Save(ZerosBomb.Value);

        var result = await _server.AwsAsync("lambda", "update-function-code", "--function-name", name, "--zip-file", "fileb://" + path);
        File.Delete(path);
        var (invoked, payload) = await InvokeAsync(_server, name);

        AssertRefused(result, "UpdateFunctionCode", "Unzipped size must be smaller than 262144000 bytes");
        invoked.EnsureSuccess();
        Assert.Equal("\"old code\"", payload);
        Assert.DoesNotContain(_server.StoredCode(), p => p.EndsWith(".tmp", StringComparison.Ordinal) || p.Contains(".tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unpack_StoredBlobThatBreaksTheLimits_ThrowsInvalidParameterAndLeavesNoStagingFolder()
    {
        // A blob stored before the checks existed: unpacking applies them too, and cleans up.
        using var blobs = BlobStore.CreateTemporary();
        var root = Path.Combine(Path.GetTempPath(), "gatehouse-code-test-" + Guid.NewGuid().ToString("N"));
        using var cache = new CodeCache(blobs, root, temporary: true);
        var duplicate = await blobs.PutAsync(ZipOf("app.py", "lib/x.py", "lib/x.py"), CancellationToken.None);
        var bomb = await blobs.PutAsync(UnderstateSizes(ZipOfZeros(64L * 1024 * 1024), 1000), CancellationToken.None);
        var good = await blobs.PutAsync(ZipOf("app.py", "lib/x.py"), CancellationToken.None);

        var duplicateError = Assert.Throws<AwsException>(() => cache.Unpack(duplicate));
        var bombError = Assert.Throws<AwsException>(() => cache.Unpack(bomb));
        var unpacked = cache.Unpack(good);

        Assert.Equal("InvalidParameterValueException", duplicateError.Code);
        Assert.Equal("InvalidParameterValueException", bombError.Code);
        Assert.Equal([unpacked], Directory.GetDirectories(root));
        Assert.Equal("x = 1\n", File.ReadAllText(Path.Combine(unpacked, "lib", "x.py")));
    }
}
