using System.Net;

namespace Gatehouse.Core.Security;

/// <summary>
/// The host names Gatehouse answers to. A web page can point a name it controls at 127.0.0.1 (DNS
/// rebinding) and then read Gatehouse's answers as same-origin; refusing every Host that is not one
/// of these names closes that door. Served: IP literals (rebinding needs a name), <c>localhost</c>
/// and any <c>*.localhost</c> name (RFC 6761 keeps them on loopback; the API hosts
/// <c>{apiId}.execute-api.localhost</c> and login hosts <c>{prefix}.auth.localhost</c> are such
/// names), AWS's own <c>*.amazonaws.com</c> names (for clients pointed at Gatehouse through a hosts
/// file), and the host of the configured public URL with its subdomains.
/// </summary>
public sealed class ServedHosts
{
    private readonly string? _publicHost;

    public ServedHosts(GatehouseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PublicUrl is not null && Uri.TryCreate(options.PublicUrl, UriKind.Absolute, out var url))
            _publicHost = url.Host.ToLowerInvariant();
    }

    /// <summary>Whether a Host header value (name, optional port) names Gatehouse. An empty Host (HTTP/1.0) is let through.</summary>
    public bool IsServedHost(string hostHeader)
    {
        if (hostHeader.Length == 0)
            return true;
        return IsServedName(StripPort(hostHeader));
    }

    /// <summary>Whether an <c>Origin</c> header names a page served from a host Gatehouse answers to (loopback pages, the public URL).</summary>
    public bool IsServedOrigin(string origin)
    {
        if (origin.Length == 0)
            return true;
        // "null" is the origin of sandboxed frames and file: pages — not a page of ours.
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            return false;
        return IsServedName(url.Host);
    }

    private bool IsServedName(string host)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        if (host.Length == 0)
            return false;
        if (host.StartsWith('[') && host.EndsWith(']'))
            return IPAddress.TryParse(host[1..^1], out _);
        if (IPAddress.TryParse(host, out _))
            return true;
        if (host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal))
            return true;
        if (host == "amazonaws.com" || host.EndsWith(".amazonaws.com", StringComparison.Ordinal))
            return true;
        return _publicHost is not null && (host == _publicHost || host.EndsWith("." + _publicHost, StringComparison.Ordinal));
    }

    private static string StripPort(string hostHeader)
    {
        if (hostHeader.StartsWith('['))
        {
            var close = hostHeader.IndexOf(']', StringComparison.Ordinal);
            return close < 0 ? hostHeader : hostHeader[..(close + 1)];
        }
        var colon = hostHeader.LastIndexOf(':');
        return colon < 0 ? hostHeader : hostHeader[..colon];
    }
}
