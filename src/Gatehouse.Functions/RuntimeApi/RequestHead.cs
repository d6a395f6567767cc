using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Functions.RuntimeApi;

internal enum Route
{
    Unknown,
    Forbidden,
    Next,
    Response,
    Error,
    InitError,
}

internal enum HeadStatus
{
    Ok,
    Malformed,
    LineTooLong,
    HeadersTooLarge,
}

/// <summary>The parts of a request head the Runtime API cares about.</summary>
internal struct RequestHead
{
    public Route Route;
    public string? RequestId;
    public long ContentLength;
    public bool Chunked;
    public bool ExpectContinue;
    public bool Close;
    public string? ErrorType;

    private static ReadOnlySpan<byte> Prefix => "/2018-06-01/runtime/"u8;

    /// <summary>Parses a head (without its final blank line); a target without <paramref name="secret"/> as its first segment is <see cref="Route.Forbidden"/>.</summary>
    public static HeadStatus TryParse(ReadOnlySpan<byte> head, ReadOnlySpan<byte> secret, ref RequestHead result)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var requestLine = lineEnd < 0 ? head : head[..lineEnd];
        if (requestLine.Length > RuntimeApiListener.MaxLineBytes)
            return HeadStatus.LineTooLong;
        var firstSpace = requestLine.IndexOf((byte)' ');
        if (firstSpace <= 0)
            return HeadStatus.Malformed;
        var method = requestLine[..firstSpace];
        var rest = requestLine[(firstSpace + 1)..];
        var secondSpace = rest.IndexOf((byte)' ');
        var target = secondSpace < 0 ? rest : rest[..secondSpace];
        var version = secondSpace < 0 ? default : rest[(secondSpace + 1)..];
        var query = target.IndexOf((byte)'?');
        if (query >= 0)
            target = target[..query];
        result.Route = HasSecret(target, secret, out var route) ? ParseRoute(method, route, out result.RequestId) : Route.Forbidden;
        // HTTP/1.0 closes unless asked to keep alive; nobody here sends it, but be correct.
        result.Close = version.SequenceEqual("HTTP/1.0"u8);

        var headers = lineEnd < 0 ? default : head[(lineEnd + 2)..];
        var count = 0;
        while (!headers.IsEmpty)
        {
            var next = headers.IndexOf("\r\n"u8);
            var line = next < 0 ? headers : headers[..next];
            headers = next < 0 ? default : headers[(next + 2)..];
            if (line.Length > RuntimeApiListener.MaxLineBytes || ++count > RuntimeApiListener.MaxHeaderCount)
                return HeadStatus.HeadersTooLarge;
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
                continue;
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out result.ContentLength, out var used) || used != value.Length || result.ContentLength < 0)
                    return HeadStatus.Malformed;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                result.Chunked = value.IndexOf("chunked"u8) >= 0;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Expect"u8))
            {
                result.ExpectContinue = Ascii.EqualsIgnoreCase(value, "100-continue"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                if (Ascii.EqualsIgnoreCase(value, "close"u8))
                    result.Close = true;
                else if (Ascii.EqualsIgnoreCase(value, "keep-alive"u8))
                    result.Close = false;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Lambda-Runtime-Function-Error-Type"u8))
            {
                result.ErrorType = Encoding.UTF8.GetString(value);
            }
        }
        return HeadStatus.Ok;
    }

    /// <summary>
    /// Whether the target starts with <c>/SECRET/</c> (compared in constant time, so timing tells
    /// nothing about how much of a guess was right); <paramref name="rest"/> is the path after it.
    /// </summary>
    private static bool HasSecret(ReadOnlySpan<byte> target, ReadOnlySpan<byte> secret, out ReadOnlySpan<byte> rest)
    {
        rest = default;
        if (target.Length < secret.Length + 2 || target[0] != (byte)'/')
            return false;
        var segment = target.Slice(1, secret.Length);
        var matches = CryptographicOperations.FixedTimeEquals(segment, secret);
        if (!matches || target[secret.Length + 1] != (byte)'/')
            return false;
        rest = target[(secret.Length + 1)..];
        return true;
    }

    private static Route ParseRoute(ReadOnlySpan<byte> method, ReadOnlySpan<byte> target, out string? requestId)
    {
        requestId = null;
        if (!target.StartsWith(Prefix))
            return Route.Unknown;
        var path = target[Prefix.Length..];
        var isGet = method.SequenceEqual("GET"u8);
        var isPost = method.SequenceEqual("POST"u8);
        if (isGet && path.SequenceEqual("invocation/next"u8))
            return Route.Next;
        if (isPost && path.SequenceEqual("init/error"u8))
            return Route.InitError;
        if (!isPost || !path.StartsWith("invocation/"u8))
            return Route.Unknown;
        path = path["invocation/"u8.Length..];
        var slash = path.IndexOf((byte)'/');
        if (slash <= 0)
            return Route.Unknown;
        var action = path[(slash + 1)..];
        var route = action.SequenceEqual("response"u8) ? Route.Response : action.SequenceEqual("error"u8) ? Route.Error : Route.Unknown;
        if (route != Route.Unknown)
            requestId = Encoding.ASCII.GetString(path[..slash]);
        return route;
    }
}
