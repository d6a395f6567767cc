using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gatehouse.Core.Security;

namespace Gatehouse.Functions.RuntimeApi;

/// <summary>
/// The Lambda Runtime API of one execution environment, on its own loopback port. A small HTTP/1.1
/// server on raw sockets: it starts in microseconds, which keeps cold starts short, and its
/// keep-alive loop costs a few hundred nanoseconds per request, which keeps warm invokes cheap. It
/// speaks just what runtime clients send: a request line, headers, a Content-Length or chunked body,
/// Expect: 100-continue.
/// </summary>
/// <remarks>
/// Every function shares the loopback network, so any of them can reach every environment's port.
/// The port is therefore not what makes a request the runtime's own: each environment has an
/// unguessable secret (256 random bits, base64url), given to its runtime as the first path segment of
/// <c>AWS_LAMBDA_RUNTIME_API</c> (<c>127.0.0.1:PORT/SECRET</c>). Runtime clients build their URLs
/// as <c>http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/...</c>
/// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), so the secret comes back as a path
/// prefix; a request without it gets 403 and the connection is closed. Everything a connection may
/// cost is bounded: request line and header lines (8 KiB each, 64 headers), chunk-size and trailer
/// lines, bodies (6 MiB + 100 bytes, more is skipped, never kept), the time a request may take to
/// arrive, and the number of connections an environment holds at once.
/// </remarks>
internal sealed class RuntimeApiListener : IAsyncDisposable
{
    /// <summary>RIE's limit for a response or error body: 6 MiB + 100 bytes.</summary>
    public const int MaxPayloadBytes = 6 * 1024 * 1024 + 100;

    /// <summary>The longest request line, header line, chunk-size line or trailer line.</summary>
    public const int MaxLineBytes = 8 * 1024;

    /// <summary>The most header (or trailer) lines in one request.</summary>
    public const int MaxHeaderCount = 64;

    internal const int MaxHeaderBytes = 64 * 1024;
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly RuntimeApiRoutes _routes;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<RuntimeConnection> _connections = [];
    private readonly RuntimeApiLimits _limits;
    private readonly byte[] _secret;
    private readonly Timer _sweep;
    private Task? _acceptLoop;

    private RuntimeApiListener(Socket socket, IRuntimeApiHandler handler, RuntimeApiLimits limits)
    {
        _socket = socket;
        _routes = new RuntimeApiRoutes(handler);
        _limits = limits;
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        Secret = Secrets.NewToken();
        _secret = Encoding.ASCII.GetBytes(Secret);
        _sweep = new Timer(static s => ((RuntimeApiListener)s!).Sweep(), this, limits.SweepPeriod, limits.SweepPeriod);
    }

    public int Port { get; }

    /// <summary>The first path segment every request of this environment's runtime carries.</summary>
    public string Secret { get; }

    /// <summary>host:port/secret, the value of AWS_LAMBDA_RUNTIME_API.</summary>
    public string Address => "127.0.0.1:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + Secret;

    public static RuntimeApiListener Start(IRuntimeApiHandler handler, RuntimeApiLimits? limits = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            socket.Listen(16);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var listener = new RuntimeApiListener(socket, handler, limits ?? RuntimeApiLimits.Default);
        listener._acceptLoop = Task.Run(listener.AcceptLoopAsync);
        return listener;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            connection.NoDelay = true;
            var runtimeConnection = new RuntimeConnection(connection);
            RuntimeConnection? evicted = null;
            var accepted = true;
            lock (_connections)
            {
                if (_connections.Count >= _limits.MaxConnections)
                {
                    // Full: make room by closing the oldest connection that has not yet shown the
                    // secret (the runtime's own connections are never closed for a newcomer).
                    evicted = _connections.FirstOrDefault(c => !c.Authenticated);
                    if (evicted is null)
                        accepted = false;
                    else
                        _connections.Remove(evicted);
                }
                if (accepted)
                    _connections.Add(runtimeConnection);
            }
            evicted?.Socket.Dispose();
            if (!accepted)
            {
                connection.Dispose();
                continue;
            }
            _ = ServeAsync(runtimeConnection);
        }
    }

    /// <summary>Closes every connection that has been waiting too long for a request to arrive whole.</summary>
    private void Sweep()
    {
        var now = Environment.TickCount64;
        List<RuntimeConnection>? expired = null;
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                var since = Volatile.Read(ref connection.ReadingSince);
                var limit = connection.Authenticated ? _limits.IdleTimeout : _limits.FirstRequestTimeout;
                if (since != 0 && now - since > (long)limit.TotalMilliseconds)
                    (expired ??= []).Add(connection);
            }
        }
        if (expired is null)
            return;
        // Disposing the socket fails the pending receive; the serving loop then cleans up.
        foreach (var connection in expired)
            connection.Socket.Dispose();
    }

    private async Task ServeAsync(RuntimeConnection connection)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var start = 0;
            var end = 0;
            while (!_stopping.IsCancellationRequested)
            {
                // From here until the request is read whole, the sweep bounds how long it may take.
                Volatile.Write(ref connection.ReadingSince, Environment.TickCount64);
                // Read until the blank line that ends the request head. Empty lines before a request
                // line are skipped (RFC 9112 2.2: some clients send a CRLF after a body).
                int headEnd;
                while (true)
                {
                    while (end - start >= 2 && buffer[start] == (byte)'\r' && buffer[start + 1] == (byte)'\n')
                        start += 2;
                    if ((headEnd = buffer.AsSpan(start, end - start).IndexOf(HeaderEnd)) >= 0)
                        break;
                    if (CheckPartialHead(buffer.AsSpan(start, end - start)) is { } refusal)
                    {
                        await connection.SendAsync(refusal, _stopping.Token).ConfigureAwait(false);
                        return;
                    }
                    if (end == buffer.Length)
                    {
                        if (start > 0)
                        {
                            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                            end -= start;
                            start = 0;
                        }
                        else
                        {
                            var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                            Buffer.BlockCopy(buffer, 0, bigger, 0, end);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = bigger;
                        }
                    }
                    var read = await connection.ReceiveAsync(buffer.AsMemory(end), _stopping.Token).ConfigureAwait(false);
                    if (read == 0)
                        return;
                    end += read;
                }

                var head = new RequestHead();
                var parsed = RequestHead.TryParse(buffer.AsSpan(start, headEnd), _secret, ref head);
                if (parsed != HeadStatus.Ok)
                {
                    await connection.SendAsync(parsed switch
                    {
                        HeadStatus.LineTooLong => RuntimeApiReplies.LineTooLongReply,
                        HeadStatus.HeadersTooLarge => RuntimeApiReplies.HeadersTooLargeReply,
                        _ => RuntimeApiReplies.BadRequestReply,
                    }, _stopping.Token).ConfigureAwait(false);
                    return;
                }
                if (head.Route == Route.Forbidden)
                {
                    // Not this environment's runtime: no event, no body read, no second try on this connection.
                    await connection.SendAsync(RuntimeApiReplies.ForbiddenReply, _stopping.Token).ConfigureAwait(false);
                    return;
                }
                connection.Authenticated = true;
                start += headEnd + HeaderEnd.Length;

                if (head.ExpectContinue)
                    await connection.SendAsync(RuntimeApiReplies.ContinueReply, _stopping.Token).ConfigureAwait(false);

                // The body: whole bytes the handler may keep (a response payload outlives the request).
                byte[] body;
                var tooLarge = false;
                if (head.Chunked)
                {
                    (body, tooLarge, start, end, buffer) = await connection.ReadChunkedAsync(buffer, start, end, _stopping.Token).ConfigureAwait(false);
                }
                else if (head.ContentLength > MaxPayloadBytes)
                {
                    tooLarge = true;
                    body = [];
                    (start, end) = await connection.SkipAsync(buffer, start, end, head.ContentLength, _stopping.Token).ConfigureAwait(false);
                }
                else
                {
                    body = head.ContentLength == 0 ? [] : new byte[head.ContentLength];
                    var buffered = Math.Min(end - start, (int)head.ContentLength);
                    buffer.AsSpan(start, buffered).CopyTo(body);
                    start += buffered;
                    var filled = buffered;
                    while (filled < body.Length)
                    {
                        var read = await connection.ReceiveAsync(body.AsMemory(filled), _stopping.Token).ConfigureAwait(false);
                        if (read == 0)
                            return;
                        filled += read;
                    }
                }
                if (start == end)
                    start = end = 0;
                Volatile.Write(ref connection.ReadingSince, 0);

                // A runtime that pipelines (sends its next request right behind this one, as
                // Gatehouse's own runtimes do after a response) has it in the buffer already: its
                // reply can wait and leave together with the next event, in one send.
                if (!await _routes.DispatchAsync(connection, head, body, tooLarge, canHoldReply: end > start, _stopping.Token).ConfigureAwait(false))
                    return;
                if (head.Close)
                {
                    await connection.FlushAsync(_stopping.Token).ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // The runtime went away or the environment is stopping.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            lock (_connections)
                _connections.Remove(connection);
            connection.Socket.Dispose();
        }
    }

    /// <summary>
    /// An incomplete request head that already breaks a limit (so more of it is never read): the reply
    /// that refuses it, else null. Runs only while a head is arriving in pieces.
    /// </summary>
    private static byte[]? CheckPartialHead(ReadOnlySpan<byte> partial)
    {
        var firstLine = partial.IndexOf("\r\n"u8);
        if (firstLine < 0)
            return partial.Length > MaxLineBytes ? RuntimeApiReplies.LineTooLongReply : null;
        var lastLine = partial.LastIndexOf("\r\n"u8);
        if (partial.Length - (lastLine + 2) > MaxLineBytes || partial.Count("\r\n"u8) > MaxHeaderCount + 1 || partial.Length >= MaxHeaderBytes)
            return RuntimeApiReplies.HeadersTooLargeReply;
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
            return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _sweep.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        RuntimeConnection[] open;
        lock (_connections)
            open = [.. _connections];
        foreach (var connection in open)
            connection.Socket.Dispose();
        if (_acceptLoop is not null)
            await _acceptLoop.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
