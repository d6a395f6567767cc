using System.Security.Cryptography;
using System.Text;
using Gatehouse.Storage;

namespace Gatehouse.Storage.Tests;

public sealed class BlobStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gatehouse-blobs-test-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Put_NamedBySha256_ReadBackIdentical()
    {
        using var store = new BlobStore(_directory);
        var content = Encoding.UTF8.GetBytes("def handler(event, context): return 1");

        var hash = await store.PutAsync(content, default);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), hash);
        Assert.Equal(content, await store.ReadAsync(hash, default));
    }

    [Fact]
    public async Task Put_SameContentTwice_OneFileNoLeftovers()
    {
        using var store = new BlobStore(_directory);
        var first = await store.PutAsync(new byte[] { 1, 2, 3 }, default);
        var second = await store.PutAsync(new byte[] { 1, 2, 3 }, default);

        Assert.Equal(first, second);
        Assert.Single(Directory.GetFiles(_directory, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("ABCDEF")]
    [InlineData("")]
    public void PathOf_NotAHash_Refused(string name)
    {
        using var store = new BlobStore(_directory);
        Assert.Throws<ArgumentException>(() => store.PathOf(name));
    }

    [Fact]
    public async Task Temporary_Disposed_FolderRemoved()
    {
        string path;
        using (var store = BlobStore.CreateTemporary())
        {
            var hash = await store.PutAsync(new byte[] { 9 }, default);
            path = store.PathOf(hash);
            Assert.True(File.Exists(path));
        }
        Assert.False(File.Exists(path));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
