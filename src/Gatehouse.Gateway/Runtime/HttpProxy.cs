using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Gateway.Runtime;

/// <summary>
/// The HTTP_PROXY integration: forwards method, path, query, headers and body to the integration
/// URL and streams the answer back. No time limit applies once the response headers have arrived;
/// waiting longer than the integration's timeout for them is a 504.
/// </summary>
internal sealed class HttpProxy : IDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
    };

    // The gateway's own request id and Date win over anything a backend sends under those names.
    private static readonly HashSet<string> NotCopiedBack = new(HopByHop, StringComparer.OrdinalIgnoreCase) { "apigw-requestid", "Date" };

    private readonly HttpMessageInvoker _client;

    public HttpProxy(HttpMessageHandler? handler = null)
    {
        _client = new HttpMessageInvoker(handler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            // Forward the client's headers only: no traceparent of the server's own.
            ActivityHeadersPropagator = null,
        });
    }

    public async Task<GatewayResponse?> ForwardAsync(GatewayRequest request, HttpIntegrationRuntime integration, Uri target, RequestParameterRules.Applied mapped, CancellationToken aborted)
    {
        var http = request.Http;
        var method = integration.Method ?? http.Request.Method;
        using var message = new HttpRequestMessage(new HttpMethod(method), target);
        var hasBody = http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0
            || (http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? false);
        if (hasBody)
            message.Content = new StreamContent(http.Request.Body);

        foreach (var (name, values) in mapped.Headers)
        {
            if (HopByHop.Contains(name))
                continue;
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
        if (http.Request.ContentLength is { } length && message.Content is not null)
            message.Content.Headers.ContentLength = length;
        message.Headers.TryAddWithoutValidation("X-Forwarded-For", request.SourceIp);
        message.Headers.TryAddWithoutValidation("X-Forwarded-Proto", http.Request.Scheme);
        message.Headers.TryAddWithoutValidation("X-Forwarded-Port", http.Connection.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(integration.Timeout);
        HttpResponseMessage response;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            response = await _client.SendAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            request.IntegrationError = "The integration did not answer within its timeout.";
            return GatewayResponse.GatewayTimeout;
        }
        catch (HttpRequestException error) when (ClientBodyFailure(error) is { } unreadable)
        {
            // The client's body broke while it was streamed on (a bad chunk, a stall): the client's fault, not the integration's.
            request.IntegrationError = "The request body could not be read.";
            return GatewayResponses.UnreadableBody(http, unreadable);
        }
        catch (HttpRequestException error)
        {
            request.IntegrationError = "Could not reach the integration endpoint: " + error.HttpRequestError;
            return GatewayResponse.InternalServerError;
        }
        using (response)
        {
            request.IntegrationStatus = (int)response.StatusCode;
            request.IntegrationLatencyMs = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            http.Response.StatusCode = (int)response.StatusCode;
            CopyHeaders(response.Headers, http.Response.Headers);
            CopyHeaders(response.Content.Headers, http.Response.Headers);
            if (response.Content.Headers.ContentLength is { } responseLength)
                http.Response.ContentLength = responseLength;
            // Stream the body as it arrives: a large or slow answer is never buffered whole.
            await using var body = await response.Content.ReadAsStreamAsync(aborted).ConfigureAwait(false);
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = await body.ReadAsync(buffer, aborted).ConfigureAwait(false)) > 0)
                {
                    await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), aborted).ConfigureAwait(false);
                    await http.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
                    request.ResponseLength += read;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
            return null;
        }
    }

    /// <summary>
    /// The backend's header lines as they came: the raw values, not HttpClient's parsed forms (which
    /// split <c>Server: nginx/1.2 (Ubuntu)</c> at spaces and reorder <c>Cache-Control</c>).
    /// </summary>
    private static void CopyHeaders(HttpHeaders from, IHeaderDictionary to)
    {
        foreach (var (name, values) in from.NonValidated)
        {
            if (NotCopiedBack.Contains(name))
                continue;
            if (values.Count == 1)
            {
                to[name] = values.ToString();
                continue;
            }
            var all = new string[values.Count];
            var i = 0;
            foreach (var value in values)
                all[i++] = value;
            to[name] = all;
        }
    }

    private static BadHttpRequestException? ClientBodyFailure(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is BadHttpRequestException bad)
                return bad;
        }
        return null;
    }

    public void Dispose() => _client.Dispose();
}
