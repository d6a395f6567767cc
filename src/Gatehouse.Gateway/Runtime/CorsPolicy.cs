using Gatehouse.Gateway.Model;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Gateway.Runtime;

/// <summary>
/// An API's CORS configuration, compiled: API Gateway answers preflight requests itself and, for
/// other requests from an allowed origin, sets the CORS headers on the response in place of any
/// the integration returned.
/// </summary>
internal sealed class CorsPolicy
{
    private readonly HashSet<string> _origins;
    private readonly bool _anyOrigin;
    private readonly bool _anyHeader;
    private readonly string? _methods;
    private readonly string? _headers;
    private readonly string? _expose;
    private readonly string? _maxAge;
    private readonly bool _credentials;

    public CorsPolicy(CorsConfiguration configuration)
    {
        _origins = new HashSet<string>(configuration.AllowOrigins.Where(o => o != "*"), StringComparer.OrdinalIgnoreCase);
        _anyOrigin = configuration.AllowOrigins.Contains("*");
        _anyHeader = configuration.AllowHeaders.Contains("*");
        _methods = configuration.AllowMethods.IsEmpty ? null : string.Join(',', configuration.AllowMethods);
        _headers = configuration.AllowHeaders.IsEmpty ? null : string.Join(',', configuration.AllowHeaders);
        _expose = configuration.ExposeHeaders.IsEmpty ? null : string.Join(',', configuration.ExposeHeaders);
        _maxAge = configuration.MaxAge?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _credentials = configuration.AllowCredentials == true;
    }

    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method)
        && request.Headers.ContainsKey("Origin")
        && request.Headers.ContainsKey("Access-Control-Request-Method");

    private string? AllowedOrigin(string origin) =>
        origin.Length == 0 ? null : _origins.Contains(origin) ? origin : _anyOrigin ? "*" : null;

    /// <summary>Answers a preflight request: 204, with CORS headers when the origin is allowed.</summary>
    public void WritePreflight(HttpContext http)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status204NoContent;
        var origin = AllowedOrigin(http.Request.Headers.Origin.ToString());
        if (origin is null)
            return;
        response.Headers.AccessControlAllowOrigin = origin;
        if (_credentials)
            response.Headers.AccessControlAllowCredentials = "true";
        if (_methods is not null)
            response.Headers.AccessControlAllowMethods = _methods;
        // "*" is echoed as the headers actually asked for, which also works for credentialed requests.
        var requested = http.Request.Headers.AccessControlRequestHeaders.ToString();
        var headers = _anyHeader && requested.Length > 0 ? requested : _headers;
        if (headers is not null)
            response.Headers.AccessControlAllowHeaders = headers;
        if (_expose is not null)
            response.Headers.AccessControlExposeHeaders = _expose;
        if (_maxAge is not null)
            response.Headers.AccessControlMaxAge = _maxAge;
        if (origin != "*")
            response.Headers.Vary = "Origin";
    }

    /// <summary>Replaces the integration's CORS headers with the configured ones (call just before the response starts).</summary>
    public void ApplyTo(HttpContext http)
    {
        var headers = http.Response.Headers;
        foreach (var name in headers.Keys.Where(k => k.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)).ToList())
            headers.Remove(name);
        var origin = AllowedOrigin(http.Request.Headers.Origin.ToString());
        if (origin is null)
            return;
        headers.AccessControlAllowOrigin = origin;
        if (_credentials)
            headers.AccessControlAllowCredentials = "true";
        if (_expose is not null)
            headers.AccessControlExposeHeaders = _expose;
        if (origin != "*")
            headers.Append("Vary", "Origin");
    }
}
