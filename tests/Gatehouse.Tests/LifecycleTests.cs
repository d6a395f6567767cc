using System.Net;
using Gatehouse.Testing;

namespace Gatehouse.Tests;

/// <summary>Start, stop and the persistent store, each with a server of its own.</summary>
public sealed class LifecycleTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "gatehouse-data-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Sigterm_ServerStopsCleanlyWithExitCodeZero()
    {
        using var server = new DataServer(_data);
        Assert.Equal(0, server.Terminate(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task PersistentStore_ResetRefusedUnlessEnabled()
    {
        using var server = new DataServer(_data);
        using var client = server.CreateClient();
        var response = await client.PostAsync("/_gatehouse/reset", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("--enable-reset", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PersistentStore_HealthNamesTheDatabaseFile()
    {
        using var server = new DataServer(_data);
        using var client = server.CreateClient();
        var health = await client.GetStringAsync("/_gatehouse/health");

        Assert.Contains("\"provider\":\"sqlite\"", health, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_data, "gatehouse.db")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
            Directory.Delete(_data, recursive: true);
    }

    private sealed class DataServer(string data) : GatehouseProcess("--data", data);
}
