using System.Net.Sockets;
using System.Text;
using Gatehouse.Functions.Invocation;
using Gatehouse.Functions.RuntimeApi;

namespace Gatehouse.Functions.Tests;

/// <summary>
/// The Runtime API server against a fake runtime speaking raw HTTP/1.1, for the wire details runtime
/// clients differ in: keep-alive, chunked bodies, Expect: 100-continue, oversized and unknown requests.
/// </summary>
public sealed class RuntimeApiListenerTests
{
    private sealed class RecordingHandler : IRuntimeApiHandler
    {
        public List<(string Kind, string Id, string Body, string? ErrorType)> Calls { get; } = [];

        public PendingInvocation Next { get; set; } = new("11111111-2222-3333-4444-555555555555", Encoding.UTF8.GetBytes("""{"hello":1}"""), "arn:aws:lambda:us-east-1:000000000000:function:f")
        {
            DeadlineMs = 1_700_000_000_000,
            ClientContext = """{"custom":{"a":"b"}}""",
        };

        /// <summary>When set, <c>next</c> waits for this instead of answering at once.</summary>
        public TaskCompletionSource<PendingInvocation?>? Gate { get; set; }

        public ValueTask<PendingInvocation?> NextAsync(CancellationToken cancellationToken) =>
            Gate is { } gate ? new ValueTask<PendingInvocation?>(gate.Task) : ValueTask.FromResult<PendingInvocation?>(Next);

        public void CancelNext()
        {
        }

        public RuntimeReply Respond(string requestId, byte[] body, bool tooLarge)
        {
            Calls.Add(("response", requestId, Encoding.UTF8.GetString(body), null));
            if (tooLarge)
                return RuntimeReply.PayloadTooLarge;
            return requestId == Next.RequestId ? RuntimeReply.Accepted : RuntimeReply.InvalidRequestId;
        }

        public RuntimeReply ReportError(string requestId, byte[] body, string? errorType)
        {
            Calls.Add(("error", requestId, Encoding.UTF8.GetString(body), errorType));
            return RuntimeReply.Accepted;
        }

        public RuntimeReply ReportInitError(byte[] body, string? errorType)
        {
            Calls.Add(("init", "", Encoding.UTF8.GetString(body), errorType));
            return RuntimeReply.Accepted;
        }
    }

    private static async Task<string> ReadResponseAsync(NetworkStream stream)
    {
        // Reads one response: head, then Content-Length bytes.
        var bytes = new List<byte>();
        var buffer = new byte[1];
        while (!Encoding.ASCII.GetString([.. bytes]).EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buffer) == 0)
                throw new IOException("closed");
            bytes.Add(buffer[0]);
        }
        var head = Encoding.ASCII.GetString([.. bytes]);
        var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var body = new byte[length];
        await stream.ReadExactlyAsync(body);
        return head + Encoding.UTF8.GetString(body);
    }

    private static async Task<(RuntimeApiListener Listener, TcpClient Client, NetworkStream Stream)> ConnectAsync(RecordingHandler handler)
    {
        var listener = RuntimeApiListener.Start(handler);
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", listener.Port);
        return (listener, client, client.GetStream());
    }

    [Fact]
    public async Task Next_ThenResponseOnSameConnection_DeliversEventHeadersAndAcceptsResult()
    {
        var handler = new RecordingHandler();
        var (listener, client, stream) = await ConnectAsync(handler);
        await using var _ = listener;
        using var __ = client;

        await stream.WriteAsync(Req(listener, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"));
        var next = await ReadResponseAsync(stream);
        await stream.WriteAsync(Req(listener, $"POST /2018-06-01/runtime/invocation/{handler.Next.RequestId}/response HTTP/1.1\r\nContent-Length: 4\r\n\r\n\"ok\""));
        var accepted = await ReadResponseAsync(stream);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", next, StringComparison.Ordinal);
        Assert.Contains("Lambda-Runtime-Aws-Request-Id: 11111111-2222-3333-4444-555555555555\r\n", next, StringComparison.Ordinal);
        Assert.Contains("Lambda-Runtime-Deadline-Ms: 1700000000000\r\n", next, StringComparison.Ordinal);
        Assert.Contains("Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:000000000000:function:f\r\n", next, StringComparison.Ordinal);
        Assert.Contains("Lambda-Runtime-Client-Context: {\"custom\":{\"a\":\"b\"}}\r\n", next, StringComparison.Ordinal);
        Assert.Matches(@"Lambda-Runtime-Trace-Id: Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=0\r\n", next);
        Assert.Contains("Content-Type: application/json\r\n", next, StringComparison.Ordinal);
        Assert.EndsWith("{\"hello\":1}", next, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 202 Accepted\r\n", accepted, StringComparison.Ordinal);
        Assert.EndsWith("{\"status\":\"OK\"}", accepted, StringComparison.Ordinal);
        Assert.Equal(("response", handler.Next.RequestId, "\"ok\"", (string?)null), handler.Calls.Single());
    }

    [Fact]
    public async Task Error_ChunkedWithExpectContinue_IsReassembledWithItsErrorType()
    {
        var handler = new RecordingHandler();
        var (listener, client, stream) = await ConnectAsync(handler);
        await using var _ = listener;
        using var __ = client;

        await stream.WriteAsync(Req(listener, "POST /2018-06-01/runtime/invocation/abc/error HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\nLambda-Runtime-Function-Error-Type: Runtime.Custom\r\n\r\n"));
        var interim = Encoding.ASCII.GetString(await ReadExactAsync(stream, "HTTP/1.1 100 Continue\r\n\r\n".Length));
        await stream.WriteAsync("5\r\n{\"a\":\r\n3;ext=1\r\n 1}\r\n0\r\n\r\n"u8.ToArray());
        var accepted = await ReadResponseAsync(stream);

        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", interim);
        Assert.StartsWith("HTTP/1.1 202", accepted, StringComparison.Ordinal);
        Assert.Equal(("error", "abc", "{\"a\": 1}", "Runtime.Custom"), handler.Calls.Single());
    }

    [Fact]
    public async Task Response_UnknownIdOversizedOrUnknownPath_AnswersAsTheRuntimeInterfaceEmulator()
    {
        var handler = new RecordingHandler();
        var (listener, client, stream) = await ConnectAsync(handler);
        await using var _ = listener;
        using var __ = client;

        await stream.WriteAsync(Req(listener, "POST /2018-06-01/runtime/invocation/other-id/response HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"));
        var invalid = await ReadResponseAsync(stream);
        var big = new byte[RuntimeApiListener.MaxPayloadBytes + 1];
        await stream.WriteAsync(Req(listener, $"POST /2018-06-01/runtime/invocation/{handler.Next.RequestId}/response HTTP/1.1\r\nContent-Length: {big.Length}\r\n\r\n"));
        await stream.WriteAsync(big);
        var tooLarge = await ReadResponseAsync(stream);
        await stream.WriteAsync(Req(listener, "GET /2018-06-01/runtime/whatever HTTP/1.1\r\n\r\n"));
        var unknown = await ReadResponseAsync(stream);

        Assert.StartsWith("HTTP/1.1 400", invalid, StringComparison.Ordinal);
        Assert.Contains("\"errorType\":\"InvalidRequestID\"", invalid, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 413", tooLarge, StringComparison.Ordinal);
        Assert.Contains("RequestEntityTooLarge", tooLarge, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 404", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipelinedResponseAndNext_AreAnsweredInOrder()
    {
        var handler = new RecordingHandler();
        var (listener, client, stream) = await ConnectAsync(handler);
        await using var _ = listener;
        using var __ = client;
        await stream.WriteAsync(NextRequest(listener));
        await ReadResponseAsync(stream);

        // Gatehouse's runtimes send the result and the next request in one write.
        await stream.WriteAsync((byte[])[.. ResponseRequest(listener, handler.Next.RequestId, "\"ok\""), .. NextRequest(listener)]);
        var accepted = await ReadResponseAsync(stream);
        var next = await ReadResponseAsync(stream);

        Assert.StartsWith("HTTP/1.1 202 Accepted\r\n", accepted, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", next, StringComparison.Ordinal);
        Assert.EndsWith("{\"hello\":1}", next, StringComparison.Ordinal);
        Assert.Equal(("response", handler.Next.RequestId, "\"ok\"", (string?)null), handler.Calls.Single());
    }

    [Fact]
    public async Task PipelinedNext_WithNoEventYet_StillGetsTheResultAcknowledgedAtOnce()
    {
        var handler = new RecordingHandler();
        var (listener, client, stream) = await ConnectAsync(handler);
        await using var _ = listener;
        using var __ = client;
        await stream.WriteAsync(NextRequest(listener));
        await ReadResponseAsync(stream);
        handler.Gate = new TaskCompletionSource<PendingInvocation?>(TaskCreationOptions.RunContinuationsAsynchronously);

        await stream.WriteAsync((byte[])[.. ResponseRequest(listener, handler.Next.RequestId, "{}"), .. NextRequest(listener)]);
        // The 202 must not wait for the next event.
        var accepted = await ReadResponseAsync(stream).WaitAsync(TimeSpan.FromSeconds(10));
        handler.Gate.SetResult(handler.Next);
        var next = await ReadResponseAsync(stream).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("HTTP/1.1 202 Accepted\r\n", accepted, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", next, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_FollowedByAStrayCrLf_IsAcknowledgedAndTheNextRequestServed()
    {
        // Some clients send a CRLF after a body. It is not a request: the reply must not wait for one,
        // and the request after it must still parse.
        var handler = new RecordingHandler();
        var (listener, client, stream) = await ConnectAsync(handler);
        await using var _ = listener;
        using var __ = client;
        await stream.WriteAsync(NextRequest(listener));
        await ReadResponseAsync(stream);

        await stream.WriteAsync((byte[])[.. ResponseRequest(listener, handler.Next.RequestId, "{}"), .. "\r\n"u8]);
        var accepted = await ReadResponseAsync(stream).WaitAsync(TimeSpan.FromSeconds(10));
        await stream.WriteAsync(NextRequest(listener));
        var next = await ReadResponseAsync(stream).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("HTTP/1.1 202 Accepted\r\n", accepted, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", next, StringComparison.Ordinal);
    }

    /// <summary>A request as the environment's runtime sends it: the listener's secret before the API path.</summary>
    private static byte[] Req(RuntimeApiListener listener, string request) =>
        Encoding.ASCII.GetBytes(request.Replace(" /2018-06-01/", $" /{listener.Secret}/2018-06-01/", StringComparison.Ordinal));

    private static byte[] NextRequest(RuntimeApiListener listener) => Req(listener, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n");

    private static byte[] ResponseRequest(RuntimeApiListener listener, string requestId, string body) => Req(listener,
        $"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1\r\nContent-Length: {body.Length}\r\n\r\n{body}");

    private static async Task<byte[]> ReadExactAsync(NetworkStream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer);
        return buffer;
    }
}
