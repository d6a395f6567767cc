using Gatehouse.Testing;
using static Gatehouse.Functions.Tests.TestFunctions;

namespace Gatehouse.Functions.Tests;

/// <summary>A server on a data directory (not in-memory), so a restart must bring functions back.</summary>
public sealed class PersistentGatehouse : GatehouseProcess
{
    public PersistentGatehouse()
        : base("--data", Path.Combine(Path.GetTempPath(), "gatehouse-functions-" + Guid.NewGuid().ToString("N")))
    {
    }
}

public sealed class PersistenceTests : IClassFixture<PersistentGatehouse>
{
    private readonly PersistentGatehouse _server;

    public PersistenceTests(PersistentGatehouse server) => _server = server;

    [Fact]
    public async Task Restart_FunctionsVersionsAliasesAndLogs_AreStillThere()
    {
        var name = UniqueName("keep");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", "def handler(e, c):\n    print('persisted line')\n    return 'kept ' + c.function_version\n")),
            "--publish");
        (await _server.AwsAsync("lambda", "create-alias", "--function-name", name, "--name", "prod", "--function-version", "1")).EnsureSuccess();
        (await _server.AwsAsync("lambda", "put-function-concurrency", "--function-name", name, "--reserved-concurrent-executions", "5")).EnsureSuccess();
        await InvokeAsync(_server, name);

        Assert.Equal(0, _server.Terminate(TimeSpan.FromSeconds(20)));
        _server.Start();

        Assert.Equal("\"kept $LATEST\"", (await InvokeAsync(_server, name)).Payload);
        Assert.Equal("\"kept 1\"", (await InvokeAsync(_server, name + ":prod")).Payload);
        var concurrency = (await _server.AwsAsync("lambda", "get-function-concurrency", "--function-name", name)).EnsureSuccess().Json;
        Assert.Equal(5, (int)concurrency["ReservedConcurrentExecutions"]!);
        var logs = (await _server.AwsAsync("logs", "filter-log-events", "--log-group-name", $"/aws/lambda/{name}", "--filter-pattern", "\"persisted line\"")).EnsureSuccess().Json;
        // One invoke before the restart, two after.
        Assert.Equal(3, logs["events"]!.AsArray().Count);
    }

    [Fact]
    public async Task Restart_UnpackedCodeRewrittenWhileStopped_OriginalCodeRuns()
    {
        var name = UniqueName("tamper");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", "def handler(e, c):\n    return 'original'\n")));
        Assert.Equal("\"original\"", (await InvokeAsync(_server, name)).Payload);
        Assert.Equal(0, _server.Terminate(TimeSpan.FromSeconds(20)));

        // What a function (or anything else) could leave behind in the data directory while the server is down.
        var codeRoot = Path.Combine(_server.Arguments[1], "functions", "code");
        var unpacked = Directory.EnumerateFiles(codeRoot, "app.py", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("'original'", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(unpacked);
        foreach (var file in unpacked)
        {
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(file, "def handler(e, c):\n    return 'tampered'\n");
            File.WriteAllText(Path.Combine(Path.GetDirectoryName(file)!, "sitecustomize.py"), "print('planted')\n");
        }
        _server.Start();

        Assert.Equal("\"original\"", (await InvokeAsync(_server, name)).Payload);
        Assert.All(unpacked, f => Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(f)!, "sitecustomize.py"))));
    }

    [Fact]
    public async Task EventInvoke_QueuedWhileThrottled_RunsAfterRestartOnceAllowed()
    {
        var name = UniqueName("queued");
        using var sink = new CallbackSink();
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", CallbackSink.PythonReport + "\ndef handler(e, c):\n    report(e, 'ran')\n")));
        (await _server.AwsAsync("lambda", "put-function-concurrency", "--function-name", name, "--reserved-concurrent-executions", "0")).EnsureSuccess();

        var (accepted, _) = await InvokeAsync(_server, name, "{\"callback\": \"" + sink.Url + "\"}", "--invocation-type", "Event");
        Assert.Equal(0, _server.Terminate(TimeSpan.FromSeconds(20)));
        var ranWhileThrottled = sink.Received.Count > 0;
        _server.Start();
        (await _server.AwsAsync("lambda", "delete-function-concurrency", "--function-name", name)).EnsureSuccess();
        for (var i = 0; i < 100 && sink.Received.Count == 0; i++)
            await Task.Delay(100);

        Assert.Equal(202, (int)accepted.Json["StatusCode"]!);
        Assert.False(ranWhileThrottled);
        Assert.Equal(["ran"], sink.Received);
    }
}
