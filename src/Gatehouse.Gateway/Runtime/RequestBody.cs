using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Gateway.Runtime;

/// <summary>Reads a data-plane request's body whole, within API Gateway's payload limit.</summary>
internal static class RequestBody
{
    /// <summary>API Gateway's payload limit, 10 MB ("Quotas for HTTP APIs", https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).</summary>
    public const int MaxBodyBytes = 10 * 1024 * 1024;

    /// <summary>The whole request body; or the refusal when it is over API Gateway's 10 MB limit or cannot be read.</summary>
    public static async Task<(ReadOnlyMemory<byte> Body, GatewayResponse? Refusal)> ReadAsync(HttpContext http)
    {
        try
        {
            return await ReadWholeBodyAsync(http).ConfigureAwait(false) is { } body ? (body, null) : (default, GatewayResponse.RequestTooLarge);
        }
        catch (BadHttpRequestException e)
        {
            return (default, GatewayResponses.UnreadableBody(http, e));
        }
    }

    private static async Task<ReadOnlyMemory<byte>?> ReadWholeBodyAsync(HttpContext http)
    {
        var declared = http.Request.ContentLength;
        if (declared is 0)
            return ReadOnlyMemory<byte>.Empty;
        if (declared > MaxBodyBytes)
            return null;
        // Most requests to an API (GET) have no body at all: Kestrel says so without a read.
        if (declared is null)
        {
            var detection = http.Features.Get<IHttpRequestBodyDetectionFeature>();
            if (detection is { CanHaveBody: false })
                return ReadOnlyMemory<byte>.Empty;
            // Without the feature: HTTP/1.x has a body only with Content-Length or Transfer-Encoding.
            if (detection is null && (HttpProtocol.IsHttp11(http.Request.Protocol) || HttpProtocol.IsHttp10(http.Request.Protocol))
                && !http.Request.Headers.ContainsKey("Transfer-Encoding"))
                return ReadOnlyMemory<byte>.Empty;
        }
        var buffer = new ArrayBufferWriter<byte>((int)(declared ?? 256));
        while (true)
        {
            var memory = buffer.GetMemory(declared is null ? 4096 : 1);
            var read = await http.Request.Body.ReadAsync(memory, http.RequestAborted).ConfigureAwait(false);
            if (read == 0)
                break;
            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBodyBytes)
                return null;
            // Kestrel enforces the declared length, so reaching it is the end.
            if (buffer.WrittenCount == declared)
                break;
        }
        return buffer.WrittenMemory;
    }
}
