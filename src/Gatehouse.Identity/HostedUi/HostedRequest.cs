using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.Core.Security;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.OAuth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

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

    public HostedRequest(HttpContext http, IdentityState identity, OAuthGrants grants, PoolState state, string domain, string basePath, byte[] csrfKey)
    {
        Http = http;
        Identity = identity;
        Grants = grants;
        State = state;
        Domain = domain;
        BasePath = basePath;
        CsrfKey = csrfKey;
    }

    public HttpContext Http { get; }
    public IdentityState Identity { get; }
    public OAuthGrants Grants { get; }
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
            cookie = Secrets.NewToken();
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

    /// <summary>
    /// The limits a posted form is read with: the framework's defaults for fields, names and values,
    /// and no multipart section longer than a value (a sign-in form carries no files).
    /// </summary>
    private static readonly FormOptions FormLimits = new()
    {
        ValueCountLimit = 1024,
        KeyLengthLimit = 2048,
        ValueLengthLimit = 4 * 1024 * 1024,
        MultipartBodyLengthLimit = 4 * 1024 * 1024,
    };

    /// <summary>
    /// The posted form. <c>Form</c> is null when the request is no form post; <c>Unreadable</c> is
    /// true when it claims to be one but the body cannot be read (a NUL or a broken escape, too many
    /// fields, a name or value over the limits, broken multipart, a body that ends early) — a client
    /// error, answered with a 400 by the caller, never a 500.
    /// </summary>
    public async Task<(IFormCollection? Form, bool Unreadable)> ReadFormAsync()
    {
        if (!HttpMethods.IsPost(Http.Request.Method) || !Http.Request.HasFormContentType)
            return (null, false);
        try
        {
            return (await Http.Request.ReadFormAsync(FormLimits, Http.RequestAborted).ConfigureAwait(false), false);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            return (null, true);
        }
    }
}
