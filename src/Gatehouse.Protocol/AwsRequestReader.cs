using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol.Model;
using Gatehouse.Protocol.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Protocol;

/// <summary>
/// Reads an AWS API request for the dispatcher: the body within the service's size limit (a body
/// Kestrel cannot deliver is the service's 408/400/413), then the operation's input from it and,
/// for restJson, from the URI, query string and headers.
/// </summary>
internal static class AwsRequestReader
{
    /// <summary>Where the router leaves a restJson request's URI labels for <see cref="ReadInput"/>.</summary>
    internal const string LabelsKey = "gatehouse.uri-labels";

    /// <summary>Set when the body is handed to the handler unread (a streaming upload): the verifier cannot hash it.</summary>
    internal const string StreamingBodyKey = "gatehouse.streaming-body";

    /// <summary>The whole body, within the service's <see cref="AwsServiceDefinition.MaxRequestBytes"/>.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext http, AwsServiceDefinition definition)
    {
        var limit = definition.MaxRequestBytes;
        if (http.Request.ContentLength is { } declared && declared > limit)
            throw TooLarge(definition, declared);
        var sizeFeature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
            sizeFeature.MaxRequestBodySize = limit + 1;
        var buffer = new ArrayBufferWriter<byte>((int)Math.Clamp(http.Request.ContentLength ?? 4096, 256, limit + 1));
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(16384);
                var read = await http.Request.Body.ReadAsync(memory, http.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                    break;
                buffer.Advance(read);
                if (buffer.WrittenCount > limit)
                    throw TooLarge(definition, buffer.WrittenCount);
            }
        }
        catch (BadHttpRequestException e)
        {
            throw Unreadable(definition, e, limit);
        }
        return buffer.WrittenMemory;
    }

    /// <summary>A body Kestrel could not deliver (<see cref="UnreadableBody"/>), in the service's error shape.</summary>
    private static AwsException Unreadable(AwsServiceDefinition definition, BadHttpRequestException e, long limit)
    {
        var body = UnreadableBody.Of(e);
        return body.Status switch
        {
            StatusCodes.Status413PayloadTooLarge => TooLarge(definition, limit + 1),
            StatusCodes.Status408RequestTimeout => new AwsException("RequestTimeoutException", body.Message, 408) { Headers = CloseConnection },
            _ => new AwsException(definition.SerializationErrorCode, body.Message, 400) { Headers = CloseConnection },
        };
    }

    private static readonly IReadOnlyDictionary<string, string> CloseConnection = new Dictionary<string, string> { ["Connection"] = "close" };

    private static AwsException TooLarge(AwsServiceDefinition definition, long size) =>
        new(definition.TooLargeErrorCode, $"Request must be smaller than {definition.MaxRequestBytes} bytes for this operation.", 413);

    /// <summary>
    /// The operation's input by model member names — from the JSON body, or the body as the payload
    /// member — plus, for restJson (<paramref name="httpBindings"/>), URI labels, query and headers.
    /// </summary>
    public static (JsonObject Input, ReadOnlyMemory<byte> Payload) ReadInput(HttpContext http, OperationModel operation, ReadOnlyMemory<byte> body, string errorCode, bool httpBindings)
    {
        var shape = operation.Input;
        if (shape is null)
            return (new JsonObject(), ReadOnlyMemory<byte>.Empty);

        JsonObject input;
        ReadOnlyMemory<byte> payload = ReadOnlyMemory<byte>.Empty;
        var payloadMember = shape.PayloadMember is { } p ? shape.MembersByName[p] : null;
        if (payloadMember is not null && payloadMember.Shape.Type is "blob" or "string")
        {
            input = new JsonObject();
            payload = body;
        }
        else if (payloadMember is not null)
        {
            input = new JsonObject();
            if (ParseBody(body, errorCode) is { } element)
            {
                var value = InputReader.ReadJson(element, payloadMember.Shape, payloadMember.Name, errorCode);
                if (value is not null)
                    input[payloadMember.Name] = value;
            }
        }
        else
        {
            input = ParseBody(body, errorCode) is { } element
                ? (JsonObject)InputReader.ReadJson(element, shape, "", errorCode)!
                : new JsonObject();
        }

        if (httpBindings)
            ReadHttpBindings(http, shape, input, errorCode);
        return (input, payload);
    }

    private static JsonElement? ParseBody(ReadOnlyMemory<byte> body, string errorCode)
    {
        if (body.IsEmpty || body.Span.Trim(" \t\r\n"u8).IsEmpty)
            return null;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new AwsException(errorCode, "The request body must be a JSON object.", 400);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new AwsException(errorCode, "The request body is not valid JSON.", 400);
        }
    }

    internal static void ReadHttpBindings(HttpContext http, Shape shape, JsonObject input, string errorCode)
    {
        var labels = http.Items[LabelsKey] as Dictionary<string, string>;
        foreach (var member in shape.Members)
        {
            switch (member.Location)
            {
                case "uri" when labels is not null && labels.TryGetValue(member.WireName, out var label):
                    input[member.Name] = InputReader.ReadText(label, member.Shape, member.Name, errorCode);
                    break;
                case "querystring" when member.Shape.Type == "map":
                    var map = new JsonObject();
                    foreach (var (key, value) in http.Request.Query)
                        map[key] = value.ToString();
                    if (map.Count > 0)
                        input[member.Name] = map;
                    break;
                case "querystring" when http.Request.Query.TryGetValue(member.WireName, out var values):
                    if (member.Shape.Type == "list")
                        input[member.Name] = new JsonArray(values.Select(v => InputReader.ReadText(v ?? "", member.Shape.ListMember!.Shape, member.Name, errorCode)).ToArray());
                    else
                        input[member.Name] = InputReader.ReadText(values.ToString(), member.Shape, member.Name, errorCode);
                    break;
                case "header" when http.Request.Headers.TryGetValue(member.WireName, out var header):
                    input[member.Name] = InputReader.ReadText(header.ToString(), member.Shape, member.Name, errorCode);
                    break;
                case "headers":
                    var prefixed = new JsonObject();
                    foreach (var (name, value) in http.Request.Headers)
                    {
                        if (name.StartsWith(member.WireName, StringComparison.OrdinalIgnoreCase))
                            prefixed[name[member.WireName.Length..]] = value.ToString();
                    }
                    if (prefixed.Count > 0)
                        input[member.Name] = prefixed;
                    break;
            }
        }
    }
}
