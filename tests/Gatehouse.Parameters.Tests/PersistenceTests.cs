using System.Text;

namespace Gatehouse.Parameters.Tests;

/// <summary>A server on the embedded store, restarted: parameters, versions, labels and tags are still there; secrets are not in the clear on disk.</summary>
public sealed class PersistenceTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "gatehouse-parameters-" + Guid.NewGuid().ToString("N"));

    private sealed class FileBackedServer(string data) : GatehouseProcess("--data", data);

    [Fact]
    public async Task Restart_AfterWrites_SameParameters()
    {
        var server = new FileBackedServer(_data);
        try
        {
            (await server.AwsAsync("ssm", "put-parameter", "--name", "/cdk-bootstrap/hnb659fds/version", "--value", "21", "--type", "String", "--tags", "Key=k,Value=v")).EnsureSuccess();
            (await server.AwsAsync("ssm", "put-parameter", "--name", "/kept/secret", "--value", "plaintext-never-on-disk", "--type", "SecureString")).EnsureSuccess();
            (await server.AwsAsync("ssm", "put-parameter", "--name", "/kept/secret", "--value", "second-secret-value", "--overwrite")).EnsureSuccess();
            (await server.AwsAsync("ssm", "label-parameter-version", "--name", "/kept/secret", "--parameter-version", "1", "--labels", "first")).EnsureSuccess();
            Assert.Equal(0, server.Terminate(TimeSpan.FromSeconds(20)));

            foreach (var file in Directory.EnumerateFiles(_data, "*", SearchOption.AllDirectories))
            {
                var bytes = File.ReadAllBytes(file);
                Assert.False(Contains(bytes, "plaintext-never-on-disk"), file);
                Assert.False(Contains(bytes, "second-secret-value"), file);
            }
            Assert.True(File.Exists(Path.Combine(_data, "parameters-secret.key")));

            server.Start();
            Assert.Equal("21", (await server.AwsAsync("ssm", "get-parameter", "--name", "/cdk-bootstrap/hnb659fds/version")).EnsureSuccess().Json["Parameter"]!.Str("Value"));
            Assert.Equal("plaintext-never-on-disk",
                (await server.AwsAsync("ssm", "get-parameter", "--name", "/kept/secret:first", "--with-decryption")).EnsureSuccess().Json["Parameter"]!.Str("Value"));
            Assert.Equal("second-secret-value",
                (await server.AwsAsync("ssm", "get-parameter", "--name", "/kept/secret", "--with-decryption")).EnsureSuccess().Json["Parameter"]!.Str("Value"));
            var tags = (await server.AwsAsync("ssm", "list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", "/cdk-bootstrap/hnb659fds/version")).EnsureSuccess().Json;
            Assert.Equal("v", Assert.Single(tags["TagList"]!.AsArray())!.Str("Value"));
        }
        finally
        {
            server.Dispose();
        }
    }

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;

    public void Dispose()
    {
        if (Directory.Exists(_data))
            Directory.Delete(_data, recursive: true);
    }
}
