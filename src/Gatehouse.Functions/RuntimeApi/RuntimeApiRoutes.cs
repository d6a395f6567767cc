using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Gatehouse.Functions.Invocation;

namespace Gatehouse.Functions.RuntimeApi;

/// <summary>
/// What a runtime's request does, once <see cref="RuntimeApiListener"/> has read it whole: the Runtime
/// API's four routes (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) — GET next, POST
/// response, POST error, POST init/error — handed to the environment, and the event written back with
/// its Lambda-Runtime-* headers.
/// </summary>
internal sealed class RuntimeApiRoutes
{
    private readonly IRuntimeApiHandler _handler;
    // The connection whose GET /next is waiting for an event (at most one: a second is refused).
    private RuntimeConnection? _nextWaiter;

    public RuntimeApiRoutes(IRuntimeApiHandler handler) => _handler = handler;

    /// <summary>Answers one request; false ends the connection.</summary>
    /// <param name="canHoldReply">The next request is already buffered, so a reply may be held back
    /// and sent with the answer to that request (see <see cref="RuntimeConnection.Hold"/>).</param>
    public async ValueTask<bool> DispatchAsync(RuntimeConnection connection, RequestHead head, byte[] body, bool tooLarge, bool canHoldReply, CancellationToken stopping)
    {
        switch (head.Route)
        {
            case Route.Next:
                if (!TryBeginNext(connection))
                {
                    await connection.FlushAsync(stopping).ConfigureAwait(false);
                    await connection.SendAsync(RuntimeApiReplies.NextPendingReply, stopping).ConfigureAwait(false);
                    return true;
                }
                PendingInvocation? invocation;
                try
                {
                    var next = _handler.NextAsync(stopping);
                    if (!next.IsCompleted)
                        await connection.FlushAsync(stopping).ConfigureAwait(false);
                    invocation = await next.ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.CompareExchange(ref _nextWaiter, null, connection);
                }
                if (invocation is null)
                {
                    await connection.FlushAsync(stopping).ConfigureAwait(false);
                    await connection.SendAsync(RuntimeApiReplies.ShuttingDownReply, CancellationToken.None).ConfigureAwait(false);
                    return false;
                }
                await SendEventAsync(connection, invocation, stopping).ConfigureAwait(false);
                return true;
            case Route.Response:
                return await SendReplyAsync(connection, _handler.Respond(head.RequestId!, body, tooLarge), canHoldReply, stopping).ConfigureAwait(false);
            case Route.Error:
                return await SendReplyAsync(connection, tooLarge ? RuntimeReply.PayloadTooLarge : _handler.ReportError(head.RequestId!, body, head.ErrorType), canHoldReply, stopping).ConfigureAwait(false);
            case Route.InitError:
                return await SendReplyAsync(connection, tooLarge ? RuntimeReply.PayloadTooLarge : _handler.ReportInitError(body, head.ErrorType), canHoldReply: false, stopping).ConfigureAwait(false);
            default:
                await connection.FlushAsync(stopping).ConfigureAwait(false);
                await connection.SendAsync(RuntimeApiReplies.NotFoundReply, stopping).ConfigureAwait(false);
                return true;
        }
    }

    /// <summary>
    /// Makes <paramref name="connection"/> the one waiting for the next event. False when another
    /// connection is waiting already: its GET /next keeps the event. A waiter whose runtime has hung
    /// up cannot receive an event, so it gives way (its wait ends with no event).
    /// </summary>
    private bool TryBeginNext(RuntimeConnection connection)
    {
        while (true)
        {
            var waiter = Interlocked.CompareExchange(ref _nextWaiter, connection, null);
            if (waiter is null || waiter == connection)
                return true;
            if (!waiter.IsClosedByPeer())
                return false;
            if (Interlocked.CompareExchange(ref _nextWaiter, null, waiter) == waiter)
                _handler.CancelNext();
        }
    }

    private static async ValueTask<bool> SendReplyAsync(RuntimeConnection connection, RuntimeReply reply, bool canHoldReply, CancellationToken stopping)
    {
        var bytes = reply switch
        {
            RuntimeReply.Accepted => RuntimeApiReplies.AcceptedReply,
            RuntimeReply.InvalidRequestId => RuntimeApiReplies.InvalidRequestIdReply,
            RuntimeReply.PayloadTooLarge => RuntimeApiReplies.TooLargeReply,
            _ => RuntimeApiReplies.InvalidStateReply,
        };
        await connection.FlushAsync(stopping).ConfigureAwait(false);
        if (canHoldReply)
            connection.Hold(bytes);
        else
            await connection.SendAsync(bytes, stopping).ConfigureAwait(false);
        return true;
    }

    private static async ValueTask SendEventAsync(RuntimeConnection connection, PendingInvocation invocation, CancellationToken stopping)
    {
        // A held reply, the headers and a small event go out in one send; a large event follows the head.
        var held = connection.TakeHeld();
        var payload = invocation.Payload;
        var size = held.Length + 512 + invocation.InvokedArn.Length + (invocation.ClientContext?.Length * 3 ?? 0);
        var rented = ArrayPool<byte>.Shared.Rent(size + (payload.Length <= 16 * 1024 ? payload.Length : 0));
        try
        {
            held.CopyTo(rented, 0);
            var written = held.Length + WriteEventHead(rented.AsSpan(held.Length), invocation);
            if (payload.Length <= 16 * 1024)
            {
                payload.Span.CopyTo(rented.AsSpan(written));
                await connection.SendAsync(rented.AsMemory(0, written + payload.Length), stopping).ConfigureAwait(false);
            }
            else
            {
                await connection.SendAsync(rented.AsMemory(0, written), stopping).ConfigureAwait(false);
                await connection.SendAsync(payload, stopping).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int WriteEventHead(Span<byte> target, PendingInvocation invocation)
    {
        var n = 0;
        n += Copy("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: "u8, target[n..]);
        n += Encoding.ASCII.GetBytes(invocation.RequestId, target[n..]);
        n += Copy("\r\nLambda-Runtime-Deadline-Ms: "u8, target[n..]);
        Utf8Formatter.TryFormat(invocation.DeadlineMs, target[n..], out var digits);
        n += digits;
        n += Copy("\r\nLambda-Runtime-Invoked-Function-Arn: "u8, target[n..]);
        n += Encoding.ASCII.GetBytes(invocation.InvokedArn, target[n..]);
        n += Copy("\r\nLambda-Runtime-Trace-Id: Root=1-"u8, target[n..]);
        // A trace id in X-Ray's shape from the request id's hex digits (unique per invocation).
        Utf8Formatter.TryFormat((uint)(invocation.DeadlineMs / 1000), target[n..], out digits, new System.Buffers.StandardFormat('x', 8));
        n += digits;
        target[n++] = (byte)'-';
        foreach (var c in invocation.RequestId)
        {
            if (c != '-' && n < target.Length)
                target[n++] = (byte)c;
        }
        n -= 8; // 24 hex digits after the time, as X-Ray has
        n += Copy(";Sampled=0"u8, target[n..]);
        if (invocation.ClientContext is { } clientContext)
        {
            n += Copy("\r\nLambda-Runtime-Client-Context: "u8, target[n..]);
            n += Encoding.UTF8.GetBytes(clientContext, target[n..]);
        }
        n += Copy("\r\nContent-Length: "u8, target[n..]);
        Utf8Formatter.TryFormat(invocation.Payload.Length, target[n..], out digits);
        n += digits;
        n += Copy("\r\n\r\n"u8, target[n..]);
        return n;
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> target)
    {
        source.CopyTo(target);
        return source.Length;
    }
}
