using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gatehouse.Functions.Tests;

/// <summary>
/// A small HTTP endpoint on loopback that functions report to (a webhook, as a real function would
/// call one): what arrived tells a test which attempts ran. Functions share the host's network but
/// not its file system, so files are no channel.
/// </summary>
internal sealed class CallbackSink : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<string> _received = new();
    private readonly ConcurrentQueue<TimeSpan> _arrivals = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public CallbackSink()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = ServeAsync();
    }

    public string Url { get; }

    public IReadOnlyList<string> Received => [.. _received];

    /// <summary>When each report arrived, since the sink started (same order as <see cref="Received"/>).</summary>
    public IReadOnlyList<TimeSpan> Arrivals => [.. _arrivals];

    /// <summary>Waits until at least <paramref name="count"/> reports have arrived; false when <paramref name="within"/> passes first.</summary>
    public async Task<bool> WaitForAsync(int count, TimeSpan within)
    {
        var deadline = _clock.Elapsed + within;
        while (_received.Count < count)
        {
            if (_clock.Elapsed >= deadline)
                return false;
            await Task.Delay(25);
        }
        return true;
    }

    /// <summary>Python that posts its argument to the sink named in the event's "callback".</summary>
    public const string PythonReport = """
        import urllib.request
        def report(event, text):
            urllib.request.urlopen(urllib.request.Request(event["callback"], data=text.encode(), method="POST"), timeout=5).read()
        """;

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                var text = await reader.ReadToEndAsync();
                _arrivals.Enqueue(_clock.Elapsed);
                _received.Enqueue(text);
            }
            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}
