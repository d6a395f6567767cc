using System.Text;
using Gatehouse.Core;

namespace Gatehouse;

/// <summary>
/// HTTP/1.1 framing rules, before anything else sees a request, and the last word on bodies
/// Kestrel cannot deliver:
/// <list type="bullet">
/// <item><c>CONNECT</c> is refused: Gatehouse is no proxy (RFC 9110 §9.3.6 lets a server refuse it).</item>
/// <item>A request with both <c>Transfer-Encoding</c> and <c>Content-Length</c> is refused: RFC 9112
/// §6.3 calls it a possible request-smuggling attempt that "ought to be handled as an error", and
/// the connection is closed after the answer. Kestrel hands such a request on with the
/// Content-Length moved to <c>X-Content-Length</c>.</item>
/// <item>A <see cref="BadHttpRequestException"/> from a body read that no endpoint answered itself
/// (a stalled body, a bad chunk, a body over the limit) becomes its 408, 400 or 413 and closes the
/// connection, with one log line and no stack trace: a client error is not a server fault.</item>
/// </list>
/// Answers are AWS-shaped JSON errors (<c>__type</c>, <c>message</c> and <c>x-amzn-ErrorType</c>).
/// </summary>
internal sealed partial class HttpFraming
{
    private readonly RequestDelegate _next;
    private readonly ILogger<HttpFraming> _logger;

    public HttpFraming(RequestDelegate next, ILogger<HttpFraming> logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (HttpMethods.IsConnect(request.Method))
        {
            await RefuseAsync(http, 400, "BadRequestException", "Gatehouse does not answer CONNECT: it is not a proxy.").ConfigureAwait(false);
            return;
        }
        if (request.Headers.TransferEncoding.Count > 0 && (request.Headers.ContentLength is not null || request.Headers.ContainsKey("X-Content-Length")))
        {
            await RefuseAsync(http, 400, "BadRequestException", "A request must not carry both Transfer-Encoding and Content-Length.").ConfigureAwait(false);
            return;
        }
        try
        {
            await _next(http).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            LogUnreadableBody(_logger, request.Method, e.StatusCode, http.TraceIdentifier);
            var body = UnreadableBody.Of(e);
            var code = body.Status switch
            {
                StatusCodes.Status408RequestTimeout => "RequestTimeoutException",
                StatusCodes.Status413PayloadTooLarge => "RequestEntityTooLargeException",
                _ => "BadRequestException",
            };
            await RefuseAsync(http, body.Status, code, body.Message).ConfigureAwait(false);
        }
    }

    private static Task RefuseAsync(HttpContext http, int status, string code, string message)
    {
        if (http.Response.HasStarted)
            return Task.CompletedTask;
        http.Response.Clear();
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.Headers["x-amzn-RequestId"] = AwsIds.NewRequestId();
        http.Response.Headers["x-amzn-ErrorType"] = code;
        // The rest of the connection cannot be trusted to hold the next request.
        http.Response.Headers.Connection = "close";
        var body = Encoding.UTF8.GetBytes($$"""{"__type":"{{code}}","message":"{{message}}"}""");
        http.Response.ContentLength = body.Length;
        return http.Response.Body.WriteAsync(body).AsTask();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Unreadable {Method} request body answered with {Status} (request {RequestId})")]
    private static partial void LogUnreadableBody(ILogger logger, string method, int status, string requestId);
}
