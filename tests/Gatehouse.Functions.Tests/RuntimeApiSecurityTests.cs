using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Functions.Invocation;
using Gatehouse.Functions.RuntimeApi;
using Gatehouse.Testing;
using static Gatehouse.Functions.Tests.TestFunctions;

namespace Gatehouse.Functions.Tests;

/// <summary>
/// The Runtime API as an attacker sees it: every function shares the loopback network, so any of
/// them can reach every environment's port. Raw sockets against one listener, without and with
/// a wrong secret, a second GET /next, endless lines, silent and surplus connections.
/// </summary>
public sealed class RuntimeApiSecurityTests
{
    private sealed class Handler : IRuntimeApiHandler
    {
        private int _nextCalls;

        public PendingInvocation Event { get; } = new("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", Encoding.UTF8.GetBytes("""{"secret":"payload"}"""), "arn:aws:lambda:us-east-1:000000000000:function:victim")
        {
            DeadlineMs = 1_700_000_000_000,
        };

        /// <summary>Completes the pending next (the event arrives).</summary>
        public TaskCompletionSource<PendingInvocation?> Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set when a GET /next reached the environment.</summary>
        public TaskCompletionSource NextCalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set when a second GET /next reached the environment.</summary>
        public TaskCompletionSource SecondNextCalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int NextCalls => Volatile.Read(ref _nextCalls);

        public int Cancelled { get; private set; }

        public List<string> Posts { get; } = [];

        public ValueTask<PendingInvocation?> NextAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _nextCalls) > 1)
                SecondNextCalled.TrySetResult();
            NextCalled.TrySetResult();
            return new ValueTask<PendingInvocation?>(Gate.Task);
        }

        public void CancelNext() => Cancelled++;

        public RuntimeReply Respond(string requestId, byte[] body, bool tooLarge)
        {
            lock (Posts)
                Posts.Add("response " + requestId);
            return RuntimeReply.Accepted;
        }

        public RuntimeReply ReportError(string requestId, byte[] body, string? errorType)
        {
            lock (Posts)
                Posts.Add("error " + requestId);
            return RuntimeReply.Accepted;
        }

        public RuntimeReply ReportInitError(byte[] body, string? errorType)
        {
            lock (Posts)
                Posts.Add("init");
            return RuntimeReply.Accepted;
        }
    }

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task<NetworkStream> ConnectAsync(RuntimeApiListener listener)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", listener.Port);
        return client.GetStream(); // owns the socket: disposing the stream closes it
    }

    private static async Task<NetworkStream> ConnectAsync(RuntimeApiListener listener, string request)
    {
        var stream = await ConnectAsync(listener);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        return stream;
    }

    private static string Next(string prefix) => $"GET {prefix}/2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    /// <summary>Reads one response (head and Content-Length body); null when the server closed first.</summary>
    private static async Task<string?> ReadResponseAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (!(bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            int read;
            try
            {
                read = await stream.ReadAsync(one);
            }
            catch (IOException)
            {
                return null;
            }
            if (read == 0)
                return null;
            bytes.Add(one[0]);
        }
        var head = Encoding.ASCII.GetString([.. bytes]);
        var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var body = new byte[lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)];
        await stream.ReadExactlyAsync(body);
        return head + Encoding.UTF8.GetString(body);
    }

    /// <summary>Whether the server closes the connection (end of stream or reset), reading whatever it sends first.</summary>
    private static async Task<bool> ClosedByServerAsync(NetworkStream stream)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer).AsTask().WaitAsync(Patience) > 0)
            {
            }
            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Address_CarriesAnUnguessableSecretAsItsFirstPathSegment()
    {
        await using var one = RuntimeApiListener.Start(new Handler());
        await using var two = RuntimeApiListener.Start(new Handler());

        Assert.Matches(@"^127\.0\.0\.1:[0-9]+/[A-Za-z0-9_-]{43}$", one.Address);
        Assert.Equal(one.Address, $"127.0.0.1:{one.Port}/{one.Secret}");
        Assert.NotEqual(one.Secret, two.Secret);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("/x")]
    public async Task Next_WithoutTheSecret_Is403AndNoEventLeaves(string prefix)
    {
        var handler = new Handler();
        handler.Gate.SetResult(handler.Event);
        await using var listener = RuntimeApiListener.Start(handler);

        await using var stream = await ConnectAsync(listener, Next(prefix));
        var reply = await ReadResponseAsync(stream);

        Assert.NotNull(reply);
        Assert.StartsWith("HTTP/1.1 403 Forbidden\r\n", reply, StringComparison.Ordinal);
        Assert.Contains("\"errorMessage\":", reply, StringComparison.Ordinal);
        Assert.DoesNotContain("payload", reply, StringComparison.Ordinal);
        Assert.DoesNotContain(handler.Event.RequestId, reply, StringComparison.Ordinal);
        Assert.True(await ClosedByServerAsync(stream));
        Assert.Equal(0, handler.NextCalls);
    }

    [Fact]
    public async Task ForgedResponseAndErrors_WithoutTheSecret_Are403AndNeverReachTheEnvironment()
    {
        var handler = new Handler();
        await using var listener = RuntimeApiListener.Start(handler);
        await using var elsewhere = RuntimeApiListener.Start(new Handler());
        var id = handler.Event.RequestId;

        var replies = new List<string?>();
        foreach (var request in new[]
        {
            $"POST /2018-06-01/runtime/invocation/{id}/response HTTP/1.1\r\nContent-Length: 8\r\n\r\n\"forged\"",
            $"POST /2018-06-01/runtime/invocation/{id}/error HTTP/1.1\r\nContent-Length: 2\r\n\r\n{{}}",
            "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
            // The right secret of a different environment is just as wrong.
            $"POST /{elsewhere.Secret}/2018-06-01/runtime/invocation/{id}/response HTTP/1.1\r\nContent-Length: 2\r\n\r\n{{}}",
        })
        {
            await using var stream = await ConnectAsync(listener, request);
            replies.Add(await ReadResponseAsync(stream));
        }

        Assert.All(replies, r => Assert.StartsWith("HTTP/1.1 403", r, StringComparison.Ordinal));
        Assert.Empty(handler.Posts);
    }

    [Fact]
    public async Task SecondNext_WhileTheRuntimesNextWaits_Is409AndTheEventGoesToTheRuntime()
    {
        var handler = new Handler();
        await using var listener = RuntimeApiListener.Start(handler);
        await using var runtime = await ConnectAsync(listener, Next("/" + listener.Secret));
        await handler.NextCalled.Task.WaitAsync(Patience);

        // Someone who learned the secret (a child process of the function, say) asks for the event too.
        await using var thief = await ConnectAsync(listener, Next("/" + listener.Secret));
        var refused = await ReadResponseAsync(thief).WaitAsync(Patience);
        handler.Gate.SetResult(handler.Event);
        var delivered = await ReadResponseAsync(runtime).WaitAsync(Patience);

        Assert.StartsWith("HTTP/1.1 409 Conflict\r\n", refused, StringComparison.Ordinal);
        Assert.Contains("\"errorMessage\":", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("payload", refused, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", delivered, StringComparison.Ordinal);
        Assert.Contains("Lambda-Runtime-Aws-Request-Id: " + handler.Event.RequestId, delivered, StringComparison.Ordinal);
        Assert.Equal(1, handler.NextCalls);
    }

    [Fact]
    public async Task SecondNext_AfterTheWaitingConnectionHungUp_TakesItsPlace()
    {
        var handler = new Handler();
        await using var listener = RuntimeApiListener.Start(handler);
        var gone = await ConnectAsync(listener, Next("/" + listener.Secret));
        await handler.NextCalled.Task.WaitAsync(Patience);
        gone.Socket.Shutdown(SocketShutdown.Both);
        await gone.DisposeAsync();

        // The runtime reconnects and asks again: the dead wait must not block it for ever. (On
        // loopback the close has reached the listener's socket by the time Dispose returns.)
        await using var runtime = await ConnectAsync(listener, Next("/" + listener.Secret));
        var reply = ReadResponseAsync(runtime);
        await Task.WhenAny(handler.SecondNextCalled.Task, reply).WaitAsync(Patience);
        Assert.False(reply.IsCompleted, reply.IsCompleted ? await reply : null);
        handler.Gate.SetResult(handler.Event);
        var delivered = await reply.WaitAsync(Patience);

        Assert.Equal(1, handler.Cancelled);
        Assert.Equal(2, handler.NextCalls);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", delivered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndlessRequestLine_IsRefusedAfterAFewKilobytesAndTheConnectionClosed()
    {
        await using var listener = RuntimeApiListener.Start(new Handler());
        await using var stream = await ConnectAsync(listener);
        var reading = ReadResponseAsync(stream);

        // 300 MB without a newline, in 64 KB writes, until the server stops reading.
        var block = Encoding.ASCII.GetBytes("GET /" + new string('a', 64 * 1024 - 5));
        long sent = 0;
        try
        {
            while (sent < 300L * 1024 * 1024 && !reading.IsCompleted)
            {
                await stream.WriteAsync(block).AsTask().WaitAsync(Patience);
                sent += block.Length;
                block.AsSpan().Fill((byte)'a');
            }
        }
        catch (IOException)
        {
            // Reset by the server: what is expected.
        }
        var reply = await reading.WaitAsync(Patience);

        Assert.StartsWith("HTTP/1.1 414", reply, StringComparison.Ordinal);
        // Whatever the kernel buffers accept, far less than the 300 MB offered.
        Assert.True(sent < 64L * 1024 * 1024, $"{sent} bytes were accepted");
        Assert.True(await ClosedByServerAsync(stream));
    }

    [Theory]
    [InlineData("header")]
    [InlineData("headers")]
    [InlineData("chunk-size")]
    [InlineData("trailer")]
    public async Task EndlessHeaderOrChunkLines_AreRefusedWithBoundedReading(string where)
    {
        var handler = new Handler();
        await using var listener = RuntimeApiListener.Start(handler);
        await using var stream = await ConnectAsync(listener);
        var post = $"POST /{listener.Secret}/2018-06-01/runtime/invocation/{handler.Event.RequestId}/response HTTP/1.1\r\n";
        var (start, repeated) = where switch
        {
            "header" => (post + "X-Long: ", "a"),
            "headers" => (post, "X-Many: 1\r\n"),
            "chunk-size" => (post + "Transfer-Encoding: chunked\r\n\r\n", "0"),
            _ => (post + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n", "X-Trailer: 1\r\n"),
        };
        var reading = ReadResponseAsync(stream);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(start));
        var block = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(repeated, 64 * 1024 / repeated.Length)));
        long sent = 0;
        try
        {
            while (sent < 300L * 1024 * 1024 && !reading.IsCompleted)
            {
                await stream.WriteAsync(block).AsTask().WaitAsync(Patience);
                sent += block.Length;
            }
        }
        catch (IOException)
        {
            // Reset by the server.
        }
        var reply = await reading.WaitAsync(Patience);

        Assert.True(sent < 64L * 1024 * 1024, $"{sent} bytes were accepted");
        if (where.StartsWith("header", StringComparison.Ordinal))
            Assert.StartsWith("HTTP/1.1 431", reply, StringComparison.Ordinal);
        else
            Assert.Null(reply); // a body gone wrong ends the connection
        Assert.Empty(handler.Posts);
    }

    [Theory]
    [InlineData(64, "HTTP/1.1 202")]
    [InlineData(65, "HTTP/1.1 431")]
    public async Task HeadersUpToTheLimit_AreServedEvenWhenTheHeadArrivesInPieces(int count, string expected)
    {
        var handler = new Handler();
        await using var listener = RuntimeApiListener.Start(handler);
        await using var stream = await ConnectAsync(listener);
        var headers = string.Concat(Enumerable.Range(0, count - 1).Select(i => $"X-H{i}: {new string('v', 100)}\r\n"));
        var head = $"POST /{listener.Secret}/2018-06-01/runtime/invocation/x/response HTTP/1.1\r\n{headers}Content-Length: 2\r\n\r\n{{}}";

        // Every header line, then the blank line and body in a second write: the incomplete head is
        // checked on its own (when the two arrive apart), and must not be refused for its count.
        var split = head.Length - 4;
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head[..split]));
        var reading = ReadResponseAsync(stream);
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head[split..]));
        }
        catch (IOException)
        {
            // Refused (and closed) before the rest arrived.
        }
        var reply = await reading.WaitAsync(Patience);

        Assert.StartsWith(expected, reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SilentAndSlowConnections_AreClosedAfterTheFirstRequestTimeout()
    {
        var limits = new RuntimeApiLimits { FirstRequestTimeout = TimeSpan.FromMilliseconds(500), SweepPeriod = TimeSpan.FromMilliseconds(100) };
        await using var listener = RuntimeApiListener.Start(new Handler(), limits);
        var started = Stopwatch.StartNew();

        await using var silent = await ConnectAsync(listener);
        await using var slow = await ConnectAsync(listener, "GET /");

        Assert.True(await ClosedByServerAsync(silent));
        Assert.True(await ClosedByServerAsync(slow));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task IdleRuntimeConnection_IsClosedAfterTheIdleTimeout()
    {
        var handler = new Handler();
        var limits = new RuntimeApiLimits { IdleTimeout = TimeSpan.FromMilliseconds(500), SweepPeriod = TimeSpan.FromMilliseconds(100) };
        await using var listener = RuntimeApiListener.Start(handler, limits);
        await using var runtime = await ConnectAsync(listener, $"POST /{listener.Secret}/2018-06-01/runtime/invocation/x/response HTTP/1.1\r\nContent-Length: 2\r\n\r\n{{}}");

        var accepted = await ReadResponseAsync(runtime);

        Assert.StartsWith("HTTP/1.1 202", accepted, StringComparison.Ordinal);
        Assert.True(await ClosedByServerAsync(runtime));
    }

    [Fact]
    public async Task ManyConnections_OnlyAFewStayOpenAndTheRuntimesOwnIsKept()
    {
        var handler = new Handler();
        // No first-request timeout to speak of: only the connection limit can close anything here.
        var limits = new RuntimeApiLimits { MaxConnections = 3, FirstRequestTimeout = TimeSpan.FromHours(1) };
        await using var listener = RuntimeApiListener.Start(handler, limits);
        await using var runtime = await ConnectAsync(listener, Next("/" + listener.Secret));
        await handler.NextCalled.Task.WaitAsync(Patience);

        // 100 connections that never say a word: all but the newest are closed as others arrive.
        var flood = new List<NetworkStream>();
        for (var i = 0; i < 100; i++)
            flood.Add(await ConnectAsync(listener));
        var closed = 0;
        foreach (var stream in flood.Take(97))
        {
            if (await ClosedByServerAsync(stream))
                closed++;
        }
        handler.Gate.SetResult(handler.Event);
        var delivered = await ReadResponseAsync(runtime).WaitAsync(Patience);
        foreach (var stream in flood)
            await stream.DisposeAsync();

        Assert.Equal(97, closed);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", delivered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionsBeyondTheLimit_WhenAllAreTheRuntimes_AreClosedAtOnce()
    {
        var handler = new Handler();
        await using var listener = RuntimeApiListener.Start(handler, new RuntimeApiLimits { MaxConnections = 2, FirstRequestTimeout = TimeSpan.FromHours(1) });
        var own = new List<NetworkStream>();
        for (var i = 0; i < 2; i++)
        {
            var stream = await ConnectAsync(listener, $"POST /{listener.Secret}/2018-06-01/runtime/invocation/x/response HTTP/1.1\r\nContent-Length: 2\r\n\r\n{{}}");
            Assert.StartsWith("HTTP/1.1 202", await ReadResponseAsync(stream), StringComparison.Ordinal);
            own.Add(stream);
        }

        await using var surplus = await ConnectAsync(listener);

        Assert.True(await ClosedByServerAsync(surplus));
        await own[0].WriteAsync(Encoding.ASCII.GetBytes($"POST /{listener.Secret}/2018-06-01/runtime/invocation/y/response HTTP/1.1\r\nContent-Length: 2\r\n\r\n{{}}"));
        Assert.StartsWith("HTTP/1.1 202", await ReadResponseAsync(own[0]), StringComparison.Ordinal);
        foreach (var stream in own)
            await stream.DisposeAsync();
    }
}

/// <summary>The same attacks from inside a function, against the running server.</summary>
public sealed class RuntimeApiAttackTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public RuntimeApiAttackTests(GatehouseProcess server) => _server = server;

    private const string Attacker = """
        import json, os, socket, time

        def ask(port, path, body=None):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            if body is None:
                s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
            else:
                s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (path, len(body), body)).encode())
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except socket.timeout:
                return "timeout"
            finally:
                s.close()
            return data.split(b"\r\n", 1)[0].decode() if data else "closed"

        def handler(event, context):
            address = os.environ["AWS_LAMBDA_RUNTIME_API"]
            port = event.get("port") or int(address.split("/")[0].split(":")[1])
            return {
                "address": address,
                "next": ask(port, "/2018-06-01/runtime/invocation/next"),
                "guess": ask(port, "/" + "A" * 43 + "/2018-06-01/runtime/invocation/next"),
                "forged": ask(port, "/2018-06-01/runtime/invocation/%s/response" % event.get("id", "x"), '"forged"'),
            }
        """;

    [Fact]
    public async Task Function_AttackingItsOwnOrAnotherEnvironmentsPort_Gets403AndTheVictimKeepsWorking()
    {
        var victim = UniqueName("victim");
        var attacker = UniqueName("attacker");
        await CreateAsync(_server, victim, "python3.13", "app.handler", Zip(("app.py", """
            import os
            def handler(event, context):
                return {"address": os.environ["AWS_LAMBDA_RUNTIME_API"], "id": context.aws_request_id}
            """)));
        await CreateAsync(_server, attacker, "python3.13", "app.handler", Zip(("app.py", Attacker)));
        var (_, victimPayload) = await InvokeAsync(_server, victim);
        var victimAddress = JsonNode.Parse(victimPayload)!.Str("address");
        var victimPort = int.Parse(victimAddress.Split('/')[0].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

        var (own, ownPayload) = await InvokeAsync(_server, attacker, "{}");
        var (other, otherPayload) = await InvokeAsync(_server, attacker, $$"""{"port": {{victimPort}}, "id": "{{JsonNode.Parse(victimPayload)!.Str("id")}}"}""");
        var (after, afterPayload) = await InvokeAsync(_server, victim);

        own.EnsureSuccess();
        other.EnsureSuccess();
        Assert.Null(own.Json["FunctionError"]);
        Assert.Null(other.Json["FunctionError"]);
        Assert.Matches(@"^127\.0\.0\.1:[0-9]+/[A-Za-z0-9_-]{43}$", victimAddress);
        foreach (var payload in new[] { ownPayload, otherPayload })
        {
            var body = JsonNode.Parse(payload)!;
            Assert.Equal("HTTP/1.1 403 Forbidden", body.Str("next"));
            Assert.Equal("HTTP/1.1 403 Forbidden", body.Str("guess"));
            Assert.Equal("HTTP/1.1 403 Forbidden", body.Str("forged"));
        }
        after.EnsureSuccess();
        Assert.Null(after.Json["FunctionError"]);
        Assert.Equal(victimAddress, JsonNode.Parse(afterPayload)!.Str("address")); // the same warm environment
    }

    [Fact]
    public async Task Invoke_OnAWarmEnvironmentWhoseRuntimeNeverAsksAgain_TimesOutAfterTheFunctionsTimeout()
    {
        // A runtime that answers its first event and then never calls /next again.
        var name = UniqueName("stuck");
        await CreateAsync(_server, name, "provided.al2023", "stuck.handler", Zip(("bootstrap", """
            #!/bin/sh
            API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
            HEADERS="$(mktemp)"
            curl -sS -D "$HEADERS" "$API/invocation/next" > /dev/null
            ID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | tr -d '\r' | cut -d' ' -f2)"
            curl -sS -X POST "$API/invocation/$ID/response" -d '{"first": true}' > /dev/null
            exec sleep 3600
            """, true)), "--timeout", "2");
        var (first, firstPayload) = await InvokeAsync(_server, name);

        var started = Stopwatch.StartNew();
        var (second, secondPayload) = await InvokeAsync(_server, name);
        var waited = started.Elapsed;

        first.EnsureSuccess();
        Assert.Equal("""{"first": true}""", firstPayload);
        second.EnsureSuccess();
        Assert.Equal("Unhandled", second.Json.Str("FunctionError"));
        Assert.Equal("Sandbox.Timedout", JsonNode.Parse(secondPayload)!.Str("errorType"));
        Assert.EndsWith("Task timed out after 2.00 seconds", JsonNode.Parse(secondPayload)!.Str("errorMessage"), StringComparison.Ordinal);
        Assert.True(waited < TimeSpan.FromSeconds(15), $"waited {waited}");
    }

    [Fact]
    public async Task Invoke_ResponseLargerThanSixMegabytes_IsFunctionResponseSizeTooLarge()
    {
        var name = UniqueName("huge");
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", """
            def handler(event, context):
                return "x" * (7 * 1024 * 1024)
            """)));

        var (result, payload) = await InvokeAsync(_server, name);

        result.EnsureSuccess();
        Assert.Equal("Unhandled", result.Json.Str("FunctionError"));
        var error = JsonNode.Parse(payload)!;
        Assert.Equal("Function.ResponseSizeTooLarge", error.Str("errorType"));
        Assert.Equal("Response payload size exceeded maximum allowed payload size (6291556 bytes).", error.Str("errorMessage"));
    }
}
