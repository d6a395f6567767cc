using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Testing;

namespace Gatehouse.Tests;

/// <summary>
/// A full or read-only data directory, made real with bubblewrap (a 2 MB tmpfs, a read-only bind):
/// the AWS CLI sees 503 ServiceUnavailableException, reads go on, /health names the condition,
/// and every write acknowledged before survives a restart.
/// </summary>
public sealed partial class StoreFailureTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("gatehouse-storefail-").FullName;

    [Fact]
    public async Task Writes_DataDirectoryFull_Answer503AndAcknowledgedWritesSurviveRestart()
    {
        var data = Path.Combine(_work, "data");
        Directory.CreateDirectory(data);
        // Two servers one after the other in one sandbox, so the second sees the same small tmpfs.
        using var sandbox = new Sandbox(_work, ["--size", "2097152", "--tmpfs", data], data, servers: 2);
        var endpoint = await sandbox.NextServerAsync();

        var poolId = (await AwsCli.RunAsync(endpoint, "cognito-idp", "create-user-pool", "--pool-name", "full-pool")).EnsureSuccess().Json.Str("UserPool.Id");
        var zip = Path.Combine(_work, "big.zip");
        WriteIncompressibleZip(zip, 1_500_000);
        var function = await AwsCli.RunAsync(endpoint, "lambda", "create-function", "--function-name", "big", "--runtime", "python3.12",
            "--handler", "index.handler", "--role", "arn:aws:iam::000000000000:role/r", "--zip-file", "fileb://" + zip, "--cli-read-timeout", "30");
        Assert.NotEqual(0, function.ExitCode);
        Assert.Contains("(ServiceUnavailableException)", function.StandardError, StringComparison.Ordinal);
        Assert.Contains("full", function.StandardError, StringComparison.Ordinal);

        var acknowledged = new List<string>();
        CliResult? refused = null;
        for (var i = 0; i < 200 && refused is null; i++)
        {
            var result = await AwsCli.RunAsync(endpoint, "cognito-idp", "admin-create-user", "--user-pool-id", poolId, "--username", "user" + i, "--cli-read-timeout", "30");
            if (result.ExitCode == 0)
                acknowledged.Add("user" + i);
            else
                refused = result;
        }
        Assert.NotNull(refused);
        Assert.Contains("An error occurred (ServiceUnavailableException) when calling the AdminCreateUser operation", refused.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(data, refused.StandardError, StringComparison.Ordinal);
        Assert.NotEmpty(acknowledged);
        Assert.Equal("full", await StoreStateAsync(endpoint));
        // Nothing half-applied: the refused user is not in memory either.
        var users = (await AwsCli.RunAsync(endpoint, "cognito-idp", "list-users", "--user-pool-id", poolId)).EnsureSuccess().Json["Users"]!.AsArray();
        Assert.Equal(acknowledged.Count, users.Count);

        sandbox.StopCurrentServer();
        var restarted = await sandbox.NextServerAsync();
        var after = (await AwsCli.RunAsync(restarted, "cognito-idp", "list-users", "--user-pool-id", poolId)).EnsureSuccess().Json["Users"]!.AsArray();
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), after.Select(u => u!["Username"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("   at ", sandbox.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_DataDirectoryReadOnly_Answer503AndReadsAreServed()
    {
        var data = Path.Combine(_work, "data");
        string poolId;
        using (var seed = new DataServer(data))
        {
            poolId = (await seed.AwsAsync("cognito-idp", "create-user-pool", "--pool-name", "kept-pool")).EnsureSuccess().Json.Str("UserPool.Id");
            Assert.Equal(0, seed.Terminate(TimeSpan.FromSeconds(20)));
        }

        using var sandbox = new Sandbox(_work, ["--ro-bind", data, data], data, servers: 1);
        var endpoint = await sandbox.NextServerAsync();
        Assert.Contains("read-only", sandbox.Output, StringComparison.Ordinal);

        var described = (await AwsCli.RunAsync(endpoint, "cognito-idp", "describe-user-pool", "--user-pool-id", poolId)).EnsureSuccess();
        Assert.Equal("kept-pool", described.Json.Str("UserPool.Name"));
        (await AwsCli.RunAsync(endpoint, "lambda", "list-functions")).EnsureSuccess();

        var writes = new[]
        {
            await AwsCli.RunAsync(endpoint, "cognito-idp", "create-user-pool", "--pool-name", "refused", "--cli-read-timeout", "30"),
            await AwsCli.RunAsync(endpoint, "apigatewayv2", "create-api", "--name", "refused", "--protocol-type", "HTTP", "--cli-read-timeout", "30"),
        };
        foreach (var write in writes)
        {
            Assert.NotEqual(0, write.ExitCode);
            Assert.Contains("(ServiceUnavailableException)", write.StandardError, StringComparison.Ordinal);
            Assert.Contains("read-only", write.StandardError, StringComparison.Ordinal);
        }
        Assert.Equal("read-only", await StoreStateAsync(endpoint));
        var pools = (await AwsCli.RunAsync(endpoint, "cognito-idp", "list-user-pools", "--max-results", "10")).EnsureSuccess().Json["UserPools"]!.AsArray();
        Assert.Single(pools);
        Assert.DoesNotContain("   at ", sandbox.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ReadOnlyDirectoryWithoutStore_FailsWithClearMessage()
    {
        var data = Path.Combine(_work, "empty");
        Directory.CreateDirectory(data);
        using var sandbox = new Sandbox(_work, ["--ro-bind", data, data], data, servers: 1);
        var exit = await sandbox.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exit);
        Assert.Contains("gatehouse: the data directory is read-only", sandbox.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", sandbox.Output, StringComparison.Ordinal);
    }

    private static async Task<string> StoreStateAsync(Uri endpoint)
    {
        using var http = new HttpClient();
        var health = JsonNode.Parse(await http.GetStringAsync(new Uri(endpoint, "/_gatehouse/health")))!;
        return health["store"]!["state"]!.GetValue<string>();
    }

    private static void WriteIncompressibleZip(string path, int bytes)
    {
        var random = new byte[bytes];
        new Random(12).NextBytes(random);
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var stream = archive.CreateEntry("big.bin", CompressionLevel.NoCompression).Open())
            stream.Write(random);
        using (var writer = new StreamWriter(archive.CreateEntry("index.py").Open()))
            writer.Write("def handler(event, context):\n    return 1\n");
    }

    public void Dispose()
    {
        if (Directory.Exists(_work))
            Directory.Delete(_work, recursive: true);
    }

    private sealed class DataServer(string data) : GatehouseProcess("--data", data);

    /// <summary>
    /// bubblewrap around a shell that runs <c>servers</c> Gatehouse servers on <c>data</c>, one after
    /// another; each writes its PID to a file outside the sandbox (bwrap shares the PID namespace),
    /// so the test can stop one with SIGTERM and the next starts on the same mount.
    /// </summary>
    private sealed partial class Sandbox : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly string _control;
        private readonly List<TaskCompletionSource<Uri>> _ready = [];
        private int _next;

        public Sandbox(string work, IEnumerable<string> mounts, string data, int servers)
        {
            _control = Path.Combine(work, "control-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_control);
            var script = new StringBuilder();
            for (var i = 0; i < servers; i++)
            {
                _ready.Add(new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously));
                script.Append($"dotnet '{Repository.ServerDll}' serve --port 0 --data '{data}' & echo $! > '{_control}/pid{i}'; wait $! || exit $?\n");
            }
            var info = new ProcessStartInfo("bwrap") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
            // No --die-with-parent: Linux sends that signal when the thread that started bwrap ends,
            // and a test's thread-pool thread may end at any time (a sandbox killed at random, its
            // servers left running). Dispose stops the whole tree instead.
            foreach (var argument in new[] { "--dev-bind", "/", "/" }.Concat(mounts).Concat(["sh", "-c", script.ToString()]))
                info.ArgumentList.Add(argument);
            foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("GATEHOUSE_", StringComparison.Ordinal)).ToList())
                info.Environment.Remove(key);
            _process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var seen = 0;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_output) _output.AppendLine(e.Data);
                if (ReadyLine().Match(e.Data) is { Success: true } match && seen < _ready.Count)
                    _ready[seen++].TrySetResult(new Uri(match.Groups[1].Value));
            };
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_output) _output.AppendLine(e.Data);
            };
            _process.Exited += (_, _) => _ready.ForEach(r => r.TrySetException(new InvalidOperationException("The sandbox exited:\n" + Output)));
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output
        {
            get { lock (_output) return _output.ToString(); }
        }

        public async Task<Uri> NextServerAsync() => await _ready[_next++].Task.WaitAsync(TimeSpan.FromSeconds(60));

        public void StopCurrentServer()
        {
            var pid = int.Parse(File.ReadAllText(Path.Combine(_control, "pid" + (_next - 1))).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            using var server = Process.GetProcessById(pid);
            using (var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                kill.WaitForExit();
            if (!server.WaitForExit(20_000))
                throw new TimeoutException("The server did not stop:\n" + Output);
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
            _process.Dispose();
        }

        [GeneratedRegex(@"Gatehouse ready on (http://[^\s]+)")]
        private static partial Regex ReadyLine();
    }
}
