using System.Net.Sockets;
using System.Text;
using static Gatehouse.Objects.Tests.S3Client;

namespace Gatehouse.Objects.Tests;

/// <summary>A server on a data directory, so objects must survive a restart and a broken upload must leave nothing.</summary>
public sealed class PersistentS3Gatehouse : GatehouseProcess
{
    public PersistentS3Gatehouse()
        : this(Path.Combine(Path.GetTempPath(), "gatehouse-s3-" + Guid.NewGuid().ToString("N")))
    {
    }

    private PersistentS3Gatehouse(string data) : base("--data", data) => DataDirectory = data;

    public string DataDirectory { get; }
}

public sealed class PersistenceTests : IClassFixture<PersistentS3Gatehouse>
{
    private readonly PersistentS3Gatehouse _server;

    public PersistenceTests(PersistentS3Gatehouse server) => _server = server;

    [Fact]
    public async Task Restart_BucketsObjectsAndMetadata_AreStillThere()
    {
        var bucket = UniqueBucket("keep");
        (await _server.AwsAsync("s3", "mb", "s3://" + bucket)).EnsureSuccess();
        (await _server.AwsAsync("s3api", "put-object", "--bucket", bucket, "--key", "kept.txt", "--body", TempFile("still here"u8.ToArray()), "--metadata", "a=b")).EnsureSuccess();

        Assert.Equal(0, _server.Terminate(TimeSpan.FromSeconds(20)));
        _server.Start();

        var back = TempPath();
        (await _server.AwsAsync("s3", "cp", $"s3://{bucket}/kept.txt", back)).EnsureSuccess();
        var head = (await _server.AwsAsync("s3api", "head-object", "--bucket", bucket, "--key", "kept.txt")).EnsureSuccess().Json;
        Assert.Equal("still here", await File.ReadAllTextAsync(back));
        Assert.Equal("b", head.Str("Metadata.a"));
    }

    [Fact]
    public async Task PutObject_ClientDisconnectsMidBody_LeavesNoObjectAndNoPartialFile()
    {
        var bucket = UniqueBucket("broken");
        (await _server.AwsAsync("s3", "mb", "s3://" + bucket)).EnsureSuccess();

        // A signed-looking PUT that promises 4 MiB, sends 256 KiB and hangs up.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", _server.Port);
            var stream = tcp.GetStream();
            var signature = new string('a', 64);
            var head = $"PUT /{bucket}/half.bin HTTP/1.1\r\nHost: 127.0.0.1:{_server.Port}\r\nContent-Length: {4 * 1024 * 1024}\r\n" +
                "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\nx-amz-date: 20260101T000000Z\r\n" +
                $"Authorization: AWS4-HMAC-SHA256 Credential=AKIAGATEHOUSETEST/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature={signature}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(RandomBytes(256 * 1024));
            await stream.FlushAsync();
            await Task.Delay(300);
        }
        await Task.Delay(500);

        var result = await _server.AwsAsync("s3api", "head-object", "--bucket", bucket, "--key", "half.bin");
        var pending = Directory.Exists(Path.Combine(_server.DataDirectory, "blobs"))
            ? Directory.EnumerateFiles(Path.Combine(_server.DataDirectory, "blobs"), "*.tmp", SearchOption.AllDirectories).ToList()
            : [];
        Assert.Contains("(404)", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(pending);
    }
}
