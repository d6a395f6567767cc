using System.Buffers;
using System.Buffers.Text;
using System.Net.Sockets;

namespace Gatehouse.Functions.RuntimeApi;

/// <summary>
/// One runtime connection. It may hold back one small reply while the runtime's next request,
/// already received, is answered, so both leave in one send; anything that sends or waits for the
/// runtime flushes it first, so a held reply never waits on the runtime.
/// </summary>
internal sealed class RuntimeConnection(Socket socket)
{
    private byte[]? _held;

    /// <summary>When the connection began waiting for a request (Environment.TickCount64), 0 while one is served.</summary>
    public long ReadingSince;

    public Socket Socket { get; } = socket;

    /// <summary>Whether a request on it carried the secret (it is the runtime's own).</summary>
    public volatile bool Authenticated;

    /// <summary>Whether the runtime has closed its side (or the socket is gone); never blocks.</summary>
    public bool IsClosedByPeer()
    {
        try
        {
            return Socket.Poll(0, SelectMode.SelectRead) && Socket.Available == 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    /// <summary>Keeps a reply back; the caller has flushed any earlier one.</summary>
    public void Hold(byte[] reply) => _held = reply;

    public byte[] TakeHeld()
    {
        var held = _held ?? [];
        _held = null;
        return held;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) =>
        _held is null ? ValueTask.CompletedTask : SendAsync(ReadOnlyMemory<byte>.Empty, cancellationToken);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (_held is { } held)
        {
            _held = null;
            await Socket.SendAsync(held, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        if (!bytes.IsEmpty)
            await Socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await Socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
    }

    // Reading request bodies: a buffer that grows only as far as a request head may need, chunked
    // bodies within the payload cap, and skipping what is over it.

    public async Task<(int Start, int End)> SkipAsync(byte[] buffer, int start, int end, long length, CancellationToken cancellationToken)
    {
        var buffered = Math.Min(end - start, length);
        start += (int)buffered;
        length -= buffered;
        while (length > 0)
        {
            var read = await ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                throw new IOException("The runtime closed the connection mid-body.");
            length -= read;
        }
        return start == end ? (0, 0) : (start, end);
    }

    public async Task<(byte[] Body, bool TooLarge, int Start, int End, byte[] Buffer)> ReadChunkedAsync(byte[] buffer, int start, int end, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>(4096);
        var tooLarge = false;
        while (true)
        {
            // Chunk size line.
            int lineEnd;
            while ((lineEnd = buffer.AsSpan(start, end - start).IndexOf("\r\n"u8)) < 0)
                (start, end, buffer) = await FillLineAsync(buffer, start, end, cancellationToken).ConfigureAwait(false);
            var sizeText = buffer.AsSpan(start, lineEnd);
            var semicolon = sizeText.IndexOf((byte)';');
            if (semicolon >= 0)
                sizeText = sizeText[..semicolon];
            if (!Utf8Parser.TryParse(sizeText, out long size, out _, 'x') || size < 0)
                throw new IOException("Malformed chunk size.");
            start += lineEnd + 2;
            if (size == 0)
            {
                // Trailers end with an empty line.
                var trailers = 0;
                while (true)
                {
                    while ((lineEnd = buffer.AsSpan(start, end - start).IndexOf("\r\n"u8)) < 0)
                        (start, end, buffer) = await FillLineAsync(buffer, start, end, cancellationToken).ConfigureAwait(false);
                    start += lineEnd + 2;
                    if (lineEnd == 0)
                        break;
                    if (++trailers > RuntimeApiListener.MaxHeaderCount)
                        throw new IOException("Too many trailer lines.");
                }
                return (tooLarge ? [] : body.WrittenSpan.ToArray(), tooLarge, start == end ? 0 : start, start == end ? 0 : end, buffer);
            }
            var remaining = size + 2; // data and its CRLF
            while (remaining > 0)
            {
                if (start == end)
                    (start, end, buffer) = await FillAsync(buffer, start, end, cancellationToken).ConfigureAwait(false);
                var take = (int)Math.Min(end - start, remaining);
                var data = (int)Math.Min(take, Math.Max(0, remaining - 2));
                if (!tooLarge && data > 0)
                {
                    if (body.WrittenCount + data > RuntimeApiListener.MaxPayloadBytes)
                        tooLarge = true;
                    else
                        body.Write(buffer.AsSpan(start, data));
                }
                start += take;
                remaining -= take;
            }
        }
    }

    /// <summary>Reads more of a line (chunk size or trailer) that must fit in <see cref="RuntimeApiListener.MaxLineBytes"/>.</summary>
    public Task<(int Start, int End, byte[] Buffer)> FillLineAsync(byte[] buffer, int start, int end, CancellationToken cancellationToken) =>
        end - start > RuntimeApiListener.MaxLineBytes
            ? throw new IOException("A chunk-size or trailer line is too long.")
            : FillAsync(buffer, start, end, cancellationToken);

    /// <summary>Reads more into the buffer, which never grows beyond what a request head may need.</summary>
    public async Task<(int Start, int End, byte[] Buffer)> FillAsync(byte[] buffer, int start, int end, CancellationToken cancellationToken)
    {
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buffer.Length)
        {
            if (buffer.Length > 2 * RuntimeApiListener.MaxHeaderBytes)
                throw new IOException("The request does not fit the Runtime API's buffer.");
            var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
            Buffer.BlockCopy(buffer, 0, bigger, 0, end);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = bigger;
        }
        var read = await ReceiveAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
            throw new IOException("The runtime closed the connection mid-body.");
        return (start, end + read, buffer);
    }
}
