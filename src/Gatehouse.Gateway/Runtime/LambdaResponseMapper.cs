using System.Text;
using System.Text.Json;

namespace Gatehouse.Gateway.Runtime;

/// <summary>What the client receives for a function's result.</summary>
internal sealed class MappedResponse
{
    public int StatusCode { get; init; } = 200;
    public List<KeyValuePair<string, string>> Headers { get; } = [];
    public ReadOnlyMemory<byte> Body { get; init; }
}

/// <summary>
/// Turns a function's result into the HTTP response by API Gateway's rules. Payload 2.0: an object
/// with <c>statusCode</c> is a structured response (headers, cookies, body, isBase64Encoded);
/// any other valid JSON is sent as is with 200 and <c>application/json</c>. Payload 1.0: the
/// result must be a structured response. Anything unusable is a null result (the caller answers 500).
/// </summary>
internal static class LambdaResponseMapper
{
    public static MappedResponse? Map(ReadOnlyMemory<byte> payload, bool payloadV2)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            var structured = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("statusCode", out _);
            if (!structured)
            {
                if (!payloadV2)
                    return null;
                var inferred = new MappedResponse { StatusCode = 200, Body = payload };
                inferred.Headers.Add(new("Content-Type", "application/json"));
                return inferred;
            }
            return MapStructured(root, payloadV2);
        }
    }

    private static MappedResponse? MapStructured(JsonElement root, bool payloadV2)
    {
        var statusElement = root.GetProperty("statusCode");
        int status;
        if (statusElement.ValueKind == JsonValueKind.Number && statusElement.TryGetInt32(out var number))
            status = number;
        else if (statusElement.ValueKind == JsonValueKind.String && int.TryParse(statusElement.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            status = parsed;
        else
            return null;
        if (status is < 100 or > 599)
            return null;

        var isBase64 = root.TryGetProperty("isBase64Encoded", out var base64Element) && base64Element.ValueKind == JsonValueKind.True;
        byte[] body = [];
        if (root.TryGetProperty("body", out var bodyElement) && bodyElement.ValueKind != JsonValueKind.Null)
        {
            var text = bodyElement.ValueKind == JsonValueKind.String ? bodyElement.GetString()! : bodyElement.GetRawText();
            if (isBase64)
            {
                try
                {
                    body = Convert.FromBase64String(text);
                }
                catch (FormatException)
                {
                    return null;
                }
            }
            else
            {
                body = Encoding.UTF8.GetBytes(text);
            }
        }

        var response = new MappedResponse { StatusCode = status, Body = body };
        var hasContentType = false;
        if (root.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in headers.EnumerateObject())
            {
                if (HeaderValue(header.Value) is { } value)
                {
                    response.Headers.Add(new(header.Name, value));
                    hasContentType |= header.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase);
                }
            }
        }
        // multiValueHeaders exist only in payload 1.0 responses.
        if (!payloadV2 && root.TryGetProperty("multiValueHeaders", out var multi) && multi.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in multi.EnumerateObject())
            {
                if (header.Value.ValueKind != JsonValueKind.Array)
                    continue;
                response.Headers.RemoveAll(h => h.Key.Equals(header.Name, StringComparison.OrdinalIgnoreCase));
                foreach (var item in header.Value.EnumerateArray())
                {
                    if (HeaderValue(item) is { } value)
                    {
                        response.Headers.Add(new(header.Name, value));
                        hasContentType |= header.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase);
                    }
                }
            }
        }
        if (payloadV2 && root.TryGetProperty("cookies", out var cookies) && cookies.ValueKind == JsonValueKind.Array)
        {
            foreach (var cookie in cookies.EnumerateArray())
            {
                if (cookie.ValueKind == JsonValueKind.String)
                    response.Headers.Add(new("Set-Cookie", cookie.GetString()!));
            }
        }
        if (!hasContentType && body.Length > 0)
            response.Headers.Add(new("Content-Type", "application/json"));
        return response;
    }

    private static string? HeaderValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };
}
