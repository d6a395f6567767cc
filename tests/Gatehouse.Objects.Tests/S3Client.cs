using System.Diagnostics;

namespace Gatehouse.Objects.Tests;

/// <summary>Helpers for driving S3 with the real clients: the AWS CLI, boto3 and the JavaScript SDK.</summary>
internal static class S3Client
{
    public static string UniqueBucket(string stem) => $"{stem}-{Guid.NewGuid():N}"[..Math.Min(40, stem.Length + 33)];

    public static string TempFile(byte[] content)
    {
        var path = Path.Combine(Path.GetTempPath(), "gatehouse-s3-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, content);
        return path;
    }

    public static string TempPath() => Path.Combine(Path.GetTempPath(), "gatehouse-s3-" + Guid.NewGuid().ToString("N"));

    public static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Runs a boto3 script with the endpoint in <c>ENDPOINT</c> and throwaway credentials.</summary>
    public static Task<CliResult> PythonAsync(Uri endpoint, string script)
    {
        var info = new ProcessStartInfo("python3");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.Environment["ENDPOINT"] = endpoint.ToString().TrimEnd('/');
        info.Environment["AWS_ACCESS_KEY_ID"] = "AKIAGATEHOUSETEST";
        info.Environment["AWS_SECRET_ACCESS_KEY"] = "gatehouse-test-secret";
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        info.Environment["AWS_CONFIG_FILE"] = "/nonexistent/gatehouse-config";
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/gatehouse-credentials";
        return ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(120));
    }

    /// <summary>Runs a JavaScript snippet in tests/clients (where @aws-sdk/client-s3 is installed).</summary>
    public static async Task<CliResult> NodeAsync(Uri endpoint, string script)
    {
        var path = Path.Combine(Repository.NodeClients, "s3-test-" + Guid.NewGuid().ToString("N") + ".cjs");
        await File.WriteAllTextAsync(path, script);
        try
        {
            return await ProcessRunner.NodeAsync(path, new Dictionary<string, string>
            {
                ["ENDPOINT"] = endpoint.ToString().TrimEnd('/'),
                ["AWS_ACCESS_KEY_ID"] = "AKIAGATEHOUSETEST",
                ["AWS_SECRET_ACCESS_KEY"] = "gatehouse-test-secret",
                ["AWS_REGION"] = "us-east-1",
            });
        }
        finally
        {
            File.Delete(path);
        }
    }
}
