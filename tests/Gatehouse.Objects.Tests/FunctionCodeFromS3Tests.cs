using System.IO.Compression;
using System.Text;
using static Gatehouse.Objects.Tests.S3Client;

namespace Gatehouse.Objects.Tests;

/// <summary>Lambda code shipped through S3, as every deploy tool does: uploaded with <c>aws s3 cp</c>, then named by S3Bucket/S3Key.</summary>
public sealed class FunctionCodeFromS3Tests : IClassFixture<GatehouseProcess>
{
    private const string Role = "arn:aws:iam::000000000000:role/lambda-role";
    private readonly GatehouseProcess _server;

    public FunctionCodeFromS3Tests(GatehouseProcess server) => _server = server;

    private static string Zip(string source)
    {
        var path = TempPath() + ".zip";
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        var entry = archive.CreateEntry("app.py");
        entry.ExternalAttributes = 0b110_100_100 << 16;
        using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
        writer.Write(source);
        return path;
    }

    [Fact]
    public async Task CreateFunction_FromObjectUploadedWithCp_RunsThatCode()
    {
        var bucket = UniqueBucket("code");
        var name = "from-s3-" + Guid.NewGuid().ToString("N")[..8];
        (await _server.AwsAsync("s3", "mb", "s3://" + bucket)).EnsureSuccess();
        (await _server.AwsAsync("s3", "cp", Zip("def handler(e, c):\n    return 'v1 from s3'\n"), $"s3://{bucket}/fn/v1.zip")).EnsureSuccess();
        (await _server.AwsAsync("lambda", "create-function", "--function-name", name, "--runtime", "python3.13", "--handler", "app.handler",
            "--role", Role, "--code", $"S3Bucket={bucket},S3Key=fn/v1.zip")).EnsureSuccess();
        (await _server.AwsAsync("lambda", "wait", "function-active-v2", "--function-name", name)).EnsureSuccess();
        var first = await InvokeAsync(name);

        (await _server.AwsAsync("s3", "cp", Zip("def handler(e, c):\n    return 'v2 from s3'\n"), $"s3://{bucket}/fn/v2.zip")).EnsureSuccess();
        (await _server.AwsAsync("lambda", "update-function-code", "--function-name", name, "--s3-bucket", bucket, "--s3-key", "fn/v2.zip")).EnsureSuccess();
        (await _server.AwsAsync("lambda", "wait", "function-updated-v2", "--function-name", name)).EnsureSuccess();
        var second = await InvokeAsync(name);

        Assert.Equal("\"v1 from s3\"", first);
        Assert.Equal("\"v2 from s3\"", second);
    }

    [Fact]
    public async Task CreateFunction_MissingObject_IsLambdasInvalidParameterValue()
    {
        var bucket = UniqueBucket("nocode");
        (await _server.AwsAsync("s3", "mb", "s3://" + bucket)).EnsureSuccess();
        var result = await _server.AwsAsync("lambda", "create-function", "--function-name", "missing-code", "--runtime", "python3.13", "--handler", "app.handler",
            "--role", Role, "--code", $"S3Bucket={bucket},S3Key=absent.zip");

        Assert.Contains("(InvalidParameterValueException) when calling the CreateFunction operation", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(": Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.", result.StandardError, StringComparison.Ordinal);
    }

    private async Task<string> InvokeAsync(string name)
    {
        var outfile = TempPath();
        (await _server.AwsAsync("lambda", "invoke", "--function-name", name, outfile)).EnsureSuccess();
        return await File.ReadAllTextAsync(outfile);
    }
}
