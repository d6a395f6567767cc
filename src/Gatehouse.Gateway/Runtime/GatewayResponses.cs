using Microsoft.AspNetCore.Http;

namespace Gatehouse.Gateway.Runtime;

/// <summary>The responses API Gateway itself generates, in one place: status, body and extra headers.</summary>
internal enum GatewayResponse
{
    BadRequest,
    NotFound,
    Unauthorized,
    Forbidden,
    RequestTimeout,
    TooManyRequests,
    RequestTooLarge,
    InternalServerError,
    ServiceUnavailable,
    GatewayTimeout,
    BadGateway,
}

internal static class GatewayResponses
{
    public static (int Status, byte[] Body) Describe(GatewayResponse response) => response switch
    {
        GatewayResponse.BadRequest => (400, """{"message":"Bad Request"}"""u8.ToArray()),
        GatewayResponse.NotFound => (404, """{"message":"Not Found"}"""u8.ToArray()),
        GatewayResponse.Unauthorized => (401, """{"message":"Unauthorized"}"""u8.ToArray()),
        GatewayResponse.Forbidden => (403, """{"message":"Forbidden"}"""u8.ToArray()),
        GatewayResponse.RequestTimeout => (408, """{"message":"Request Timeout"}"""u8.ToArray()),
        GatewayResponse.TooManyRequests => (429, """{"message":"Too Many Requests"}"""u8.ToArray()),
        GatewayResponse.RequestTooLarge => (413, """{"message":"Request Entity Too Large"}"""u8.ToArray()),
        GatewayResponse.ServiceUnavailable => (503, """{"message":"Service Unavailable"}"""u8.ToArray()),
        GatewayResponse.GatewayTimeout => (504, """{"message":"Gateway Timeout"}"""u8.ToArray()),
        GatewayResponse.BadGateway => (502, """{"message":"Bad Gateway"}"""u8.ToArray()),
        _ => (500, """{"message":"Internal Server Error"}"""u8.ToArray()),
    };

    /// <summary>A body Kestrel could not deliver (<see cref="Core.UnreadableBody"/>) as the gateway answers it.</summary>
    public static GatewayResponse UnreadableBody(HttpContext http, BadHttpRequestException error)
    {
        var body = Core.UnreadableBody.Of(error);
        if (body.ClosesConnection)
            http.Response.Headers.Connection = "close";
        return body.Status switch
        {
            StatusCodes.Status413PayloadTooLarge => GatewayResponse.RequestTooLarge,
            StatusCodes.Status408RequestTimeout => GatewayResponse.RequestTimeout,
            _ => GatewayResponse.BadRequest,
        };
    }

    public static Task WriteAsync(HttpContext http, GatewayResponse response, string? wwwAuthenticate = null)
    {
        if (http.Response.HasStarted)
            return Task.CompletedTask;
        var (status, body) = Describe(response);
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = body.Length;
        if (wwwAuthenticate is not null)
            http.Response.Headers.WWWAuthenticate = wwwAuthenticate;
        return http.Response.Body.WriteAsync(body).AsTask();
    }

    /// <summary>The <c>www-authenticate</c> challenge for a refused token (AWS documents the audience wording).</summary>
    public static string Challenge(JwtFailure failure, string? algorithm) => failure switch
    {
        JwtFailure.Missing => "Bearer",
        JwtFailure.InvalidAudience => Invalid("the token does not have a valid audience"),
        JwtFailure.InvalidIssuer => Invalid("the token does not have a valid issuer"),
        JwtFailure.Expired => Invalid("the token has expired"),
        JwtFailure.NotYetValid => Invalid("the token is not valid yet"),
        JwtFailure.UnsupportedAlgorithm => Invalid($"signing method {Sanitize(algorithm)} is invalid"),
        JwtFailure.UnknownKey => Invalid("the token's key id does not match a key of the issuer"),
        JwtFailure.IssuerUnreachable => Invalid("the issuer's signing keys could not be retrieved"),
        JwtFailure.BadSignature => Invalid("the token signature is invalid"),
        _ => Invalid("the token is malformed"),
    };

    private static string Invalid(string description) => $"Bearer scope=\"\" error=\"invalid_token\" error_description=\"{description}\"";

    // The algorithm comes from the caller: keep it to a short plain word inside a quoted header value.
    private static string Sanitize(string? text) =>
        text is null ? "" : new string(text.Take(16).Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').ToArray());

    /// <summary>An API Gateway request id: 16 base64 characters, like <c>Mc7UVioPPHcEKPA=</c>.</summary>
    /// <remarks>Ids must be unique, not secret: the fast shared generator is enough, and cheaper than the OS's.</remarks>
    public static string NewRequestId()
    {
        Span<byte> bytes = stackalloc byte[11];
        Random.Shared.NextBytes(bytes);
        return Convert.ToBase64String(bytes);
    }
}
