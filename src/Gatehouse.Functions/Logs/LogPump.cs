using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Text;

namespace Gatehouse.Functions.Logs;

/// <summary>
/// Reads a runtime's combined stdout/stderr line by line and keeps platform lines (START, END,
/// REPORT) in order with them. A runtime flushes its output before it posts a response, but that
/// output may still sit in the pipe when the response arrives; so a platform line is written only
/// once the pump has consumed every byte that was in the pipe at that moment (FIONREAD tells how
/// many). When the pipe is already drained — the usual case — the line is written at once.
/// </summary>
internal sealed partial class LogPump
{
    private const int FIONREAD = 0x541B;

    private readonly Stream _stream;
    private readonly int _fd;
    private readonly Action<string> _line;
    private readonly Lock _gate = new();
    private readonly Queue<(long Target, Action Emit)> _markers = new();
    private readonly MemoryStream _partial = new();
    private long _consumed;
    private bool _ended;

    public LogPump(Stream stream, Action<string> line)
    {
        _stream = stream;
        _line = line;
        _fd = stream is PipeStream pipe ? (int)pipe.SafePipeHandle.DangerousGetHandle() : -1;
        Completion = Task.Run(ReadLoopAsync);
    }

    /// <summary>Finishes when the runtime's output ends (the process and its children exited).</summary>
    public Task Completion { get; }

    /// <summary>Runs <paramref name="emit"/> after everything the runtime has written so far is logged.</summary>
    public void AtBoundary(Action emit)
    {
        lock (_gate)
        {
            var pending = _ended ? 0 : Pending();
            if (pending == 0 && _markers.Count == 0)
            {
                FlushPartial();
                emit();
                return;
            }
            _markers.Enqueue((_consumed + pending, emit));
        }
    }

    private int Pending()
    {
        if (_fd < 0)
            return 0;
        return Ioctl(_fd, FIONREAD, out var count) == 0 ? count : 0;
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(buffer).ConfigureAwait(false);
                if (read == 0)
                    break;
                lock (_gate)
                {
                    Consume(buffer.AsSpan(0, read));
                    _consumed += read;
                    RunMarkers(ended: false);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The process is gone; what was read is logged.
        }
        lock (_gate)
        {
            _ended = true;
            FlushPartial();
            RunMarkers(ended: true);
        }
    }

    private void RunMarkers(bool ended)
    {
        while (_markers.TryPeek(out var marker) && (ended || marker.Target <= _consumed))
        {
            _markers.Dequeue();
            FlushPartial();
            marker.Emit();
        }
    }

    private void Consume(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _partial.Write(data);
                // A runaway line without newlines is cut into pieces rather than held forever.
                if (_partial.Length > 256 * 1024)
                    FlushPartial();
                return;
            }
            var piece = data[..newline];
            if (_partial.Length > 0)
            {
                _partial.Write(piece);
                Emit(_partial.GetBuffer().AsSpan(0, (int)_partial.Length));
                _partial.SetLength(0);
            }
            else
            {
                Emit(piece);
            }
            data = data[(newline + 1)..];
        }
    }

    private void FlushPartial()
    {
        if (_partial.Length == 0)
            return;
        Emit(_partial.GetBuffer().AsSpan(0, (int)_partial.Length));
        _partial.SetLength(0);
    }

    private void Emit(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
            line = line[..^1];
        _line(Encoding.UTF8.GetString(line));
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, out int count);

    private static int Ioctl(int fd, int request, out int count) => Ioctl(fd, (nuint)request, out count);
}
