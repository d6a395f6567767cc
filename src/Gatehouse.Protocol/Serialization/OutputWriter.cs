using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Protocol.Model;

namespace Gatehouse.Protocol.Serialization;

/// <summary>Writes an output structure (by model member names) as the protocol's JSON body.</summary>
internal static class OutputWriter
{
    public static void WriteStructure(Utf8JsonWriter writer, JsonObject value, Shape shape, WireProtocol protocol, bool bodyOnly)
    {
        writer.WriteStartObject();
        foreach (var member in shape.Members)
        {
            if (bodyOnly && member.Location is not null)
                continue;
            if (!value.TryGetPropertyValue(member.Name, out var child) || child is null)
                continue;
            writer.WritePropertyName(protocol == WireProtocol.RestJson1 ? member.WireName : member.Name);
            WriteValue(writer, child, member.Shape, member.TimestampFormat, protocol);
        }
        writer.WriteEndObject();
    }

    public static void WriteValue(Utf8JsonWriter writer, JsonNode value, Shape shape, string? timestampFormat, WireProtocol protocol)
    {
        if (shape.IsDocument)
        {
            value.WriteTo(writer);
            return;
        }
        switch (shape.Type)
        {
            case "structure" when value is JsonObject structure:
                WriteStructure(writer, structure, shape, protocol, bodyOnly: false);
                return;
            case "list" when value is JsonArray list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    if (item is null) writer.WriteNullValue();
                    else WriteValue(writer, item, shape.ListMember!.Shape, shape.ListMember.TimestampFormat, protocol);
                }
                writer.WriteEndArray();
                return;
            case "map" when value is JsonObject map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    if (item is null) writer.WriteNullValue();
                    else WriteValue(writer, item, shape.MapValue!.Shape, shape.MapValue.TimestampFormat, protocol);
                }
                writer.WriteEndObject();
                return;
            case "timestamp":
                WriteTimestamp(writer, value, timestampFormat ?? shape.TimestampFormat ?? (protocol == WireProtocol.AwsJson11 ? "unixTimestamp" : "iso8601"));
                return;
            case "blob" when value is JsonValue blob && blob.TryGetValue<byte[]>(out var bytes):
                writer.WriteBase64StringValue(bytes);
                return;
            default:
                value.WriteTo(writer);
                return;
        }
    }

    private static void WriteTimestamp(Utf8JsonWriter writer, JsonNode value, string format)
    {
        if (!TryGetTime(value, out var time))
        {
            value.WriteTo(writer);
            return;
        }
        switch (format)
        {
            case "unixTimestamp":
                writer.WriteNumberValue(Math.Round(time.ToUnixTimeMilliseconds() / 1000.0, 3));
                break;
            case "rfc822":
                writer.WriteStringValue(time.UtcDateTime.ToString("r", CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteStringValue(FormatIso(time));
                break;
        }
    }

    public static string FormatIso(DateTimeOffset time) =>
        time.UtcDateTime.ToString(time.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static bool TryGetTime(JsonNode value, out DateTimeOffset time)
    {
        if (value is JsonValue v)
        {
            if (v.TryGetValue(out time))
                return true;
            if (v.TryGetValue<DateTime>(out var dateTime))
            {
                time = new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc));
                return true;
            }
            if (v.TryGetValue<double>(out var seconds))
            {
                time = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
                return true;
            }
        }
        time = default;
        return false;
    }

    /// <summary>Text for a header or query value of a scalar member.</summary>
    public static string? ToText(JsonNode value, Shape shape)
    {
        if (shape.Type == "timestamp" && TryGetTime(value, out var time))
            return time.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);
        return value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => null,
            _ => value.ToJsonString(),
        };
    }
}
