using Microsoft.AspNetCore.Http;

namespace Gatehouse.Core;

/// <summary>
/// The answer to a request body Kestrel could not deliver (a <see cref="BadHttpRequestException"/> from
/// a body read): over the size limit (413), too slow for the minimum data rate (408), or framing it
/// cannot parse — a bad chunk, a body that ends early (400). The protocol layer, the data plane and
/// the framing middleware each write it in their own shape; the decision and its wording are here.
/// </summary>
public readonly record struct UnreadableBody(int Status, string Message)
{
    public static UnreadableBody Of(BadHttpRequestException error) => error.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => new(413, "The request body is too large."),
        StatusCodes.Status408RequestTimeout => new(408, "The request body did not arrive in time."),
        _ => new(400, "The request body could not be read: its Content-Length or chunked encoding is malformed."),
    };

    /// <summary>After a timeout or broken framing the connection cannot carry another request, so it is closed.</summary>
    public bool ClosesConnection => Status != StatusCodes.Status413PayloadTooLarge;
}
