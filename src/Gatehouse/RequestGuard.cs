using Gatehouse.Core;
using Gatehouse.Core.Security;
using Gatehouse.Protocol.Signing;

namespace Gatehouse;

/// <summary>
/// The first step of every request, before any service sees it:
/// <list type="bullet">
/// <item>a <c>Host</c> Gatehouse does not serve is refused (DNS rebinding: a page whose own name
/// resolves to 127.0.0.1 would otherwise read Gatehouse's answers as same-origin);</item>
/// <item>Gatehouse's own endpoints (<c>/_gatehouse/*</c>: health, reset, the outbox that holds
/// every confirmation and reset code) refuse pages on foreign origins and never answer their
/// preflights;</item>
/// <item>the browser-facing identity endpoints that single-page apps call across origins — a pool's
/// OpenID discovery document and JWKS, and <c>/oauth2/token</c>, <c>/oauth2/userInfo</c>,
/// <c>/oauth2/revoke</c> — answer CORS preflights and carry <c>Access-Control-Allow-Origin</c>, so
/// code + PKCE exchanges, user info and revocation work from the browser as they do against Cognito.</item>
/// </list>
/// In strict mode (<c>--auth sigv4</c>) the outbox and the reset endpoint also need a valid SigV4
/// signature (any service name in its scope), as every signed AWS operation does; health stays open.
/// The HTTP API data plane and the hosted login pages keep their own CORS behaviour.
/// </summary>
internal sealed class RequestGuard
{
    private readonly RequestDelegate _next;
    private readonly ServedHosts _hosts;
    private readonly ISignatureVerifier _verifier;
    private readonly bool _strict;

    public RequestGuard(RequestDelegate next, ServedHosts hosts, ISignatureVerifier verifier, GatehouseOptions options)
    {
        _next = next;
        _hosts = hosts;
        _verifier = verifier;
        _strict = options.Auth == AuthMode.SigV4;
    }

    public Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (!_hosts.IsServedHost(request.Host.Value ?? ""))
            return RefuseAsync(http, "ForbiddenException", "Gatehouse does not serve this host name.");
        var path = request.Path;
        if (path.StartsWithSegments("/_gatehouse", StringComparison.Ordinal))
        {
            if (!_hosts.IsServedOrigin(request.Headers.Origin.ToString()) || IsPreflight(request))
                return RefuseAsync(http, "AccessDeniedException", "Gatehouse's own endpoints refuse web pages on other origins.");
            if (_strict && (path.StartsWithSegments("/_gatehouse/outbox", StringComparison.Ordinal) || path.StartsWithSegments("/_gatehouse/reset", StringComparison.Ordinal)))
                return VerifyThenNextAsync(http);
            return _next(http);
        }
        if (IsCrossOriginIdentityEndpoint(path.Value ?? ""))
        {
            var headers = http.Response.Headers;
            headers.AccessControlAllowOrigin = "*";
            if (IsPreflight(request))
            {
                headers.AccessControlAllowMethods = "GET, POST, OPTIONS";
                var requested = request.Headers.AccessControlRequestHeaders.ToString();
                headers.AccessControlAllowHeaders = requested.Length > 0 ? requested : "Authorization, Content-Type";
                headers.AccessControlMaxAge = "86400";
                http.Response.StatusCode = StatusCodes.Status204NoContent;
                return Task.CompletedTask;
            }
        }
        return _next(http);
    }

    private async Task VerifyThenNextAsync(HttpContext http)
    {
        try
        {
            var authorization = SigV4Authorization.Parse(http.Request.Headers.Authorization) ?? SigV4Authorization.ParseQuery(http.Request.Query)
                ?? throw new AwsException("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted).ConfigureAwait(false);
            await _verifier.VerifyAsync(http, authorization, body.GetBuffer().AsMemory(0, (int)body.Length)).ConfigureAwait(false);
        }
        catch (AwsException error)
        {
            http.Response.StatusCode = error.StatusCode ?? 403;
            http.Response.ContentType = "application/json";
            http.Response.Headers["x-amzn-ErrorType"] = error.Code;
            await http.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = error.Code, ["message"] = error.Message })).ConfigureAwait(false);
            return;
        }
        await _next(http).ConfigureAwait(false);
    }

    private static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey("Access-Control-Request-Method");

    private static bool IsCrossOriginIdentityEndpoint(string path) =>
        path.EndsWith("/.well-known/jwks.json", StringComparison.Ordinal)
        || path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal)
        || path.EndsWith("/oauth2/token", StringComparison.Ordinal)
        || path.EndsWith("/oauth2/userInfo", StringComparison.Ordinal)
        || path.EndsWith("/oauth2/revoke", StringComparison.Ordinal);

    private static Task RefuseAsync(HttpContext http, string code, string message)
    {
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        http.Response.ContentType = "application/json";
        http.Response.Headers["x-amzn-ErrorType"] = code;
        return http.Response.WriteAsync($$"""{"__type":"{{code}}","message":"{{message}}"}""");
    }
}
