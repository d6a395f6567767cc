using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Testing;
using static Gatehouse.Functions.Tests.TestFunctions;

namespace Gatehouse.Functions.Tests;

/// <summary>The seed's walk-through and the python runtime, end to end with the AWS CLI v2 against a started server.</summary>
public sealed class PythonFunctionTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public PythonFunctionTests(GatehouseProcess server) => _server = server;

    [Fact]
    public async Task Invoke_SeedFunctionOnPython313_ReturnsHelloFromLambda()
    {
        var name = UniqueName("seed");
        var created = await CreateAsync(_server, name, "python3.13", "lambda_function.lambda_handler", Zip(("lambda_function.py", SeedHandler)));
        Assert.Equal("Pending", created.Str("State"));

        var (result, payload) = await InvokeAsync(_server, name);

        result.EnsureSuccess();
        Assert.Equal("""{"statusCode": 200, "body": "\"Hello from Lambda!\""}""", payload);
        Assert.Equal(200, (int)result.Json["StatusCode"]!);
        Assert.Equal("$LATEST", result.Json.Str("ExecutedVersion"));
        Assert.Null(result.Json["FunctionError"]);
    }

    [Fact]
    public async Task GetFunction_AfterCreate_ShowsActiveConfigurationAndDownloadableCode()
    {
        var name = UniqueName("get");
        var zip = Zip(("lambda_function.py", SeedHandler));
        await CreateAsync(_server, name, "python3.12", "lambda_function.lambda_handler", zip, "--environment", "Variables={GREETING=hi}", "--memory-size", "256");

        var function = (await _server.AwsAsync("lambda", "get-function", "--function-name", name)).EnsureSuccess().Json;

        Assert.Equal("Active", function.Str("Configuration.State"));
        Assert.Equal("hi", function.Str("Configuration.Environment.Variables.GREETING"));
        Assert.Equal(256, (int)function["Configuration"]!["MemorySize"]!);
        Assert.Equal($"arn:aws:lambda:us-east-1:000000000000:function:{name}", function.Str("Configuration.FunctionArn"));
        using var http = new HttpClient();
        var downloaded = await http.GetByteArrayAsync(function.Str("Code.Location"));
        Assert.Equal(await File.ReadAllBytesAsync(zip), downloaded);
        var sha = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(downloaded));
        Assert.Equal(sha, function.Str("Configuration.CodeSha256"));
        // Newer than this CLI's model, so read off the wire: the runtime build the function runs on.
        using var raw = _server.CreateClient();
        var configuration = JsonNode.Parse(await raw.GetStringAsync($"/2015-03-31/functions/{name}/configuration"))!;
        Assert.Matches("^arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$", configuration.Str("RuntimeVersionConfig.RuntimeVersionArn"));
    }

    [Fact]
    public async Task DeleteFunction_Existing_RemovesItFromListAndInvokeFails()
    {
        var name = UniqueName("del");
        await CreateAsync(_server, name, "python3.13", "lambda_function.lambda_handler", Zip(("lambda_function.py", SeedHandler)));
        var listed = (await _server.AwsAsync("lambda", "list-functions")).EnsureSuccess().Json["Functions"]!.AsArray();
        Assert.Contains(listed, f => (string?)f!["FunctionName"] == name);

        (await _server.AwsAsync("lambda", "delete-function", "--function-name", name)).EnsureSuccess();

        listed = (await _server.AwsAsync("lambda", "list-functions")).EnsureSuccess().Json["Functions"]!.AsArray();
        Assert.DoesNotContain(listed, f => (string?)f!["FunctionName"] == name);
        var (result, _) = await InvokeAsync(_server, name);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("ResourceNotFoundException", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"Function not found: arn:aws:lambda:us-east-1:000000000000:function:{name}", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateFunction_SameNameTwice_ReturnsResourceConflict()
    {
        var name = UniqueName("dup");
        var zip = Zip(("lambda_function.py", SeedHandler));
        await CreateAsync(_server, name, "python3.13", "lambda_function.lambda_handler", zip);

        var again = await _server.AwsAsync("lambda", "create-function", "--function-name", name, "--runtime", "python3.13",
            "--handler", "lambda_function.lambda_handler", "--role", Role, "--zip-file", "fileb://" + zip);

        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("ResourceConflictException", again.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_HandlerRaises_ReturnsUnhandledWithPythonErrorAndLogTail()
    {
        var name = UniqueName("raise");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", """
            def handler(event, context):
                print("about to fail for", context.aws_request_id)
                raise ValueError("bad input: " + event["x"])
            """)));

        var (result, payload) = await InvokeAsync(_server, name, """{"x": "42"}""", "--log-type", "Tail");

        result.EnsureSuccess();
        Assert.Equal("Unhandled", result.Json.Str("FunctionError"));
        var error = JsonNode.Parse(payload)!;
        Assert.Equal("ValueError", error.Str("errorType"));
        Assert.Equal("bad input: 42", error.Str("errorMessage"));
        Assert.NotEmpty(error["stackTrace"]!.AsArray());
        var tail = Encoding.UTF8.GetString(Convert.FromBase64String(result.Json.Str("LogResult")));
        Assert.Contains("about to fail for", tail, StringComparison.Ordinal);
        Assert.Contains("END RequestId:", tail, StringComparison.Ordinal);
        Assert.Contains("REPORT RequestId:", tail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_HandlerTooSlow_TimesOutAndNextInvokeGetsFreshEnvironment()
    {
        var name = UniqueName("slow");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", """
            import time, uuid
            ENVIRONMENT = uuid.uuid4().hex  # once per runtime process: names the environment
            def handler(event, context):
                if event.get("sleep"):
                    time.sleep(event["sleep"])
                return {"environment": ENVIRONMENT}
            """)), "--timeout", "1");
        var (first, firstPayload) = await InvokeAsync(_server, name, """{}""");
        var environment = JsonNode.Parse(firstPayload)!.Str("environment");

        var (timedOut, timeoutPayload) = await InvokeAsync(_server, name, """{"sleep": 5}""");

        timedOut.EnsureSuccess();
        Assert.Equal("Unhandled", timedOut.Json.Str("FunctionError"));
        var error = JsonNode.Parse(timeoutPayload)!;
        Assert.Equal("Sandbox.Timedout", error.Str("errorType"));
        Assert.EndsWith("Task timed out after 1.00 seconds", error.Str("errorMessage"), StringComparison.Ordinal);
        var (after, afterPayload) = await InvokeAsync(_server, name, """{}""");
        after.EnsureSuccess();
        Assert.Null(after.Json["FunctionError"]);
        Assert.NotEqual(environment, JsonNode.Parse(afterPayload)!.Str("environment"));
    }

    [Fact]
    public async Task Invoke_RuntimeProcessExits_ReturnsRuntimeExitErrorAndRecovers()
    {
        var name = UniqueName("exit");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", """
            import os
            def handler(event, context):
                if event.get("die"):
                    os._exit(3)
                return "alive"
            """)));

        var (crashed, payload) = await InvokeAsync(_server, name, """{"die": true}""");

        crashed.EnsureSuccess();
        Assert.Equal("Unhandled", crashed.Json.Str("FunctionError"));
        Assert.Equal("Runtime.ExitError", JsonNode.Parse(payload)!.Str("errorType"));
        Assert.Contains("Runtime exited with error: exit status 3", JsonNode.Parse(payload)!.Str("errorMessage"), StringComparison.Ordinal);
        var (after, afterPayload) = await InvokeAsync(_server, name, """{}""");
        Assert.Equal("\"alive\"", afterPayload);
        Assert.Null(after.Json["FunctionError"]);
    }

    [Fact]
    public async Task Invoke_HandlerModuleMissing_ReturnsImportModuleError()
    {
        var name = UniqueName("badhandler");
        await CreateAsync(_server, name, "python3.13", "nothere.handler", Zip(("app.py", "def handler(e, c):\n    return 1\n")));

        var (result, payload) = await InvokeAsync(_server, name);

        result.EnsureSuccess();
        Assert.Equal("Unhandled", result.Json.Str("FunctionError"));
        var error = JsonNode.Parse(payload)!;
        Assert.Equal("Runtime.ImportModuleError", error.Str("errorType"));
        Assert.Equal("Unable to import module 'nothere': No module named 'nothere'", error.Str("errorMessage"));
    }

    [Fact]
    public async Task Invoke_PayloadOver6MB_ReturnsRequestTooLarge()
    {
        var name = UniqueName("big");
        await CreateAsync(_server, name, "python3.13", "lambda_function.lambda_handler", Zip(("lambda_function.py", SeedHandler)));
        var file = Path.Combine(Path.GetTempPath(), "gatehouse-big-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, "{\"data\": \"" + new string('x', 6 * 1024 * 1024) + "\"}");

        var (result, _) = await InvokeAsync(_server, name, null, "--payload", "fileb://" + file);

        File.Delete(file);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("RequestTooLargeException", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RequestResponse", 6 * 1024 * 1024)]
    [InlineData("Event", 1024 * 1024)]
    public async Task Invoke_PayloadOverQuotaToMissingFunction_RequestTooLargeBeforeNotFound(string invocationType, int quota)
    {
        // The request is checked before the function is looked up.
        var file = Path.Combine(Path.GetTempPath(), "gatehouse-big-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, "{\"data\": \"" + new string('x', quota) + "\"}");

        var (result, _) = await InvokeAsync(_server, UniqueName("missing"), null, "--invocation-type", invocationType, "--payload", "fileb://" + file);

        File.Delete(file);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("An error occurred (RequestTooLargeException)", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"Request must be smaller than {quota} bytes for the InvokeFunction operation", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_ContextAndEnvironment_AreWhatLambdaGives()
    {
        var name = UniqueName("ctx");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", """
            import os
            def handler(event, context):
                return {
                    "request_id": context.aws_request_id,
                    "function_name": context.function_name,
                    "version": context.function_version,
                    "memory": context.memory_limit_in_mb,
                    "arn": context.invoked_function_arn,
                    "group": context.log_group_name,
                    "stream": context.log_stream_name,
                    "remaining": context.get_remaining_time_in_millis(),
                    "region": os.environ["AWS_REGION"],
                    "handler": os.environ["_HANDLER"],
                    "custom": os.environ.get("MY_SETTING"),
                    "task_root": os.environ["LAMBDA_TASK_ROOT"] == os.getcwd(),
                    "variables": sorted(os.environ.keys()),
                    "event": event,
                }
            """)), "--environment", "Variables={MY_SETTING=on}", "--timeout", "7");

        var (result, payload) = await InvokeAsync(_server, name, """{"k": [1, 2]}""");

        result.EnsureSuccess();
        var body = JsonNode.Parse(payload)!;
        Assert.Equal(name, body.Str("function_name"));
        Assert.Equal("$LATEST", body.Str("version"));
        Assert.Equal("128", body.Str("memory"));
        Assert.Equal($"arn:aws:lambda:us-east-1:000000000000:function:{name}", body.Str("arn"));
        Assert.Equal($"/aws/lambda/{name}", body.Str("group"));
        Assert.Matches(@"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$", body.Str("stream"));
        Assert.InRange((int)body["remaining"]!, 1, 7000);
        Assert.Equal("us-east-1", body.Str("region"));
        Assert.Equal("app.handler", body.Str("handler"));
        Assert.Equal("on", body.Str("custom"));
        Assert.True((bool)body["task_root"]!);
        Assert.Equal(2, body["event"]!["k"]!.AsArray().Count);
        Assert.Matches("^[0-9a-f-]{36}$", body.Str("request_id"));
        // Only Lambda's variables and the function's own: nothing of the server's environment.
        var allowed = new HashSet<string>(StringComparer.Ordinal)
        {
            "PATH", "LANG", "TZ", "HOME", "TMPDIR", "LD_LIBRARY_PATH", "PWD", "LC_CTYPE" /* Python sets it itself (PEP 538) */, "MY_SETTING", "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_REGION", "AWS_DEFAULT_REGION",
            "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
            "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_XRAY_CONTEXT_MISSING", "AWS_EXECUTION_ENV",
        };
        Assert.All(body["variables"]!.AsArray().Select(v => (string)v!), v => Assert.Contains(v, allowed));
    }

    [Fact]
    public async Task Invoke_WithClientContext_HandlerSeesItOnContext()
    {
        var name = UniqueName("cc");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", "def handler(e, c):\n    return c.client_context.custom\n")));
        var clientContext = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"custom": {"tenant": "blue"}, "env": {}, "client": {}}"""));

        var (result, payload) = await InvokeAsync(_server, name, null, "--client-context", clientContext);
        var (bad, _) = await InvokeAsync(_server, name, null, "--client-context", "not base64 json");

        result.EnsureSuccess();
        Assert.Equal("blue", JsonNode.Parse(payload)!.Str("tenant"));
        Assert.Contains("InvalidRequestContentException", bad.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_HandlerAllocatesBeyondMemorySize_FailsWithMemoryError()
    {
        var name = UniqueName("mem");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", """
            def handler(event, context):
                blocks = [bytearray(16 * 1024 * 1024) for _ in range(event["blocks"])]
                return len(blocks)
            """)));

        var (small, smallPayload) = await InvokeAsync(_server, name, """{"blocks": 2}""");
        var (large, largePayload) = await InvokeAsync(_server, name, """{"blocks": 16}""");

        Assert.Equal("2", smallPayload);
        Assert.Null(small.Json["FunctionError"]);
        Assert.Equal("Unhandled", large.Json.Str("FunctionError"));
        Assert.Equal("MemoryError", JsonNode.Parse(largePayload)!.Str("errorType"));
    }

    [Fact]
    public async Task UpdateFunctionCode_NewZip_NextInvokeRunsNewCode()
    {
        var name = UniqueName("upd");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", "def handler(e, c):\n    return 'v1'\n")));
        Assert.Equal("\"v1\"", (await InvokeAsync(_server, name)).Payload);

        var updated = (await _server.AwsAsync("lambda", "update-function-code", "--function-name", name, "--zip-file",
            "fileb://" + Zip(("app.py", "def handler(e, c):\n    return 'v2'\n")))).EnsureSuccess().Json;
        (await _server.AwsAsync("lambda", "wait", "function-updated-v2", "--function-name", name)).EnsureSuccess();

        Assert.Equal("InProgress", updated.Str("LastUpdateStatus"));
        Assert.Equal("\"v2\"", (await InvokeAsync(_server, name)).Payload);
        var configuration = (await _server.AwsAsync("lambda", "get-function-configuration", "--function-name", name)).EnsureSuccess().Json;
        Assert.Equal("Successful", configuration.Str("LastUpdateStatus"));
    }

    [Fact]
    public async Task UpdateFunctionConfiguration_Environment_NextInvokeSeesIt()
    {
        var name = UniqueName("cfg");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", "import os\ndef handler(e, c):\n    return os.environ.get('COLOR')\n")),
            "--environment", "Variables={COLOR=red}");
        Assert.Equal("\"red\"", (await InvokeAsync(_server, name)).Payload);

        (await _server.AwsAsync("lambda", "update-function-configuration", "--function-name", name, "--environment", "Variables={COLOR=blue}")).EnsureSuccess();
        (await _server.AwsAsync("lambda", "wait", "function-updated-v2", "--function-name", name)).EnsureSuccess();

        Assert.Equal("\"blue\"", (await InvokeAsync(_server, name)).Payload);
    }

    [Theory]
    [InlineData("--timeout", "901", "Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900")]
    [InlineData("--memory-size", "10241", "Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240")]
    public async Task CreateFunction_OutOfRangeSetting_IsValidationException(string option, string value, string message)
    {
        var name = UniqueName("range");
        var result = await _server.AwsAsync("lambda", "create-function", "--function-name", name, "--runtime", "python3.13",
            "--handler", "app.handler", "--role", Role, "--zip-file", "fileb://" + Zip(("app.py", "")), option, value);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("(ValidationException)", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("1 validation error detected: " + message, result.StandardError, StringComparison.Ordinal);
        Assert.NotEqual(0, (await _server.AwsAsync("lambda", "get-function", "--function-name", name)).ExitCode);
    }

    [Fact]
    public async Task CreateFunction_ReservedEnvironmentVariable_IsRejected()
    {
        var result = await _server.AwsAsync("lambda", "create-function", "--function-name", UniqueName("reserved"), "--runtime", "python3.13",
            "--handler", "app.handler", "--role", Role, "--zip-file", "fileb://" + Zip(("app.py", "")), "--environment", "Variables={AWS_REGION=x}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("InvalidParameterValueException", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("AWS_REGION", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_AfterInvokes_ReadableWithAwsLogs()
    {
        var name = UniqueName("logs");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", "def handler(e, c):\n    print('hello log', e['n'])\n    return e['n']\n")));
        await InvokeAsync(_server, name, """{"n": 1}""");
        await InvokeAsync(_server, name, """{"n": 2}""");

        var filtered = (await _server.AwsAsync("logs", "filter-log-events", "--log-group-name", $"/aws/lambda/{name}")).EnsureSuccess().Json;
        var messages = filtered["events"]!.AsArray().Select(e => (string)e!["message"]!).ToList();
        var tail = (await _server.AwsAsync("logs", "tail", $"/aws/lambda/{name}")).EnsureSuccess().StandardOutput;
        var groups = (await _server.AwsAsync("logs", "describe-log-groups", "--log-group-name-prefix", $"/aws/lambda/{name}")).EnsureSuccess().Json;

        Assert.Contains(messages, m => m.StartsWith("Gatehouse: python3.13 is not installed", StringComparison.Ordinal));
        Assert.Equal(2, messages.Count(m => m.StartsWith("START RequestId:", StringComparison.Ordinal)));
        Assert.Contains("hello log 1", messages);
        Assert.Contains("hello log 2", messages);
        Assert.Single(messages, m => m.StartsWith("REPORT RequestId:", StringComparison.Ordinal) && m.Contains("Init Duration:", StringComparison.Ordinal));
        // Each printed line sits between its invocation's START and END.
        var start2 = messages.FindLastIndex(m => m.StartsWith("START", StringComparison.Ordinal));
        Assert.Equal("hello log 2", messages[start2 + 1]);
        Assert.StartsWith("END RequestId:", messages[start2 + 2], StringComparison.Ordinal);
        Assert.Contains("hello log 2", tail, StringComparison.Ordinal);
        Assert.Equal($"/aws/lambda/{name}", groups["logGroups"]![0]!.Str("logGroupName"));
    }

    [Fact]
    public async Task GatehouseLogsVerb_AfterInvoke_PrintsTheFunctionsLog()
    {
        var name = UniqueName("verb");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", "def handler(e, c):\n    print('from the verb test')\n    return 1\n")));
        await InvokeAsync(_server, name);
        var info = new System.Diagnostics.ProcessStartInfo("dotnet");
        foreach (var argument in new[] { Repository.ServerDll, "logs", name, "--endpoint-url", _server.Endpoint.ToString() })
            info.ArgumentList.Add(argument);

        var result = await ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(60));
        var missing = await ProcessRunner.RunAsync(new System.Diagnostics.ProcessStartInfo("dotnet") { ArgumentList = { Repository.ServerDll, "logs", "no-such-function", "--endpoint-url", _server.Endpoint.ToString() } }, TimeSpan.FromSeconds(60));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("from the verb test", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("REPORT RequestId:", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no log group /aws/lambda/no-such-function", missing.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_ParallelCalls_RunInSeparateEnvironmentsAndThrottleBeyondReservedConcurrency()
    {
        var name = UniqueName("par");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", """
            import time
            def handler(event, context):
                time.sleep(event.get("sleep", 0))
                return context.log_stream_name
            """)), "--timeout", "30");
        (await _server.AwsAsync("lambda", "put-function-concurrency", "--function-name", name, "--reserved-concurrent-executions", "3")).EnsureSuccess();
        using var http = _server.CreateClient();

        // Three long invocations fill the reservation; a fourth, sent while they run, is throttled.
        var running = Enumerable.Range(0, 3).Select(_ => http.PostAsync($"/2015-03-31/functions/{name}/invocations", new StringContent("""{"sleep": 4}"""))).ToList();
        await Task.Delay(1500);
        var throttled = await http.PostAsync($"/2015-03-31/functions/{name}/invocations", new StringContent("{}"));
        var responses = await Task.WhenAll(running);

        Assert.Equal((HttpStatusCode)429, throttled.StatusCode);
        Assert.Equal("TooManyRequestsException", throttled.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var streams = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Equal(3, streams.Distinct().Count());
        var concurrency = (await _server.AwsAsync("lambda", "get-function-concurrency", "--function-name", name)).EnsureSuccess().Json;
        Assert.Equal(3, (int)concurrency["ReservedConcurrentExecutions"]!);
    }

    [Fact]
    public async Task PublishVersionAndAlias_InvokeByQualifier_RunsThatVersionsCode()
    {
        var name = UniqueName("ver");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", "def handler(e, c):\n    return 'one:' + c.function_version\n")));
        var version = (await _server.AwsAsync("lambda", "publish-version", "--function-name", name)).EnsureSuccess().Json;
        (await _server.AwsAsync("lambda", "create-alias", "--function-name", name, "--name", "live", "--function-version", "1")).EnsureSuccess();
        (await _server.AwsAsync("lambda", "update-function-code", "--function-name", name, "--zip-file",
            "fileb://" + Zip(("app.py", "def handler(e, c):\n    return 'two:' + c.function_version\n")))).EnsureSuccess();

        var (byVersion, versionPayload) = await InvokeAsync(_server, name, null, "--qualifier", "1");
        var (byAlias, aliasPayload) = await InvokeAsync(_server, name + ":live");
        var (latest, latestPayload) = await InvokeAsync(_server, name);

        Assert.Equal("1", version.Str("Version"));
        Assert.Equal("\"one:1\"", versionPayload);
        Assert.Equal("1", byVersion.Json.Str("ExecutedVersion"));
        Assert.Equal("\"one:1\"", aliasPayload);
        Assert.Equal("1", byAlias.Json.Str("ExecutedVersion"));
        Assert.Equal("\"two:$LATEST\"", latestPayload);
        Assert.Equal("$LATEST", latest.Json.Str("ExecutedVersion"));
        var versions = (await _server.AwsAsync("lambda", "list-versions-by-function", "--function-name", name)).EnsureSuccess().Json["Versions"]!.AsArray();
        Assert.Equal(["$LATEST", "1"], versions.Select(v => (string)v!["Version"]!));
    }

    [Fact]
    public async Task AddPermission_ForApiGateway_ShowsInGetPolicy()
    {
        var name = UniqueName("perm");
        await CreateAsync(_server, name, "python3.13", "lambda_function.lambda_handler", Zip(("lambda_function.py", SeedHandler)));

        var added = (await _server.AwsAsync("lambda", "add-permission", "--function-name", name, "--statement-id", "apigw", "--action", "lambda:InvokeFunction",
            "--principal", "apigateway.amazonaws.com", "--source-arn", "arn:aws:execute-api:us-east-1:000000000000:abc123/*/*/hello")).EnsureSuccess().Json;
        var policy = JsonNode.Parse((await _server.AwsAsync("lambda", "get-policy", "--function-name", name)).EnsureSuccess().Json.Str("Policy"))!;
        var duplicate = await _server.AwsAsync("lambda", "add-permission", "--function-name", name, "--statement-id", "apigw", "--action", "lambda:InvokeFunction",
            "--principal", "apigateway.amazonaws.com");
        (await _server.AwsAsync("lambda", "remove-permission", "--function-name", name, "--statement-id", "apigw")).EnsureSuccess();
        var afterRemove = await _server.AwsAsync("lambda", "get-policy", "--function-name", name);

        Assert.Equal("apigw", JsonNode.Parse(added.Str("Statement"))!.Str("Sid"));
        Assert.Equal("apigateway.amazonaws.com", policy["Statement"]![0]!.Str("Principal.Service"));
        Assert.Equal("arn:aws:execute-api:us-east-1:000000000000:abc123/*/*/hello", policy["Statement"]![0]!["Condition"]!["ArnLike"]!["AWS:SourceArn"]!.GetValue<string>());
        Assert.Contains("ResourceConflictException", duplicate.StandardError, StringComparison.Ordinal);
        Assert.Contains("ResourceNotFoundException", afterRemove.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_DryRun_Returns204WithoutRunning()
    {
        var name = UniqueName("dry");
        await CreateAsync(_server, name, "python3.13", "lambda_function.lambda_handler", Zip(("lambda_function.py", SeedHandler)));

        var (result, _) = await InvokeAsync(_server, name, null, "--invocation-type", "DryRun");
        var settings = (await _server.AwsAsync("lambda", "get-account-settings")).EnsureSuccess().Json;

        result.EnsureSuccess();
        Assert.Equal(204, (int)result.Json["StatusCode"]!);
        Assert.True((int)settings["AccountLimit"]!["ConcurrentExecutions"]! > 0);
        Assert.True((long)settings["AccountUsage"]!["FunctionCount"]! >= 1);
        Assert.DoesNotContain("Unexpected failure in lambda Invoke", _server.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RequestResponse")]
    [InlineData("Event")]
    [InlineData("DryRun")]
    public async Task Invoke_PayloadNotJson_IsRefusedWithoutRunning(string invocationType)
    {
        var name = UniqueName("notjson");
        using var sink = new CallbackSink();
        // Every run reports to the sink; the callback is in the code, since a refused payload is no event.
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", CallbackSink.PythonReport + "\n" + $$"""
            def handler(event, context):
                report({"callback": "{{sink.Url}}"}, "ran " + str(event.get("marker") if isinstance(event, dict) else event))
                return "ran"
            """)));

        var (result, _) = await InvokeAsync(_server, name, "not json", "--invocation-type", invocationType);
        var (trailing, _) = await InvokeAsync(_server, name, "{} {}", "--invocation-type", invocationType);
        // Then a valid one of the same kind (DryRun runs nothing, so a synchronous one there): once it has
        // run, an accepted Event invoke before it would have run too, so the sink shows all there is.
        var followType = invocationType == "DryRun" ? "RequestResponse" : invocationType;
        (await InvokeAsync(_server, name, """{"marker": "after"}""", "--invocation-type", followType)).Result.EnsureSuccess();
        for (var i = 0; i < 100 && sink.Received.Count == 0; i++)
            await Task.Delay(100);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("InvalidRequestContentException", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("Could not parse request body into json", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("InvalidRequestContentException", trailing.StandardError, StringComparison.Ordinal);
        Assert.Equal(["ran after"], sink.Received);
    }

    [Fact]
    public async Task Invoke_PrintThenTimeout_PrintedLinesReachTheLogInOrder()
    {
        var name = UniqueName("printed");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", """
            import sys, time
            def handler(event, context):
                print("first to stdout")
                sys.stderr.write("second to stderr\n")
                print("third to stdout")
                time.sleep(5)
            """)), "--timeout", "1");

        var (result, _) = await InvokeAsync(_server, name, "{}", "--log-type", "Tail");

        result.EnsureSuccess();
        var tail = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(result.Json.Str("LogResult")!));
        var first = tail.IndexOf("first to stdout", StringComparison.Ordinal);
        var second = tail.IndexOf("second to stderr", StringComparison.Ordinal);
        var third = tail.IndexOf("third to stdout", StringComparison.Ordinal);
        var timedOut = tail.IndexOf("Task timed out", StringComparison.Ordinal);
        Assert.True(first >= 0 && first < second && second < third && third < timedOut, tail);
    }

    [Fact]
    public async Task Invoke_Interpreter_IsTheOneTheLogNamesAndTheOneOnPath()
    {
        // The environment's log names the interpreter a python3.13 function runs on here; the function
        // must run on exactly that one, and a `python3` it starts must be the same (Lambda puts its
        // language's bin folder first on PATH).
        var name = UniqueName("interp");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", """
            import platform, subprocess, sys
            def handler(event, context):
                child = subprocess.run(["python3", "-c", "import sys; print(sys.executable)"], capture_output=True, text=True).stdout.strip()
                return {"self": sys.executable, "version": platform.python_version(), "child": child}
            """)));

        var (result, payload) = await InvokeAsync(_server, name, "{}");
        var events = (await _server.AwsAsync("logs", "filter-log-events", "--log-group-name", $"/aws/lambda/{name}")).EnsureSuccess().Json;

        result.EnsureSuccess();
        var answer = JsonNode.Parse(payload)!;
        Assert.Equal(answer.Str("self"), answer.Str("child"));
        var notice = events["events"]!.AsArray().Select(e => (string)e!["message"]!).FirstOrDefault(m => m.StartsWith("Gatehouse: python3.13", StringComparison.Ordinal));
        if (notice is not null)
            Assert.EndsWith($"Python {answer.Str("version")} ({answer.Str("self")}).", notice, StringComparison.Ordinal);
    }
}
