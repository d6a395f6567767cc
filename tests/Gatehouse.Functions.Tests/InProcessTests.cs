using System.Diagnostics;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using static Gatehouse.Functions.Tests.TestFunctions;

namespace Gatehouse.Functions.Tests;

/// <summary>The invoker the HTTP API gateway uses, reaping, reset and shutdown, with the service in-process.</summary>
public sealed class InProcessTests
{
    // A fixed warm-first threshold, not the default two per core: the bursts below are the same size on every machine.
    private const int WarmFirst = 4;

    private const string PidHandler = "import os\ndef handler(event, context):\n    return {'pid': os.getpid(), 'arn': context.invoked_function_arn}\n";

    private static int Pid(string payload) => (int)JsonNode.Parse(payload)!["pid"]!;

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Fact]
    public async Task FunctionInvoker_ArnWithQualifier_RunsFunctionAndReportsVersion()
    {
        await using var functions = await InProcessFunctions.StartAsync(new FunctionsOptions());
        await functions.CreateAsync("gw", "python3.13", "app.handler", Zip(("app.py", PidHandler)));

        var (plain, _) = await functions.InvokeAsync("gw");
        var (byArn, payload) = await functions.InvokeAsync("arn:aws:lambda:us-east-1:000000000000:function:gw:$LATEST");
        var (missing, _) = await functions.InvokeAsync("arn:aws:lambda:us-east-1:000000000000:function:nope");
        var (badQualifier, _) = await functions.InvokeAsync("gw", qualifier: "9");

        Assert.Equal(FunctionInvocationStatus.Success, plain.Status);
        Assert.Equal(FunctionInvocationStatus.Success, byArn.Status);
        Assert.Equal("$LATEST", byArn.ExecutedVersion);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:gw:$LATEST", JsonNode.Parse(payload)!["arn"]!.GetValue<string>());
        Assert.Equal(FunctionInvocationStatus.NotFound, missing.Status);
        Assert.Equal(FunctionInvocationStatus.NotFound, badQualifier.Status);
    }

    [Fact]
    public async Task FunctionInvoker_HandlerError_IsFunctionErrorWithRuntimeJson()
    {
        await using var functions = await InProcessFunctions.StartAsync(new FunctionsOptions());
        await functions.CreateAsync("boom", "python3.13", "app.handler", Zip(("app.py", "def handler(e, c):\n    raise KeyError('k')\n")));

        var (result, payload) = await functions.InvokeAsync("boom");

        Assert.Equal(FunctionInvocationStatus.FunctionError, result.Status);
        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Equal("KeyError", JsonNode.Parse(payload)!["errorType"]!.GetValue<string>());
    }

    [Fact]
    public async Task IdleEnvironment_PastIdleTimeout_IsReapedAndNextInvokeColdStarts()
    {
        await using var functions = await InProcessFunctions.StartAsync(new FunctionsOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        await functions.CreateAsync("reap", "python3.13", "app.handler", Zip(("app.py", PidHandler)));
        var first = Pid((await functions.InvokeAsync("reap")).Payload);

        for (var i = 0; i < 50 && IsRunning(first); i++)
            await Task.Delay(100);
        var second = Pid((await functions.InvokeAsync("reap")).Payload);

        Assert.False(IsRunning(first));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task WarmEnvironment_SequentialInvokes_ReuseOneProcess()
    {
        await using var functions = await InProcessFunctions.StartAsync(new FunctionsOptions());
        await functions.CreateAsync("warm", "python3.13", "app.handler", Zip(("app.py", PidHandler)));

        var pids = new List<int>();
        for (var i = 0; i < 5; i++)
            pids.Add(Pid((await functions.InvokeAsync("warm")).Payload));

        Assert.Single(pids.Distinct());
    }

    [Fact]
    public async Task Burst_BeyondWarmThreshold_QueuesBrieflyThenScalesOut()
    {
        // The first WarmFirst invocations start environments at once; the rest wait
        // ScaleOutDelay for a warm one, and since these run for a second, each then gets its own.
        await using var functions = await InProcessFunctions.StartAsync(new FunctionsOptions { WarmFirstThreshold = WarmFirst });
        await functions.CreateAsync("slow", "python3.13", "app.handler",
            Zip(("app.py", "import os, time\ndef handler(event, context):\n    time.sleep(1)\n    return {'pid': os.getpid()}\n")), timeout: 30);
        var burst = WarmFirst + 2;

        var results = await Task.WhenAll(Enumerable.Range(0, burst).Select(_ => functions.InvokeAsync("slow")));

        Assert.All(results, r => Assert.Equal(FunctionInvocationStatus.Success, r.Result.Status));
        Assert.Equal(burst, results.Select(r => Pid(r.Payload)).Distinct().Count());
    }

    [Fact]
    public async Task Burst_OfShortInvocations_IsServedByTheWarmEnvironments()
    {
        // Once the warm environments are up, a burst of quick invocations waits for them instead of
        // starting an interpreter per request.
        await using var functions = await InProcessFunctions.StartAsync(new FunctionsOptions { WarmFirstThreshold = WarmFirst });
        await functions.CreateAsync("quick", "python3.13", "app.handler", Zip(("app.py", PidHandler)));
        var threshold = WarmFirst;
        await Task.WhenAll(Enumerable.Range(0, threshold).Select(_ => functions.InvokeAsync("quick")));

        var results = await Task.WhenAll(Enumerable.Range(0, threshold * 8).Select(_ => functions.InvokeAsync("quick")));

        Assert.All(results, r => Assert.Equal(FunctionInvocationStatus.Success, r.Result.Status));
        Assert.InRange(results.Select(r => Pid(r.Payload)).Distinct().Count(), 1, results.Length / 2);
    }

    [Fact]
    public async Task Burst_AfterAColdBurstLeftManyEnvironments_StaysOnAFewBusyOnes()
    {
        // A burst of slow invocations leaves threshold + 4 environments; a later burst of quick ones
        // is served by about threshold of them, not spread over every idle interpreter.
        await using var functions = await InProcessFunctions.StartAsync(new FunctionsOptions { WarmFirstThreshold = WarmFirst });
        await functions.CreateAsync("mixed", "python3.13", "app.handler",
            Zip(("app.py", "import os, time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return {'pid': os.getpid()}\n")), timeout: 30);
        var threshold = WarmFirst;
        var slow = await Task.WhenAll(Enumerable.Range(0, threshold + 4).Select(_ => functions.InvokeAsync("mixed", "{\"sleep\": 1}")));
        var environments = slow.Select(r => Pid(r.Payload)).Distinct().Count();

        var quick = await Task.WhenAll(Enumerable.Range(0, threshold * 8).Select(_ => functions.InvokeAsync("mixed")));

        Assert.Equal(threshold + 4, environments);
        Assert.All(quick, r => Assert.Equal(FunctionInvocationStatus.Success, r.Result.Status));
        Assert.InRange(quick.Select(r => Pid(r.Payload)).Distinct().Count(), 1, environments - 1);
    }

    [Fact]
    public async Task ResetAndDispose_RunningEnvironments_EndTheirProcesses()
    {
        var functions = await InProcessFunctions.StartAsync(new FunctionsOptions());
        await functions.CreateAsync("a", "python3.13", "app.handler", Zip(("app.py", PidHandler)));
        await functions.CreateAsync("b", "python3.13", "app.handler", Zip(("app.py", PidHandler)));
        var a = Pid((await functions.InvokeAsync("a")).Payload);

        await functions.Service.ResetAsync(CancellationToken.None);
        var (afterReset, _) = await functions.InvokeAsync("a");
        await functions.CreateAsync("b", "python3.13", "app.handler", Zip(("app.py", PidHandler)));
        var b = Pid((await functions.InvokeAsync("b")).Payload);
        await functions.DisposeAsync();

        for (var i = 0; i < 50 && (IsRunning(a) || IsRunning(b)); i++)
            await Task.Delay(100);
        Assert.Equal(FunctionInvocationStatus.NotFound, afterReset.Status);
        Assert.False(IsRunning(a));
        Assert.False(IsRunning(b));
    }
}
