using System.Text.Json.Nodes;
using Gatehouse.Testing;
using static Gatehouse.Functions.Tests.TestFunctions;

namespace Gatehouse.Functions.Tests;

/// <summary>Node.js and provided (custom bootstrap) runtimes, and asynchronous invocations, end to end.</summary>
public sealed class OtherRuntimeTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public OtherRuntimeTests(GatehouseProcess server) => _server = server;

    [Fact]
    public async Task Invoke_NodeCommonJsAsyncHandler_ReturnsResultWithContext()
    {
        var name = UniqueName("node");
        await CreateAsync(_server, name, "nodejs20.x", "index.handler", Zip(("index.js", """
            exports.handler = async (event, context) => {
              console.log('event', JSON.stringify(event));
              return { sum: event.a + event.b, fn: context.functionName, left: context.getRemainingTimeInMillis() > 0 };
            };
            """)));

        var (result, payload) = await InvokeAsync(_server, name, """{"a": 2, "b": 3}""", "--log-type", "Tail");

        result.EnsureSuccess();
        var body = JsonNode.Parse(payload)!;
        Assert.Equal(5, (int)body["sum"]!);
        Assert.Equal(name, body.Str("fn"));
        Assert.True((bool)body["left"]!);
        var tail = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(result.Json.Str("LogResult")));
        Assert.Contains("INFO\tevent {\"a\":2,\"b\":3}", tail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_NodeEsModuleCallbackHandlerThatFails_ReturnsUnhandledError()
    {
        var name = UniqueName("nodeesm");
        await CreateAsync(_server, name, "nodejs22.x", "src/app.handler", Zip(("src/app.mjs", """
            export function handler(event, context, callback) {
              if (event.fail) { callback(new TypeError('no way')); return; }
              callback(null, 'esm ok');
            }
            """)));

        var (ok, okPayload) = await InvokeAsync(_server, name, """{}""");
        var (failed, failedPayload) = await InvokeAsync(_server, name, """{"fail": true}""");

        Assert.Equal("\"esm ok\"", okPayload);
        Assert.Null(ok.Json["FunctionError"]);
        Assert.Equal("Unhandled", failed.Json.Str("FunctionError"));
        Assert.Equal("TypeError", JsonNode.Parse(failedPayload)!.Str("errorType"));
        Assert.Equal("no way", JsonNode.Parse(failedPayload)!.Str("errorMessage"));
    }

    [Fact]
    public async Task Invoke_NodeHandlerNotExported_ReturnsHandlerNotFoundInitError()
    {
        var name = UniqueName("nodemissing");
        await CreateAsync(_server, name, "nodejs20.x", "index.handler", Zip(("index.js", "exports.other = async () => 1;\n")));

        var (result, payload) = await InvokeAsync(_server, name);

        Assert.Equal("Unhandled", result.Json.Str("FunctionError"));
        Assert.Equal("Runtime.HandlerNotFound", JsonNode.Parse(payload)!.Str("errorType"));
        Assert.Equal("index.handler is undefined or not exported", JsonNode.Parse(payload)!.Str("errorMessage"));
    }

    [Fact]
    public async Task Invoke_ProvidedRuntimeShellBootstrap_SpeaksRuntimeApi()
    {
        var name = UniqueName("provided");
        await CreateAsync(_server, name, "provided.al2023", "my.handler", Zip(("bootstrap", """
            #!/bin/sh
            set -eu
            API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
            while true; do
              HEADERS="$(mktemp)"
              EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
              ID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | tr -d '\r' | cut -d' ' -f2)"
              rm -f "$HEADERS"
              echo "custom runtime handling $ID"
              curl -sS -X POST "$API/invocation/$ID/response" -d "{\"echo\": $EVENT, \"handler\": \"$_HANDLER\"}" > /dev/null
            done
            """, true)));

        var (result, payload) = await InvokeAsync(_server, name, """{"hi": 1}""");

        result.EnsureSuccess();
        var body = JsonNode.Parse(payload)!;
        Assert.Equal(1, (int)body["echo"]!["hi"]!);
        Assert.Equal("my.handler", body.Str("handler"));
    }

    /// <summary>Retries failed events after 0.25 s and then 0.5 s (<c>--functions-retry-seconds</c>) instead of AWS's 1 s and 2 s.</summary>
    private sealed class QuickRetryServer() : GatehouseProcess("--in-memory", "--functions-retry-seconds", "0.25")
    {
        public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(0.25);
    }

    [Fact]
    public async Task Invoke_EventTypeWithFailingHandler_IsAcceptedAndRetriedTwice()
    {
        // Its own server, so the test waits for a short backoff rather than AWS's three seconds of it.
        await using var server = new QuickRetryServer();
        var name = UniqueName("event");
        using var sink = new CallbackSink();
        await CreateAsync(server, name, "python3.13", "app.handler", Zip(("app.py", CallbackSink.PythonReport + "\n" + """
            def handler(event, context):
                report(event, context.aws_request_id)
                raise RuntimeError("always failing")
            """)));

        var (result, _) = await InvokeAsync(server, name, "{\"callback\": \"" + sink.Url + "\"}", "--invocation-type", "Event");

        result.EnsureSuccess();
        Assert.Equal(202, (int)result.Json["StatusCode"]!);
        // One attempt and two retries, each retry after a longer wait than the one before.
        Assert.True(await sink.WaitForAsync(3, TimeSpan.FromSeconds(60)), $"{sink.Received.Count} of 3 attempts arrived");
        // A fourth attempt would be due three delays after the third failed; watching for twice that shows none comes.
        Assert.False(await sink.WaitForAsync(4, QuickRetryServer.RetryDelay * 6), "a fourth attempt arrived");
        var arrivals = sink.Arrivals;
        Assert.True(arrivals[1] - arrivals[0] >= QuickRetryServer.RetryDelay, $"first retry after {arrivals[1] - arrivals[0]}");
        Assert.True(arrivals[2] - arrivals[1] >= QuickRetryServer.RetryDelay * 2, $"second retry after {arrivals[2] - arrivals[1]}");
        // Retries keep the request id, as AWS's do: that is how a function tells a retry from a new event.
        Assert.Single(sink.Received.Distinct());
    }
}
