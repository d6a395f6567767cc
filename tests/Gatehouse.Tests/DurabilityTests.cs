using Gatehouse.Testing;

namespace Gatehouse.Tests;

/// <summary>An acknowledged write survives SIGKILL: the store commits durably before the answer goes out.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("gatehouse-durable-").FullName;

    [Fact]
    public async Task AcknowledgedWrite_ServerKilled_FoundAfterRestart()
    {
        string poolId;
        using (var server = new DataServer(_data))
        {
            var created = (await server.AwsAsync("cognito-idp", "create-user-pool", "--pool-name", "durable-pool")).EnsureSuccess();
            poolId = created.Json.Str("UserPool.Id");
            // No graceful stop: the process gets no chance to flush anything.
            server.Kill();
        }

        using var restarted = new DataServer(_data);
        var described = (await restarted.AwsAsync("cognito-idp", "describe-user-pool", "--user-pool-id", poolId)).EnsureSuccess();
        Assert.Equal("durable-pool", described.Json.Str("UserPool.Name"));
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private sealed class DataServer(string data) : GatehouseProcess("--data", data);
}
