using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using static Gatehouse.Objects.Tests.S3Client;

namespace Gatehouse.Objects.Tests;

/// <summary>A server in strict mode (<c>--auth sigv4</c>): S3 calls are verified, streamed bodies included.</summary>
public sealed class StrictS3Server : GatehouseProcess
{
    public StrictS3Server() : base("--data", Directory.CreateTempSubdirectory("gatehouse-s3-strict-").FullName, "--auth", "sigv4")
    {
    }

    public string CredentialsFile => Path.Combine(Arguments[1], "credentials");
}

public sealed class StrictSigV4Tests : IClassFixture<StrictS3Server>
{
    private readonly StrictS3Server _server;

    public StrictSigV4Tests(StrictS3Server server) => _server = server;

    private Task<CliResult> AwsAsync(string? secret, params string[] arguments)
    {
        var info = new ProcessStartInfo(AwsCli.Path);
        info.ArgumentList.Add("--endpoint-url");
        info.ArgumentList.Add(_server.Endpoint.ToString().TrimEnd('/'));
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = _server.CredentialsFile;
        info.Environment["AWS_CONFIG_FILE"] = "/nonexistent/gatehouse-config";
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        info.Environment["AWS_PAGER"] = "";
        info.Environment["AWS_MAX_ATTEMPTS"] = "1";
        info.Environment.Remove("AWS_ACCESS_KEY_ID");
        info.Environment.Remove("AWS_SECRET_ACCESS_KEY");
        if (secret is not null)
        {
            var id = File.ReadAllLines(_server.CredentialsFile).First(l => l.StartsWith("aws_access_key_id", StringComparison.Ordinal)).Split('=')[1].Trim();
            info.Environment["AWS_ACCESS_KEY_ID"] = id;
            info.Environment["AWS_SECRET_ACCESS_KEY"] = secret;
        }
        return ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(120));
    }

    [Fact]
    public async Task SignedCalls_SmallMultipartAndOddKeys_AreAccepted()
    {
        var bucket = UniqueBucket("strict");
        (await AwsAsync(null, "s3", "mb", "s3://" + bucket)).EnsureSuccess();
        (await AwsAsync(null, "s3", "cp", TempFile(RandomBytes(9 * 1024 * 1024)), $"s3://{bucket}/big.bin")).EnsureSuccess();
        (await AwsAsync(null, "s3api", "put-object", "--bucket", bucket, "--key", "sp ace+plus/ü.txt", "--body", TempFile("x"u8.ToArray()))).EnsureSuccess();
        var listed = (await AwsAsync(null, "s3", "ls", $"s3://{bucket}", "--recursive")).EnsureSuccess().StandardOutput;

        Assert.Contains("big.bin", listed, StringComparison.Ordinal);
        Assert.Contains("sp ace+plus/ü.txt", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongSecret_IsSignatureDoesNotMatch()
    {
        var result = await AwsAsync("not-the-secret", "s3", "ls");

        Assert.Contains("(SignatureDoesNotMatch)", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownAccessKey_IsInvalidAccessKeyId403()
    {
        // boto3, to see the status S3 answers (the CLI prints only the code).
        var info = new ProcessStartInfo("python3");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("""
            import sys, boto3, botocore
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                              aws_access_key_id="AKIANOTAKEYOFOURS00", aws_secret_access_key="x" * 40)
            try:
                s3.list_buckets()
                print("accepted")
            except botocore.exceptions.ClientError as e:
                print(e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
            """);
        info.ArgumentList.Add(_server.Endpoint.ToString().TrimEnd('/'));
        var result = (await ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(60))).EnsureSuccess();

        Assert.Equal("InvalidAccessKeyId 403", result.StandardOutput.Trim());
    }
}

/// <summary>S3's size limit on a single PUT, checked from the declared length before a byte is read.</summary>
public sealed class SizeLimitTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public SizeLimitTests(GatehouseProcess server) => _server = server;

    [Fact]
    public async Task PutObject_Over5GiB_IsEntityTooLarge()
    {
        var bucket = UniqueBucket("huge");
        (await _server.AwsAsync("s3", "mb", "s3://" + bucket)).EnsureSuccess();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", _server.Port);
        var stream = tcp.GetStream();
        var head = $"PUT /{bucket}/huge.bin HTTP/1.1\r\nHost: 127.0.0.1:{_server.Port}\r\nContent-Length: {5L * 1024 * 1024 * 1024 + 1}\r\n" +
            "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n" +
            $"Authorization: AWS4-HMAC-SHA256 Credential=AKIAGATEHOUSETEST/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature={new string('a', 64)}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = await stream.ReadAsync(buffer, timeout.Token);
        var answer = Encoding.UTF8.GetString(buffer, 0, read);

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("<Code>EntityTooLarge</Code>", answer, StringComparison.Ordinal);
    }
}
