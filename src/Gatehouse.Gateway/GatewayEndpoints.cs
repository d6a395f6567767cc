using System.Net;
using Gatehouse.Core;

namespace Gatehouse.Gateway;

/// <summary>
/// How clients address an API's data plane. By host: <c>{apiId}.execute-api.localhost:{port}</c>
/// (curl and browsers resolve <c>*.localhost</c> to loopback; any <c>{apiId}.execute-api.&lt;domain&gt;</c>
/// host is accepted). By path, for clients that cannot set a host:
/// <c>http://127.0.0.1:{port}/_aws/execute-api/{apiId}/{stage-and-path}</c>.
/// </summary>
internal static class GatewayEndpoints
{
    public const string HostLabel = ".execute-api.";
    public const string PathPrefix = "/_aws/execute-api/";

    /// <summary>The <c>apiEndpoint</c> the control plane reports for an API.</summary>
    public static string ApiEndpoint(GatehouseOptions options, string apiId)
    {
        var publicUrl = new Uri(options.EffectivePublicUrl);
        // A public URL on a DNS name can carry API subdomains; an IP address or loopback cannot,
        // so those fall back to *.localhost, which resolves to loopback everywhere that matters.
        var domain = publicUrl.HostNameType == UriHostNameType.Dns && !publicUrl.IsLoopback ? publicUrl.Host : "localhost";
        var port = options.PublicUrl is not null ? publicUrl.Port : options.Port;
        var defaultPort = publicUrl.Scheme == "https" ? 443 : 80;
        return port == defaultPort
            ? $"{publicUrl.Scheme}://{apiId}{HostLabel}{domain}"
            : $"{publicUrl.Scheme}://{apiId}{HostLabel}{domain}:{port}";
    }

    /// <summary>The API id from a Host header such as <c>abc123defg.execute-api.localhost:4566</c>.</summary>
    public static bool TryGetApiIdFromHost(string host, out string apiId)
    {
        var index = host.IndexOf(HostLabel, StringComparison.OrdinalIgnoreCase);
        if (index > 0 && IsApiId(host.AsSpan(0, index)))
        {
            apiId = host[..index].ToLowerInvariant();
            return true;
        }
        apiId = "";
        return false;
    }

    private static bool IsApiId(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
                return false;
        }
        return text.Length is > 0 and <= 64;
    }

    public static bool IsIpAddress(string host) => IPAddress.TryParse(host, out _);
}
