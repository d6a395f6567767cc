using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Testing;
using static Gatehouse.Functions.Tests.TestFunctions;

namespace Gatehouse.Functions.Tests;

/// <summary>A server on a file store (so it has a data directory worth stealing) outside /tmp and the home folders.</summary>
public sealed class FileStoreServer : GatehouseProcess
{
    public static readonly string DataDirectory = Path.Combine(AppContext.BaseDirectory, "sandbox-data-" + Guid.NewGuid().ToString("N")[..8]);

    public FileStoreServer() : base("--data", DataDirectory)
    {
    }
}

/// <summary>
/// What a hostile function tried against the build before sandboxing — each attempt reproduced —
/// and what it sees now: Gatehouse's data directory (the key that unseals every pool's keys, the
/// store with password hashes) empty, the server's process invisible, its own code read-only, and
/// nothing it started left running once its environment is gone.
/// </summary>
public sealed class SandboxTests : IClassFixture<FileStoreServer>
{
    private const string Probe = """
        import os, json, subprocess

        def attempt(out, name, action):
            try:
                out[name] = action()
            except Exception as e:
                out[name] = "denied: " + type(e).__name__

        def server_visible():
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    try:
                        if b"gatehouse.dll" in open(f"/proc/{pid}/cmdline", "rb").read():
                            return True
                    except OSError:
                        pass
            return False

        def handler(event, context):
            data = event["data"]
            out = {}
            attempt(out, "secret", lambda: len(open(os.path.join(data, "identity-secret.key"), "rb").read()))
            attempt(out, "listing", lambda: sorted(os.listdir(data)))
            attempt(out, "serverVisible", server_visible)
            attempt(out, "writeOwnCode", lambda: open(os.path.join(os.environ["LAMBDA_TASK_ROOT"], "probe.py"), "a").write("#"))
            attempt(out, "writeTmp", lambda: open("/tmp/scratch", "w").write("ok"))
            if event.get("daemon"):
                subprocess.Popen(["setsid", "sh", "-c", "sleep 300 # " + event["daemon"]], start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return out
        """;

    private readonly FileStoreServer _server;

    public SandboxTests(FileStoreServer server) => _server = server;

    [Fact]
    public async Task Function_ProbesServerSecretsAndProcesses_SeesNothing()
    {
        Assert.True(File.Exists(Path.Combine(FileStoreServer.DataDirectory, "identity-secret.key")) || Directory.EnumerateFileSystemEntries(FileStoreServer.DataDirectory).Any(),
            "the server keeps its store in the data directory");
        var name = UniqueName("probe");
        await CreateAsync(_server, name, "python3.13", "probe.handler", Zip(("probe.py", Probe)));

        var (result, payload) = await InvokeAsync(_server, name, new JsonObject { ["data"] = FileStoreServer.DataDirectory }.ToJsonString());

        result.EnsureSuccess();
        var seen = JsonNode.Parse(payload)!;
        Assert.StartsWith("denied", seen["secret"]!.ToString(), StringComparison.Ordinal);
        // Only the path down to its own code (mounted back read-only) is there: no store, no key.
        Assert.All(seen["listing"]!.AsArray(), entry => Assert.Equal("functions", entry!.GetValue<string>()));
        Assert.False(seen["serverVisible"]!.GetValue<bool>());
        Assert.StartsWith("denied", seen["writeOwnCode"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, seen["writeTmp"]!.GetValue<int>());
    }

    [Fact]
    public async Task Function_LeavesDaemonBehind_DaemonEndsWithItsEnvironment()
    {
        var marker = "gatehouse-daemon-" + Guid.NewGuid().ToString("N");
        var name = UniqueName("daemon");
        await CreateAsync(_server, name, "python3.13", "probe.handler", Zip(("probe.py", Probe)));

        var (result, _) = await InvokeAsync(_server, name, new JsonObject { ["data"] = "/nonexistent", ["daemon"] = marker }.ToJsonString());
        result.EnsureSuccess();
        Assert.True(await WaitForAsync(() => DaemonRunning(marker), TimeSpan.FromSeconds(10)), "the daemon started");

        // Deleting the function stops its environments.
        (await _server.AwsAsync("lambda", "delete-function", "--function-name", name)).EnsureSuccess();

        Assert.True(await WaitForAsync(() => !DaemonRunning(marker), TimeSpan.FromSeconds(15)), "the daemon outlived its environment");
    }

    private static bool DaemonRunning(string marker)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(directory, "cmdline"))).Contains(marker, StringComparison.Ordinal))
                    return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }
        return false;
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
                return true;
            await Task.Delay(100);
        }
        return condition();
    }
}
