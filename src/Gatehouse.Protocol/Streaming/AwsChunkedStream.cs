using System.Globalization;
using System.Text;
using Gatehouse.Core;

namespace Gatehouse.Protocol.Streaming;

/// <summary>
/// Decodes an <c>aws-chunked</c> body as it is read, never holding more than one read buffer:
/// <c>&lt;hex size&gt;[;chunk-signature=…]\r\n&lt;bytes&gt;\r\n</c> … <c>0[;chunk-signature=…]\r\n</c>,
/// then the trailers (<c>x-amz-checksum-crc32:…\r\n</c>, <c>x-amz-trailer-signature:…\r\n</c>) and
/// an empty line
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html,
/// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html).
/// The trailing checksum named by <c>x-amz-trailer</c> is computed over the decoded bytes and
/// checked at the end (a mismatch is S3's BadDigest); a decoded length other than
/// <c>x-amz-decoded-content-length</c> is IncompleteBody. Chunk signatures are not recomputed:
/// the seed signature on the headers is checked by the SigV4 verifier.
/// </summary>
public sealed class AwsChunkedStream : Stream
{
    private const int MaxLine = 4096;
    private readonly Stream _inner;
    private readonly string? _trailer;
    private readonly long? _declaredLength;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private long _chunkLeft;
    private long _decoded;
    private bool _done;
    private PayloadChecksum? _checksum;

    /// <param name="trailer">The <c>x-amz-trailer</c> header (e.g. <c>x-amz-checksum-crc32</c>), if any.</param>
    public AwsChunkedStream(Stream inner, string? trailer, long? declaredLength)
    {
        _inner = inner;
        _trailer = string.IsNullOrWhiteSpace(trailer) ? null : trailer.Trim().ToLowerInvariant();
        _declaredLength = declaredLength;
        if (_trailer is not null && _trailer.StartsWith("x-amz-checksum-", StringComparison.Ordinal))
            _checksum = PayloadChecksum.Create(_trailer["x-amz-checksum-".Length..]);
    }

    /// <summary>The trailing headers, once the body has been read to its end.</summary>
    public Dictionary<string, string> Trailers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _decoded; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (!_done)
        {
            if (_chunkLeft > 0)
            {
                if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                    throw Incomplete();
                var count = (int)Math.Min(Math.Min(_chunkLeft, _end - _start), destination.Length);
                _buffer.AsSpan(_start, count).CopyTo(destination.Span);
                _checksum?.Append(_buffer.AsSpan(_start, count));
                _start += count;
                _chunkLeft -= count;
                _decoded += count;
                if (_chunkLeft == 0)
                {
                    // The CRLF that ends a chunk's data.
                    if ((await ReadLineAsync(cancellationToken).ConfigureAwait(false)).Length != 0)
                        throw Malformed();
                }
                return count;
            }
            var header = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            var semicolon = header.IndexOf(';', StringComparison.Ordinal);
            var hex = semicolon < 0 ? header : header[..semicolon];
            if (!long.TryParse(hex.Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
                throw Malformed();
            if (size == 0)
            {
                await ReadTrailersAsync(cancellationToken).ConfigureAwait(false);
                _done = true;
                Finish();
                break;
            }
            _chunkLeft = size;
        }
        return 0;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private async Task ReadTrailersAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                return; // The signed variant may end right after the last chunk's CRLF.
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line.Length == 0)
                return;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                throw Malformed();
            Trailers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
    }

    private void Finish()
    {
        if (_declaredLength is { } declared && declared != _decoded)
            throw new AwsException("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.", 400);
        if (_trailer is not null && _checksum is not null)
        {
            if (!Trailers.TryGetValue(_trailer, out var sent))
                throw new AwsException("MalformedTrailerError", "The request contained trailing data that was not well-formed or did not conform to our published schema.", 400);
            if (sent != _checksum.Value())
                throw new AwsException("BadDigest", $"The {_checksum.Algorithm} you specified did not match the calculated checksum.", 400);
        }
    }

    /// <summary>The checksum computed from the trailer's algorithm, once read to the end.</summary>
    public string? ComputedChecksum => _done ? _checksum?.Value() : null;

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                throw Incomplete();
            var span = _buffer.AsSpan(_start, _end - _start);
            var newline = span.IndexOf((byte)'\n');
            var take = newline < 0 ? span.Length : newline;
            line.Append(Encoding.ASCII.GetString(span[..take]));
            _start += newline < 0 ? take : take + 1;
            if (line.Length > MaxLine)
                throw Malformed();
            if (newline >= 0)
                return line.Length > 0 && line[^1] == '\r' ? line.ToString(0, line.Length - 1) : line.ToString();
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await _inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        return _end > 0;
    }

    private static AwsException Malformed() =>
        new("InvalidRequest", "The aws-chunked request body is not well-formed.", 400);

    private static AwsException Incomplete() =>
        new("IncompleteBody", "The request body terminated unexpectedly", 400);

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
