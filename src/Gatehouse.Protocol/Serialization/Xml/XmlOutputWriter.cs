using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using Gatehouse.Protocol.Model;

namespace Gatehouse.Protocol.Serialization.Xml;

/// <summary>
/// Writes an output structure (by model member names) as a restXml body: elements named by
/// <c>locationName</c>, <c>flattened</c> lists without a wrapper, timestamps in ISO 8601 as S3
/// writes them (<c>2009-10-12T17:50:30.000Z</c>), all in the service's namespace
/// (https://smithy.io/2.0/aws/protocols/aws-restxml-protocol.html).
/// </summary>
internal static class XmlOutputWriter
{
    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        Indent = false,
        Async = false,
    };

    /// <summary>The whole document: <c>&lt;?xml?&gt;</c> and one root element named <paramref name="rootName"/>.</summary>
    public static byte[] Document(string rootName, string? ns, JsonObject value, Shape shape)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, Settings))
        {
            writer.WriteStartDocument();
            WriteElement(writer, rootName, ns, value, shape, bodyOnly: true);
            writer.WriteEndDocument();
        }
        return stream.ToArray();
    }

    /// <summary>S3's error document: <c>&lt;Error&gt;&lt;Code&gt;…&lt;/Code&gt;&lt;Message&gt;…</c> plus any further members.</summary>
    public static byte[] Error(string code, string message, IEnumerable<KeyValuePair<string, string>> extra)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, Settings))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement("Error");
            writer.WriteElementString("Code", code);
            writer.WriteElementString("Message", message);
            foreach (var (name, text) in extra)
                writer.WriteElementString(name, text);
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }
        return stream.ToArray();
    }

    /// <summary>
    /// The members of <paramref name="value"/> as child elements of the element being written: the
    /// one way Gatehouse writes model values as XML, for restXml documents and awsQuery results alike
    /// (the two protocols serialize members the same way; they differ in the document around them).
    /// </summary>
    public static void WriteMembers(XmlWriter writer, JsonObject value, Shape shape) => WriteContent(writer, value, shape, bodyOnly: true);

    private static void WriteElement(XmlWriter writer, string name, string? ns, JsonNode value, Shape shape, bool bodyOnly)
    {
        // A null namespace inherits the default one in scope (no xmlns="" on every child).
        writer.WriteStartElement(null, name, ns);
        WriteContent(writer, value, shape, bodyOnly);
        writer.WriteEndElement();
    }

    private static void WriteContent(XmlWriter writer, JsonNode value, Shape shape, bool bodyOnly)
    {
        switch (shape.Type)
        {
            case "structure" when value is JsonObject structure:
                foreach (var member in shape.Members.Where(m => m.XmlAttribute))
                {
                    if (structure[member.Name] is { } attribute && Text(attribute, member) is { } text)
                        writer.WriteAttributeString(member.WireName, text);
                }
                foreach (var member in shape.Members)
                {
                    if (member.XmlAttribute || (bodyOnly && member.Location is not null))
                        continue;
                    if (!structure.TryGetPropertyValue(member.Name, out var child) || child is null)
                        continue;
                    if (member.Flattened && member.Shape.Type == "list" && child is JsonArray items)
                    {
                        var itemName = member.Shape.ListMember!.LocationName ?? member.WireName;
                        foreach (var item in items)
                        {
                            if (item is not null)
                                WriteElement(writer, itemName, null, item, member.Shape.ListMember.Shape, bodyOnly: false);
                        }
                        continue;
                    }
                    if (member.Flattened && member.Shape.Type == "map" && child is JsonObject entries)
                    {
                        // A flattened map: one element named after the member for each entry.
                        foreach (var (key, item) in entries)
                            WriteEntry(writer, member.WireName, member.Shape, key, item);
                        continue;
                    }
                    WriteElement(writer, member.WireName, member.XmlNamespace, child, member.Shape, bodyOnly: false);
                }
                return;
            case "list" when value is JsonArray list:
                var memberName = shape.ListMember!.LocationName ?? "member";
                foreach (var item in list)
                {
                    if (item is not null)
                        WriteElement(writer, memberName, null, item, shape.ListMember.Shape, bodyOnly: false);
                }
                return;
            case "map" when value is JsonObject map:
                foreach (var (key, item) in map)
                    WriteEntry(writer, "entry", shape, key, item);
                return;
            default:
                if (Scalar(value, shape, null) is { } scalar)
                    writer.WriteString(scalar);
                return;
        }
    }

    private static void WriteEntry(XmlWriter writer, string name, Shape map, string key, JsonNode? item)
    {
        writer.WriteStartElement(name);
        writer.WriteElementString(map.MapKey!.LocationName ?? "key", key);
        if (item is not null)
            WriteElement(writer, map.MapValue!.LocationName ?? "value", null, item, map.MapValue.Shape, bodyOnly: false);
        writer.WriteEndElement();
    }

    private static string? Text(JsonNode value, Member member) => Scalar(value, member.Shape, member.TimestampFormat);

    private static string? Scalar(JsonNode value, Shape shape, string? timestampFormat)
    {
        if (shape.Type == "timestamp" && OutputWriter.TryGetTime(value, out var time))
        {
            return (timestampFormat ?? shape.TimestampFormat) switch
            {
                "rfc822" => time.UtcDateTime.ToString("r", CultureInfo.InvariantCulture),
                "unixTimestamp" => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                _ => OutputWriter.FormatIso(time),
            };
        }
        if (shape.Type == "blob" && value is JsonValue blob && blob.TryGetValue<byte[]>(out var bytes))
            return Convert.ToBase64String(bytes);
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
