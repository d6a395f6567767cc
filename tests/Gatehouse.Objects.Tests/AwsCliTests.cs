using System.Security.Cryptography;
using System.Text;
using static Gatehouse.Objects.Tests.S3Client;

namespace Gatehouse.Objects.Tests;

/// <summary>S3 as the AWS CLI v2 drives it: the high-level <c>aws s3</c> commands and <c>aws s3api</c>.</summary>
public sealed class AwsCliTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public AwsCliTests(GatehouseProcess server) => _server = server;

    private async Task<string> NewBucketAsync(string stem)
    {
        var bucket = UniqueBucket(stem);
        (await _server.AwsAsync("s3", "mb", "s3://" + bucket)).EnsureSuccess();
        return bucket;
    }

    [Fact]
    public async Task Cp_SmallFile_RoundTripsAndLists()
    {
        var bucket = await NewBucketAsync("small");
        var file = TempFile(Encoding.UTF8.GetBytes("hello, bucket\n"));
        File.Move(file, file + ".txt");
        file += ".txt";
        (await _server.AwsAsync("s3", "cp", file, $"s3://{bucket}/docs/hello.txt")).EnsureSuccess();

        var listed = (await _server.AwsAsync("s3", "ls", $"s3://{bucket}", "--recursive")).EnsureSuccess().StandardOutput;
        var buckets = (await _server.AwsAsync("s3", "ls")).EnsureSuccess().StandardOutput;
        var back = TempPath();
        (await _server.AwsAsync("s3", "cp", $"s3://{bucket}/docs/hello.txt", back)).EnsureSuccess();
        var head = (await _server.AwsAsync("s3api", "head-object", "--bucket", bucket, "--key", "docs/hello.txt")).EnsureSuccess().Json;

        Assert.Contains("docs/hello.txt", listed, StringComparison.Ordinal);
        Assert.Contains(bucket, buckets, StringComparison.Ordinal);
        Assert.Equal("hello, bucket\n", await File.ReadAllTextAsync(back));
        Assert.Equal(14, (long)head["ContentLength"]!);
        Assert.Equal("\"" + Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes("hello, bucket\n"))) + "\"", head.Str("ETag"));
        Assert.Equal("text/plain", head.Str("ContentType"));
    }

    [Fact]
    public async Task Cp_FileOverMultipartThreshold_UploadsInPartsWithMd5OfMd5sETag()
    {
        var bucket = await NewBucketAsync("large");
        var content = RandomBytes(9 * 1024 * 1024 + 123);
        var file = TempFile(content);
        (await _server.AwsAsync("s3", "cp", file, $"s3://{bucket}/big.bin")).EnsureSuccess();
        var head = (await _server.AwsAsync("s3api", "head-object", "--bucket", bucket, "--key", "big.bin")).EnsureSuccess().Json;
        var back = TempPath();
        (await _server.AwsAsync("s3", "cp", $"s3://{bucket}/big.bin", back)).EnsureSuccess();

        // The CLI's parts are 8 MiB: two parts, and S3's ETag is the MD5 of their MD5s, "-2".
        var part1 = MD5.HashData(content.AsSpan(0, 8 * 1024 * 1024));
        var part2 = MD5.HashData(content.AsSpan(8 * 1024 * 1024));
        var expected = "\"" + Convert.ToHexStringLower(MD5.HashData([.. part1, .. part2])) + "-2\"";
        Assert.Equal(expected, head.Str("ETag"));
        Assert.Equal(content.Length, (long)head["ContentLength"]!);
        var downloaded = await File.ReadAllBytesAsync(back);
        Assert.True(content.AsSpan().SequenceEqual(downloaded));
        var uploads = (await _server.AwsAsync("s3api", "list-multipart-uploads", "--bucket", bucket)).EnsureSuccess().StandardOutput;
        Assert.DoesNotContain("UploadId", uploads, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_Directory_UploadsEveryFileOnceAndListsByPrefix()
    {
        var bucket = await NewBucketAsync("sync");
        var folder = Directory.CreateTempSubdirectory("gatehouse-sync-").FullName;
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        await File.WriteAllTextAsync(Path.Combine(folder, "a.txt"), "a");
        await File.WriteAllTextAsync(Path.Combine(folder, "sub", "b.txt"), "b");
        await File.WriteAllTextAsync(Path.Combine(folder, "sub", "c d+e%.txt"), "odd name");

        var first = (await _server.AwsAsync("s3", "sync", folder, $"s3://{bucket}/site/")).EnsureSuccess().StandardOutput;
        var second = (await _server.AwsAsync("s3", "sync", folder, $"s3://{bucket}/site/")).EnsureSuccess().StandardOutput;
        var top = (await _server.AwsAsync("s3", "ls", $"s3://{bucket}/site/")).EnsureSuccess().StandardOutput;
        var sub = (await _server.AwsAsync("s3", "ls", $"s3://{bucket}/site/sub/")).EnsureSuccess().StandardOutput;

        Assert.Equal(3, first.Split("upload:").Length - 1);
        Assert.DoesNotContain("upload:", second, StringComparison.Ordinal);
        Assert.Contains("PRE sub/", top, StringComparison.Ordinal);
        Assert.Contains("a.txt", top, StringComparison.Ordinal);
        Assert.Contains("c d+e%.txt", sub, StringComparison.Ordinal);
    }

    [Fact]
    public async Task S3Api_PutGetRangeHeadListDelete_AnswerAsS3()
    {
        var bucket = await NewBucketAsync("api");
        var file = TempFile(Encoding.UTF8.GetBytes("0123456789abcdef"));
        var put = (await _server.AwsAsync("s3api", "put-object", "--bucket", bucket, "--key", "logs/2026/a.log", "--body", file,
            "--content-type", "text/x-log", "--metadata", "Owner=team-a,stage=dev")).EnsureSuccess().Json;
        foreach (var key in new[] { "logs/2026/b.log", "logs/2025/c.log", "readme" })
            (await _server.AwsAsync("s3api", "put-object", "--bucket", bucket, "--key", key, "--body", file)).EnsureSuccess();

        var range = TempPath();
        var ranged = (await _server.AwsAsync("s3api", "get-object", "--bucket", bucket, "--key", "logs/2026/a.log", "--range", "bytes=2-5", range)).EnsureSuccess().Json;
        var head = (await _server.AwsAsync("s3api", "head-object", "--bucket", bucket, "--key", "logs/2026/a.log")).EnsureSuccess().Json;
        var rolled = (await _server.AwsAsync("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "logs/", "--delimiter", "/")).EnsureSuccess().Json;
        var under = (await _server.AwsAsync("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "logs/2026/")).EnsureSuccess().Json;
        var paged = (await _server.AwsAsync("s3api", "list-objects-v2", "--bucket", bucket, "--max-items", "2")).EnsureSuccess().Json;
        var deleted = (await _server.AwsAsync("s3api", "delete-objects", "--bucket", bucket, "--delete",
            "{\"Objects\":[{\"Key\":\"logs/2026/a.log\"},{\"Key\":\"never-existed\"}]}")).EnsureSuccess().Json;
        var gone = await _server.AwsAsync("s3api", "head-object", "--bucket", bucket, "--key", "logs/2026/a.log");

        Assert.StartsWith("\"", put.Str("ETag"), StringComparison.Ordinal);
        Assert.Equal("2345", await File.ReadAllTextAsync(range));
        Assert.Equal("bytes 2-5/16", ranged.Str("ContentRange"));
        Assert.Equal("text/x-log", head.Str("ContentType"));
        Assert.Equal("team-a", head.Str("Metadata.owner"));
        Assert.Equal("dev", head.Str("Metadata.stage"));
        Assert.Equal(["logs/2025/", "logs/2026/"], rolled["CommonPrefixes"]!.AsArray().Select(p => p!.Str("Prefix")));
        Assert.Null(rolled["Contents"]);
        Assert.Equal(["logs/2026/a.log", "logs/2026/b.log"], under["Contents"]!.AsArray().Select(o => o!.Str("Key")));
        Assert.Equal(2, paged["Contents"]!.AsArray().Count);
        Assert.NotNull(paged["NextToken"]);
        Assert.Equal(["logs/2026/a.log", "never-existed"], deleted["Deleted"]!.AsArray().Select(o => o!.Str("Key")));
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("(404)", gone.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetObject_MissingKey_IsNoSuchKey()
    {
        var bucket = await NewBucketAsync("missing");
        var result = await _server.AwsAsync("s3api", "get-object", "--bucket", bucket, "--key", "nope", TempPath());
        var noBucket = await _server.AwsAsync("s3api", "list-objects-v2", "--bucket", "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]);

        // The CLI puts "(reached max retries: 0)" between the operation and the message.
        Assert.Contains("An error occurred (NoSuchKey) when calling the GetObject operation", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(": The specified key does not exist.", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("(NoSuchBucket)", noBucket.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Upper-Case")]
    [InlineData("ab")]
    [InlineData("bad..dots")]
    [InlineData("192.168.5.4")]
    [InlineData("-leading-dash")]
    [InlineData("xn--punycode")]
    public async Task CreateBucket_NameS3Refuses_IsInvalidBucketName(string name)
    {
        var result = await _server.AwsAsync("s3api", "create-bucket", "--bucket=" + name);

        Assert.Contains("(InvalidBucketName)", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutObject_WrongContentMd5_IsBadDigestAndStoresNothing()
    {
        var bucket = await NewBucketAsync("digest");
        var file = TempFile(Encoding.UTF8.GetBytes("the real body"));
        var result = await _server.AwsAsync("s3api", "put-object", "--bucket", bucket, "--key", "k", "--body", file,
            "--content-md5", Convert.ToBase64String(MD5.HashData(Encoding.UTF8.GetBytes("another body"))));
        var head = await _server.AwsAsync("s3api", "head-object", "--bucket", bucket, "--key", "k");

        Assert.Contains("(BadDigest)", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("(404)", head.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteBucket_WithObjects_IsBucketNotEmptyUntilEmptied()
    {
        var bucket = await NewBucketAsync("full");
        var file = TempFile(Encoding.UTF8.GetBytes("x"));
        (await _server.AwsAsync("s3", "cp", file, $"s3://{bucket}/x")).EnsureSuccess();
        var refused = await _server.AwsAsync("s3", "rb", "s3://" + bucket);
        var forced = await _server.AwsAsync("s3", "rb", "s3://" + bucket, "--force");
        var after = await _server.AwsAsync("s3api", "head-bucket", "--bucket", bucket);

        Assert.Contains("(BucketNotEmpty)", refused.StandardError, StringComparison.Ordinal);
        forced.EnsureSuccess();
        Assert.Contains("(404)", after.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Versioning_Enabled_KeepsVersionsAndDeleteMarkers()
    {
        var bucket = await NewBucketAsync("versions");
        (await _server.AwsAsync("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled")).EnsureSuccess();
        var v1 = (await _server.AwsAsync("s3api", "put-object", "--bucket", bucket, "--key", "k", "--body", TempFile("one"u8.ToArray()))).EnsureSuccess().Json.Str("VersionId");
        (await _server.AwsAsync("s3api", "put-object", "--bucket", bucket, "--key", "k", "--body", TempFile("two"u8.ToArray()))).EnsureSuccess();
        (await _server.AwsAsync("s3api", "delete-object", "--bucket", bucket, "--key", "k")).EnsureSuccess();
        var status = (await _server.AwsAsync("s3api", "get-bucket-versioning", "--bucket", bucket)).EnsureSuccess().Json;
        var versions = (await _server.AwsAsync("s3api", "list-object-versions", "--bucket", bucket)).EnsureSuccess().Json;
        var old = TempPath();
        (await _server.AwsAsync("s3api", "get-object", "--bucket", bucket, "--key", "k", "--version-id", v1, old)).EnsureSuccess();
        var latest = await _server.AwsAsync("s3api", "get-object", "--bucket", bucket, "--key", "k", TempPath());

        Assert.Equal("Enabled", status.Str("Status"));
        Assert.Equal(2, versions["Versions"]!.AsArray().Count);
        Assert.Single(versions["DeleteMarkers"]!.AsArray());
        Assert.Equal("one", await File.ReadAllTextAsync(old));
        Assert.Contains("(NoSuchKey)", latest.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BucketConfiguration_PolicyTaggingEncryptionLocation_AreReturnedAsWritten()
    {
        var bucket = await NewBucketAsync("config");
        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::" + bucket + "/*\"}]}";
        (await _server.AwsAsync("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", policy)).EnsureSuccess();
        (await _server.AwsAsync("s3api", "put-bucket-tagging", "--bucket", bucket, "--tagging", "TagSet=[{Key=team,Value=a}]")).EnsureSuccess();
        var gotPolicy = (await _server.AwsAsync("s3api", "get-bucket-policy", "--bucket", bucket)).EnsureSuccess().Json;
        var tags = (await _server.AwsAsync("s3api", "get-bucket-tagging", "--bucket", bucket)).EnsureSuccess().Json;
        var encryption = (await _server.AwsAsync("s3api", "get-bucket-encryption", "--bucket", bucket)).EnsureSuccess().Json;
        var location = (await _server.AwsAsync("s3api", "get-bucket-location", "--bucket", bucket)).EnsureSuccess().Json;

        Assert.Equal(policy, gotPolicy.Str("Policy"));
        Assert.Equal("team", tags["TagSet"]![0]!.Str("Key"));
        Assert.Equal("AES256", encryption["ServerSideEncryptionConfiguration"]!["Rules"]![0]!.Str("ApplyServerSideEncryptionByDefault.SSEAlgorithm"));
        Assert.Null(location["LocationConstraint"]);
    }

    [Fact]
    public async Task CopyObject_KeepsBytesAndMetadata()
    {
        var bucket = await NewBucketAsync("copy");
        (await _server.AwsAsync("s3api", "put-object", "--bucket", bucket, "--key", "src/a b.txt", "--body", TempFile("copied"u8.ToArray()), "--metadata", "k=v")).EnsureSuccess();
        (await _server.AwsAsync("s3", "cp", $"s3://{bucket}/src/a b.txt", $"s3://{bucket}/dst/a b.txt")).EnsureSuccess();
        var head = (await _server.AwsAsync("s3api", "head-object", "--bucket", bucket, "--key", "dst/a b.txt")).EnsureSuccess().Json;
        var back = TempPath();
        (await _server.AwsAsync("s3", "cp", $"s3://{bucket}/dst/a b.txt", back)).EnsureSuccess();

        Assert.Equal("copied", await File.ReadAllTextAsync(back));
        Assert.Equal("v", head.Str("Metadata.k"));
    }
}
