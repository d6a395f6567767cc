using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol.Model;
using Gatehouse.Protocol.Serialization;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Protocol;

/// <summary>
/// awsJson1.1 and restJson1 answers: the output by the model (HTTP bindings first for restJson), and
/// the JSON error body (<c>__type</c> for awsJson, the model's message casing for restJson). AWS bodies
/// are read by SDKs, never embedded in HTML: quotes and non-ASCII text stay readable.
/// </summary>
public sealed partial class AwsProtocolDispatcher
{
    private static readonly byte[] EmptyJsonObject = "{}"u8.ToArray();

    private static async Task WriteJsonResponseAsync(HttpContext http, ServiceEntry entry, OperationModel operation, AwsResponse response)
    {
        var shape = operation.Output;
        var status = entry.Router is null ? 200 : operation.ResponseCode;
        http.Response.ContentType = entry.Model.ContentType;
        if (shape is null)
        {
            http.Response.StatusCode = status;
            if (entry.Router is null)
                await http.Response.Body.WriteAsync(EmptyJsonObject, http.RequestAborted).ConfigureAwait(false);
            return;
        }

        Member? payloadMember = shape.PayloadMember is { } p ? shape.MembersByName[p] : null;
        if (entry.Router is not null)
            status = WriteHttpBindings(http.Response, shape, response.Output, status);
        http.Response.StatusCode = status;
        if (status is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            // No body at all (Lambda's DryRun answers 204).
            http.Response.ContentType = null;
            return;
        }

        if (payloadMember is not null && payloadMember.Shape.Type is "blob" or "string")
        {
            http.Response.ContentType = null;
            var bytes = response.Payload ?? ReadOnlyMemory<byte>.Empty;
            http.Response.ContentLength = bytes.Length;
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        await using (var writer = new Utf8JsonWriter(buffer, Json.Relaxed))
        {
            if (payloadMember is not null)
            {
                if (response.Output.TryGetPropertyValue(payloadMember.Name, out var value) && value is not null)
                    OutputWriter.WriteValue(writer, value, payloadMember.Shape, payloadMember.TimestampFormat, entry.Model.Protocol);
                else
                    writer.WriteRawValue("{}");
            }
            else
            {
                OutputWriter.WriteStructure(writer, response.Output, shape, entry.Model.Protocol, bodyOnly: true);
            }
        }
        http.Response.ContentLength = buffer.WrittenCount;
        await http.Response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteJsonErrorAsync(HttpContext http, ServiceEntry? entry, AwsException error, Shape? errorShape, int status)
    {
        var rest = entry?.Router is not null;
        http.Response.ContentType = rest ? "application/json" : "application/x-amz-json-1.1";

        var buffer = new ArrayBufferWriter<byte>(256);
        await using (var writer = new Utf8JsonWriter(buffer, Json.Relaxed))
        {
            writer.WriteStartObject();
            if (!rest)
                writer.WriteString("__type", error.Code);
            if (rest && entry!.Definition.ErrorBodyHasType)
                writer.WriteString("Type", status >= 500 ? "Service" : "User");
            // The model decides the casing: Lambda says "Message" for some errors, API Gateway maps "Message" to "message".
            var messageMember = errorShape?.MembersByName.GetValueOrDefault("Message") ?? errorShape?.MembersByName.GetValueOrDefault("message");
            var messageName = rest && messageMember is not null ? messageMember.WireName : "message";
            writer.WriteString(messageName, error.Message);
            if (error.Members is not null)
            {
                foreach (var (name, value) in error.Members)
                {
                    if (name is "message" or "Message" || value is null)
                        continue;
                    var wireName = errorShape?.MembersByName.GetValueOrDefault(name)?.WireName ?? name;
                    writer.WritePropertyName(wireName);
                    value.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
        }
        http.Response.ContentLength = buffer.WrittenCount;
        await http.Response.Body.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
    }
}
