using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Tests;

/// <summary>
/// Broken HTTP/1.1 framing over a raw socket, as an attacker (or a broken client) sends it: a body
/// that stalls, a bad chunk size, CONNECT, Transfer-Encoding with Content-Length. Each is a clean
/// 4xx in the shape of whatever answers (AWS JSON, Lambda's restJson, the HTTP API data plane), the
/// connection is closed where it can no longer be trusted, and the server log has no stack trace.
/// </summary>
public sealed class HttpFramingTests : IClassFixture<GatehouseProcess>
{
    private const string CognitoCall =
        "Authorization: AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=" + Zeros + "\r\n"
        + "X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\nContent-Type: application/x-amz-json-1.1\r\n";

    private const string LambdaCall =
        "Authorization: AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=" + Zeros + "\r\n"
        + "Content-Type: application/json\r\n";

    private const string Zeros = "0000000000000000000000000000000000000000000000000000000000000000";

    private readonly GatehouseProcess _server;

    public HttpFramingTests(GatehouseProcess server) => _server = server;

    private string Host => $"Host: 127.0.0.1:{_server.Port}\r\n";

    /// <summary>One raw exchange: sends <paramref name="head"/> (and keeps the socket open), reads until the server closes.</summary>
    private async Task<RawReply> ExchangeAsync(string head)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        // Reading to the end proves the connection was closed; a kept-alive one would hit the timeout.
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            received.Write(buffer, 0, read);
        return RawReply.Parse(Encoding.UTF8.GetString(received.ToArray()));
    }

    private void AssertNoStackTrace()
    {
        var log = _server.Output;
        Assert.DoesNotContain("   at ", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception:", log, StringComparison.Ordinal);
        Assert.DoesNotContain(" fail: ", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwsJson_StalledBody_408RequestTimeout()
    {
        // Headers and part of the declared body, then nothing: Kestrel's minimum body data rate ends it.
        var reply = await ExchangeAsync($"POST / HTTP/1.1\r\n{Host}{CognitoCall}Content-Length: 100\r\n\r\n{{\"MaxResults\"");

        Assert.Equal(408, reply.Status);
        Assert.Equal("RequestTimeoutException", reply.Header("x-amzn-ErrorType"));
        Assert.Equal("RequestTimeoutException", reply.Json["__type"]!.GetValue<string>());
        Assert.Equal("close", reply.Header("Connection"));
        Assert.Equal(1, reply.Responses);
        AssertNoStackTrace();
    }

    [Fact]
    public async Task AwsJson_BadChunkSize_400AndClose()
    {
        var reply = await ExchangeAsync($"POST / HTTP/1.1\r\n{Host}{CognitoCall}Transfer-Encoding: chunked\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n");

        Assert.Equal(400, reply.Status);
        Assert.Equal("SerializationException", reply.Json["__type"]!.GetValue<string>());
        Assert.Equal("close", reply.Header("Connection"));
        AssertNoStackTrace();
    }

    [Fact]
    public async Task Lambda_ChunkWithoutItsLineEnd_400InLambdasShape()
    {
        // A chunk of 5 bytes not followed by CRLF: the chunked framing breaks after the chunk.
        var reply = await ExchangeAsync($"POST /2015-03-31/functions/missing/invocations HTTP/1.1\r\n{Host}{LambdaCall}Transfer-Encoding: chunked\r\n\r\n5\r\n{{}}\r\nXX\r\n0\r\n\r\n");

        Assert.Equal(400, reply.Status);
        Assert.Equal("InvalidRequestContentException", reply.Header("x-amzn-ErrorType"));
        Assert.Equal("User", reply.Json["Type"]!.GetValue<string>());
        Assert.Equal("close", reply.Header("Connection"));
        AssertNoStackTrace();
    }

    [Fact]
    public async Task Connect_400()
    {
        var reply = await ExchangeAsync($"CONNECT 127.0.0.1:{_server.Port} HTTP/1.1\r\n{Host}\r\n");

        Assert.Equal(400, reply.Status);
        Assert.Equal("BadRequestException", reply.Json["__type"]!.GetValue<string>());
        Assert.Equal("close", reply.Header("Connection"));
        AssertNoStackTrace();
    }

    [Fact]
    public async Task TransferEncodingAndContentLength_400AndTheSmuggledRequestIsNeverAnswered()
    {
        // Content-Length says the body is the whole rest; chunked says it ends at "0": a second
        // request hides behind it. Refused, and the connection closes before that request is read.
        var smuggled = $"GET /_gatehouse/health HTTP/1.1\r\n{Host}\r\n";
        var body = "0\r\n\r\n" + smuggled;
        var reply = await ExchangeAsync($"POST / HTTP/1.1\r\n{Host}{CognitoCall}Content-Length: {body.Length}\r\nTransfer-Encoding: chunked\r\n\r\n{body}");

        Assert.Equal(400, reply.Status);
        Assert.Equal("BadRequestException", reply.Json["__type"]!.GetValue<string>());
        Assert.Equal("close", reply.Header("Connection"));
        Assert.Equal(1, reply.Responses);
        AssertNoStackTrace();
    }

    [Fact]
    public async Task DataPlane_BadChunkAndStalledBody_400And408InApiGatewaysShape()
    {
        // A quick-created API whose Lambda does not exist: the body is read before any invocation.
        var apiId = (await _server.AwsAsync("apigatewayv2", "create-api", "--name", "framing", "--protocol-type", "HTTP",
            "--target", "arn:aws:lambda:us-east-1:000000000000:function:framing-missing")).EnsureSuccess().Json.Str("ApiId");
        var target = $"/_aws/execute-api/{apiId}/items";

        var badChunk = await ExchangeAsync($"POST {target} HTTP/1.1\r\n{Host}Transfer-Encoding: chunked\r\n\r\nq1\r\nab\r\n0\r\n\r\n");
        var stalled = await ExchangeAsync($"POST {target} HTTP/1.1\r\n{Host}Content-Length: 50\r\n\r\n{{\"a\"");

        Assert.Equal(400, badChunk.Status);
        Assert.Equal("Bad Request", badChunk.Json["message"]!.GetValue<string>());
        Assert.Equal("close", badChunk.Header("Connection"));
        Assert.Equal(408, stalled.Status);
        Assert.Equal("Request Timeout", stalled.Json["message"]!.GetValue<string>());
        Assert.Equal("close", stalled.Header("Connection"));
        AssertNoStackTrace();
    }

    [Fact]
    public async Task HttpProxy_BadChunkWhileStreamedOn_400NotAnIntegrationFailure()
    {
        // An upstream that accepts and reads whatever comes: the body breaks while the gateway streams it.
        using var upstream = new TcpListener(System.Net.IPAddress.Loopback, 0);
        upstream.Start();
        _ = Task.Run(async () =>
        {
            using var connection = await upstream.AcceptTcpClientAsync();
            var sink = new byte[8192];
            while (await connection.GetStream().ReadAsync(sink) > 0)
            {
            }
        });
        var apiId = (await _server.AwsAsync("apigatewayv2", "create-api", "--name", "framing-proxy", "--protocol-type", "HTTP",
            "--target", $"http://127.0.0.1:{((System.Net.IPEndPoint)upstream.LocalEndpoint).Port}/")).EnsureSuccess().Json.Str("ApiId");

        var reply = await ExchangeAsync($"POST /_aws/execute-api/{apiId}/items HTTP/1.1\r\n{Host}Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\nzz\r\n0\r\n\r\n");

        Assert.Equal(400, reply.Status);
        Assert.Equal("Bad Request", reply.Json["message"]!.GetValue<string>());
        Assert.Equal("close", reply.Header("Connection"));
        AssertNoStackTrace();
    }

    /// <summary>The first response on a connection, and how many responses the connection carried.</summary>
    private sealed record RawReply(int Status, Dictionary<string, string> Headers, string Body, int Responses)
    {
        public JsonNode Json => JsonNode.Parse(Body)!;

        public string Header(string name) => Headers.GetValueOrDefault(name, "");

        public static RawReply Parse(string text)
        {
            Assert.StartsWith("HTTP/1.1 ", text, StringComparison.Ordinal);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var lines = text[..end].Split("\r\n");
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                headers[line[..colon]] = line[(colon + 1)..].Trim();
            }
            var rest = text[(end + 4)..];
            var body = headers.TryGetValue("Content-Length", out var length) ? rest[..int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)] : rest;
            var responses = text.Split("HTTP/1.1 ").Length - 1;
            return new RawReply(int.Parse(lines[0][9..12], System.Globalization.CultureInfo.InvariantCulture), headers, body, responses);
        }
    }
}
