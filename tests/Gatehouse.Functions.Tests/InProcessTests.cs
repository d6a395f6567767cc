using System.Diagnostics;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using static Gatehouse.Functions.Tests.TestFunctions;

namespace Gatehouse.Functions.Tests;

/// <summary>The invoker the HTTP API gateway uses, reaping, reset and shutdown, with the service in-process.</summary>
public sealed class InProcessTests
{
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
