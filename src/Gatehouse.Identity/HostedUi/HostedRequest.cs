using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.Identity.Model;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Identity.HostedUi;

internal static class HostedUiPaths
{
    /// <summary>Path-style address of a domain: <c>/_aws/auth/{prefix}/…</c> (mirrors the gateway's <c>/_aws/execute-api/{apiId}/…</c>).</summary>
    public const string PathPrefix = "/_aws/auth/";

    /// <summary>The label between a prefix and the public host: <c>{prefix}.auth.localhost</c>.</summary>
    public const string HostLabel = ".auth.";

    public static bool TryGetDomainFromHost(string host, out string prefix)
    {
        var index = host.IndexOf(HostLabel, StringComparison.OrdinalIgnoreCase);
        prefix = index > 0 ? host[..index].ToLowerInvariant() : "";
        return index > 0;
    }
}

/// <summary>One request to a domain's hosted endpoints: the pool, and the base path its links and cookies use.</summary>
internal sealed class HostedRequest
{
    public const string SessionCookie = "gatehouse-session";
    public const string CsrfCookie = "gatehouse-csrf";

    public HostedRequest(HttpContext http, IdentityService service, PoolState state, string domain, string basePath, byte[] csrfKey)
    {
        Http = http;
        Service = service;
        State = state;
        Domain = domain;
        BasePath = basePath;
        CsrfKey = csrfKey;
    }

    public HttpContext Http { get; }
    public IdentityService Service { get; }
    public PoolState State { get; }
    public string Domain { get; }

    /// <summary>"" when Host-routed, "/_aws/auth/{prefix}" when path-style.</summary>
    public string BasePath { get; }

    private byte[] CsrfKey { get; }

    public string Path(string path) => BasePath + path;

    private CookieOptions Cookie(TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = Http.Request.IsHttps,
        Path = BasePath.Length == 0 ? "/" : BasePath + "/",
        MaxAge = maxAge,
    };

    public string? SessionId => Http.Request.Cookies[SessionCookie];

    public void SetSession(string id) => Http.Response.Cookies.Append(SessionCookie, id, Cookie(OAuth.HostedSessions.Lifetime));

    public void ClearSession() => Http.Response.Cookies.Delete(SessionCookie, Cookie(null));

    /// <summary>
    /// The form token for this browser: HMAC of a random value kept in an HttpOnly cookie (created
    /// when missing). A cross-site page can make the browser send the cookie but cannot read it, so
    /// it cannot produce the matching form field.
    /// </summary>
    public string CsrfToken()
    {
        var cookie = Http.Request.Cookies[CsrfCookie];
        if (cookie is null || cookie.Length < 32)
        {
            cookie = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            Http.Response.Cookies.Append(CsrfCookie, cookie, Cookie(null));
        }
        return Sign(cookie);
    }

    public bool CsrfValid(IFormCollection form)
    {
        var cookie = Http.Request.Cookies[CsrfCookie];
        var given = form["_csrf"].ToString();
        if (cookie is null || given.Length == 0)
            return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(cookie)), Encoding.ASCII.GetBytes(given));
    }

    private string Sign(string value) => Base64Url.EncodeToString(HMACSHA256.HashData(CsrfKey, Encoding.UTF8.GetBytes(Domain + "\0" + value)));

    /// <summary>Secrets and one-time values must not be cached or leak through Referer.</summary>
    public void NoStore()
    {
        Http.Response.Headers.CacheControl = "no-store";
        Http.Response.Headers.Pragma = "no-cache";
    }

    public void Redirect(string location)
    {
        NoStore();
        Http.Response.Headers["Referrer-Policy"] = "no-referrer";
        Http.Response.StatusCode = StatusCodes.Status302Found;
        Http.Response.Headers.Location = location;
    }

    public async Task<IFormCollection?> ReadFormAsync()
    {
        if (!HttpMethods.IsPost(Http.Request.Method) || !Http.Request.HasFormContentType)
            return null;
        return await Http.Request.ReadFormAsync(Http.RequestAborted).ConfigureAwait(false);
    }
}
