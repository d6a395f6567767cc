using System.Collections.Concurrent;
using System.IO.Pipes;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Gatehouse.Core;
using Gatehouse.Functions.Executors;
using Gatehouse.Functions.Invocation;
using Gatehouse.Functions.Logs;
using Gatehouse.Functions.Model;
using Gatehouse.Storage;
using Gatehouse.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Functions.Tests.Invocation;

/// <summary>
/// The pool with a fake executor: each "runtime" is the test itself, speaking the real Runtime API
/// (GET next, POST response) over loopback to the environment's listener; the pool's clock is a
/// <see cref="ManualTime"/>.
/// </summary>
public sealed class EnvironmentPoolTests : IAsyncLifetime
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(10);
    private const int WarmFirst = 2;

    private readonly ManualTime _time = new();
    private readonly FakeExecutor _executor = new();
    private readonly string _taskRoot = Directory.CreateTempSubdirectory("gatehouse-pool-test-").FullName;
    private SqliteDatabase? _database;
    private LogStore? _logs;
    private EnvironmentServices? _services;
    private readonly List<EnvironmentPool> _pools = [];
    private int _requests;

    public async Task InitializeAsync()
    {
        _database = await SqliteDatabase.OpenInMemoryAsync(CancellationToken.None);
        var logs = _logs = new LogStore(_database, _time, NullLogger<LogStore>.Instance);
        var runtimes = new RuntimeCatalog(new FunctionsOptions { RuntimeDirectory = _taskRoot });
        _services = new EnvironmentServices(_time, logs, runtimes, NullLogger.Instance, "http://127.0.0.1:1", _executor) { WarmFirstThreshold = WarmFirst };
    }

    public async Task DisposeAsync()
    {
        foreach (var pool in _pools)
            pool.StopAll();
        if (_logs is not null)
            await _logs.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
        Directory.Delete(_taskRoot, recursive: true);
    }

    private EnvironmentPool Pool(ConcurrencyCounter? account = null, ConcurrencyCounter? function = null)
    {
        var config = new FunctionVersionConfig
        {
            Account = "000000000000", Region = "us-east-1", Name = "pooled", Version = "$LATEST", Runtime = "provided.al2023",
            Handler = "bootstrap", Role = "arn:aws:iam::000000000000:role/r", Timeout = 60,
            CodeHash = new string('0', 64), CodeSize = 1, LastModified = _time.GetUtcNow(), RevisionId = "r1",
        };
        var pool = new EnvironmentPool(config, _taskRoot, _services!, account ?? new ConcurrencyCounter(), function ?? new ConcurrencyCounter());
        _pools.Add(pool);
        return pool;
    }

    private PendingInvocation Invocation() =>
        new("req-" + Interlocked.Increment(ref _requests), Encoding.UTF8.GetBytes("{}"), "arn:aws:lambda:us-east-1:000000000000:function:pooled");

    private static async Task<InvocationOutcome> OutcomeAsync(PendingInvocation invocation) =>
        await invocation.Completion.WaitAsync(Bounded);

    [Fact]
    public async Task TryRun_AtTheFunctionsReservedConcurrency_ThrottlesUntilAnInvocationFinishes()
    {
        var pool = Pool(function: new ConcurrencyCounter { Limit = 1 });
        var first = Invocation();
        Assert.True(pool.TryRun(first, out _));

        Assert.False(pool.TryRun(Invocation(), out var reason));
        Assert.Equal("ReservedFunctionConcurrentInvocationLimitExceeded", reason);

        var runtime = await _executor.NextStartedAsync();
        Assert.Equal(first.RequestId, await runtime.NextAsync());
        await runtime.RespondAsync(first.RequestId, """{"ok":1}""");
        var outcome = await OutcomeAsync(first);
        Assert.Equal(FunctionInvocationStatus.Success, outcome.Status);
        Assert.Equal("""{"ok":1}""", Encoding.UTF8.GetString(outcome.Payload.Span));

        var second = Invocation();
        Assert.True(pool.TryRun(second, out reason));
        Assert.Null(reason);
        // The warm environment takes it: no second runtime.
        Assert.Equal(second.RequestId, await runtime.NextAsync());
        Assert.Equal(1, _executor.StartedCount);
    }

    [Fact]
    public void TryRun_AtTheAccountConcurrency_Throttles()
    {
        var pool = Pool(account: new ConcurrencyCounter { Limit = 0 });
        Assert.False(pool.TryRun(Invocation(), out var reason));
        Assert.Equal("ConcurrentInvocationLimitExceeded", reason);
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public async Task TryRun_AllWarmFirstEnvironmentsBusy_QueuesForTheNextToFinish()
    {
        var pool = Pool();
        var busy = new List<(PendingInvocation Invocation, FakeRuntime Runtime)>();
        for (var i = 0; i < WarmFirst; i++)
        {
            var invocation = Invocation();
            Assert.True(pool.TryRun(invocation, out _));
            var runtime = await _executor.NextStartedAsync();
            Assert.Equal(invocation.RequestId, await runtime.NextAsync());
            busy.Add((invocation, runtime));
        }
        var queued = Invocation();
        Assert.True(pool.TryRun(queued, out _));
        Assert.Equal(WarmFirst, pool.Count);

        // The clock has not moved, so the scale-out delay has not passed: the first to finish takes it.
        var (first, firstRuntime) = busy[0];
        await firstRuntime.RespondAsync(first.RequestId, "1");
        Assert.Equal(queued.RequestId, await firstRuntime.NextAsync());
        await firstRuntime.RespondAsync(queued.RequestId, "2");
        Assert.Equal("2", Encoding.UTF8.GetString((await OutcomeAsync(queued)).Payload.Span));
        Assert.Equal(WarmFirst, _executor.StartedCount);
    }

    [Fact]
    public async Task TryRun_QueuedPastTheScaleOutDelay_StartsANewEnvironment()
    {
        var pool = Pool();
        for (var i = 0; i < WarmFirst; i++)
        {
            var invocation = Invocation();
            Assert.True(pool.TryRun(invocation, out _));
            Assert.Equal(invocation.RequestId, await (await _executor.NextStartedAsync()).NextAsync());
        }
        var queued = Invocation();
        Assert.True(pool.TryRun(queued, out _));

        _time.Advance(EnvironmentPool.ScaleOutDelay);
        // The scale-out timer fires on its own; the new runtime gets the queued invocation.
        var scaled = await _executor.NextStartedAsync();
        Assert.Equal(queued.RequestId, await scaled.NextAsync());
        Assert.Equal(WarmFirst + 1, pool.Count);
    }

    [Fact]
    public async Task Retire_AfterACodeOrConfigurationChange_StopsIdleAtOnceAndBusyWhenItFinishes()
    {
        var pool = Pool();
        var (idleInvocation, idleRuntime) = (Invocation(), (FakeRuntime?)null);
        Assert.True(pool.TryRun(idleInvocation, out _));
        idleRuntime = await _executor.NextStartedAsync();
        var busyInvocation = Invocation();
        Assert.True(pool.TryRun(busyInvocation, out _));
        var busyRuntime = await _executor.NextStartedAsync();
        Assert.Equal(idleInvocation.RequestId, await idleRuntime.NextAsync());
        Assert.Equal(busyInvocation.RequestId, await busyRuntime.NextAsync());
        await idleRuntime.RespondAsync(idleInvocation.RequestId, "1");
        await OutcomeAsync(idleInvocation);
        Assert.Equal(1, pool.IdleCount);

        pool.Retire();

        await idleRuntime.Killed.WaitAsync(Bounded);
        Assert.False(busyRuntime.Killed.IsCompleted);
        await busyRuntime.RespondAsync(busyInvocation.RequestId, "2");
        Assert.Equal(FunctionInvocationStatus.Success, (await OutcomeAsync(busyInvocation)).Status);
        await busyRuntime.Killed.WaitAsync(Bounded);
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public async Task Reap_StopsOnlyEnvironmentsIdleForTheIdleTimeout()
    {
        var pool = Pool();
        var invocation = Invocation();
        Assert.True(pool.TryRun(invocation, out _));
        var runtime = await _executor.NextStartedAsync();
        Assert.Equal(invocation.RequestId, await runtime.NextAsync());
        await runtime.RespondAsync(invocation.RequestId, "1");
        await OutcomeAsync(invocation);

        _time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        pool.Reap(TimeSpan.FromMinutes(10));
        Assert.Equal(1, pool.IdleCount);
        Assert.False(runtime.Killed.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(1));
        pool.Reap(TimeSpan.FromMinutes(10));
        await runtime.Killed.WaitAsync(Bounded);
        Assert.Equal(0, pool.Count);

        // The next invoke cold-starts a new environment.
        var next = Invocation();
        Assert.True(pool.TryRun(next, out _));
        Assert.Equal(next.RequestId, await (await _executor.NextStartedAsync()).NextAsync());
        Assert.Equal(2, _executor.StartedCount);
    }

    [Fact]
    public async Task ARuntimeThatCrashesMidInvocation_FailsItWithExitErrorAndIsReplaced()
    {
        var pool = Pool(function: new ConcurrencyCounter { Limit = 1 });
        var invocation = Invocation();
        Assert.True(pool.TryRun(invocation, out _));
        var runtime = await _executor.NextStartedAsync();
        Assert.Equal(invocation.RequestId, await runtime.NextAsync());

        runtime.Exit(1);

        var outcome = await OutcomeAsync(invocation);
        Assert.Equal(FunctionInvocationStatus.FunctionError, outcome.Status);
        var error = JsonNode.Parse(outcome.Payload.Span)!;
        Assert.Equal("Runtime.ExitError", (string?)error["errorType"]);
        Assert.Equal($"RequestId: {invocation.RequestId} Error: Runtime exited with error: exit status 1", (string?)error["errorMessage"]);
        Assert.Equal(0, pool.Count);

        // Its concurrency slot is free again and a fresh runtime takes the next invocation.
        var next = Invocation();
        Assert.True(pool.TryRun(next, out var reason), reason);
        var replacement = await _executor.NextStartedAsync();
        Assert.NotSame(runtime, replacement);
        Assert.Equal(next.RequestId, await replacement.NextAsync());
    }

    private sealed class FakeExecutor : IRuntimeExecutor
    {
        private readonly Channel<FakeRuntime> _started = Channel.CreateUnbounded<FakeRuntime>();
        private int _count;

        public int StartedCount => Volatile.Read(ref _count);

        public IRuntimeHandle Start(RuntimeLaunch launch)
        {
            var runtime = new FakeRuntime(launch.Environment["AWS_LAMBDA_RUNTIME_API"]);
            Interlocked.Increment(ref _count);
            _started.Writer.TryWrite(runtime);
            return runtime;
        }

        public async Task<FakeRuntime> NextStartedAsync() => await _started.Reader.ReadAsync().AsTask().WaitAsync(Bounded);
    }

    /// <summary>A runtime the test drives: it calls the environment's Runtime API as a real one does.</summary>
    internal sealed class FakeRuntime : IRuntimeHandle
    {
        private static readonly HttpClient Http = new() { Timeout = Bounded };
        private readonly string _api;
        private readonly AnonymousPipeServerStream _writer = new(PipeDirection.Out);
        private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _killed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public FakeRuntime(string api)
        {
            _api = "http://" + api + "/2018-06-01/runtime/invocation/";
            Output = new AnonymousPipeClientStream(PipeDirection.In, _writer.ClientSafePipeHandle);
        }

        public Stream Output { get; }

        public Task<int> Exited => _exited.Task;

        /// <summary>Completes when the environment killed this runtime.</summary>
        public Task Killed => _killed.Task;

        /// <summary>GET next: the request id of the event the environment hands this runtime.</summary>
        public async Task<string> NextAsync()
        {
            using var response = await Http.GetAsync(_api + "next");
            response.EnsureSuccessStatusCode();
            return response.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").Single();
        }

        public async Task RespondAsync(string requestId, string body)
        {
            using var response = await Http.PostAsync(_api + requestId + "/response", new StringContent(body));
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        }

        /// <summary>The runtime exits by itself (a crash).</summary>
        public void Exit(int code)
        {
            _writer.Dispose();
            _exited.TrySetResult(code);
        }

        public int PeakMemoryMb() => 1;

        public void Kill()
        {
            _killed.TrySetResult();
            Exit(137);
        }

        public void Dispose()
        {
            _writer.Dispose();
            Output.Dispose();
        }
    }
}
