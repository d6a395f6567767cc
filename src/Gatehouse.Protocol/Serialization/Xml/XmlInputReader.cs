using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using Gatehouse.Core;
using Gatehouse.Protocol.Model;

namespace Gatehouse.Protocol.Serialization.Xml;

/// <summary>
/// Reads a restXml body (S3's <c>CreateBucketConfiguration</c>, <c>Delete</c>,
/// <c>CompleteMultipartUpload</c>…) into the input structure by model member names, following the
/// model's XML traits: <c>locationName</c> names an element, <c>flattened</c> lists repeat their
/// element with no wrapper, <c>xmlAttribute</c> members are attributes
/// (https://smithy.io/2.0/spec/protocol-traits.html#xml-bindings). Element names are matched by
/// local name; the namespace is not checked, as S3 does not either.
/// </summary>
internal static class XmlInputReader
{
    private static readonly XmlReaderSettings Settings = new()
    {
        // No DTDs, no external entities: a body cannot make the parser fetch or expand anything.
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = 16 * 1024 * 1024,
        IgnoreComments = true,
    };

    /// <summary>Parses <paramref name="body"/>; null when it is empty. Malformed XML is <paramref name="errorCode"/>.</summary>
    public static XElement? Parse(ReadOnlyMemory<byte> body, string errorCode)
    {
        if (body.IsEmpty || body.Span.Trim(" \t\r\n"u8).IsEmpty)
            return null;
        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, Settings);
            return XElement.Load(reader);
        }
        catch (XmlException)
        {
            throw new AwsException(errorCode, "The XML you provided was not well-formed or did not validate against our published schema.", 400);
        }
    }

    public static JsonNode? Read(XElement element, Shape shape, string path, string errorCode)
    {
        switch (shape.Type)
        {
            case "structure":
                var structure = new JsonObject();
                foreach (var member in shape.Members)
                {
                    if (member.Location is not null)
                        continue;
                    if (member.XmlAttribute)
                    {
                        var local = member.WireName.Contains(':', StringComparison.Ordinal) ? member.WireName[(member.WireName.IndexOf(':', StringComparison.Ordinal) + 1)..] : member.WireName;
                        var attribute = element.Attributes().FirstOrDefault(a => a.Name.LocalName == local);
                        if (attribute is not null)
                            structure[member.Name] = InputReader.ReadText(attribute.Value, member.Shape, member.Name, errorCode);
                        continue;
                    }
                    if (member.Flattened && member.Shape.Type == "list")
                    {
                        var name = member.Shape.ListMember!.LocationName ?? member.WireName;
                        var items = Children(element, name).Select(e => Read(e, member.Shape.ListMember.Shape, InputReader.Join(path, member.Name), errorCode)).ToArray();
                        if (items.Length > 0)
                            structure[member.Name] = new JsonArray(items);
                        continue;
                    }
                    if (member.Flattened && member.Shape.Type == "map")
                    {
                        var entries = Children(element, member.WireName).ToList();
                        if (entries.Count > 0)
                            structure[member.Name] = ReadEntries(entries, member.Shape, path, errorCode);
                        continue;
                    }
                    var child = Children(element, member.WireName).FirstOrDefault();
                    if (child is not null && Read(child, member.Shape, InputReader.Join(path, member.Name), errorCode) is { } value)
                        structure[member.Name] = value;
                }
                return structure;
            case "list":
                var itemName = shape.ListMember!.LocationName ?? "member";
                return new JsonArray(Children(element, itemName).Select(e => Read(e, shape.ListMember.Shape, path, errorCode)).ToArray());
            case "map":
                return ReadEntries(Children(element, "entry").ToList(), shape, path, errorCode);
            case "boolean":
                var text = element.Value.Trim();
                if (text is "true" or "false")
                    return JsonValue.Create(text == "true");
                throw new AwsException(errorCode, $"The value of '{InputReader.CamelPath(path)}' must be true or false.", 400);
            default:
                return InputReader.ReadText(element.Value, shape, path, errorCode);
        }
    }

    private static JsonObject ReadEntries(List<XElement> entries, Shape shape, string path, string errorCode)
    {
        var map = new JsonObject();
        var keyName = shape.MapKey!.LocationName ?? "key";
        var valueName = shape.MapValue!.LocationName ?? "value";
        foreach (var entry in entries)
        {
            var key = Children(entry, keyName).FirstOrDefault()?.Value;
            var value = Children(entry, valueName).FirstOrDefault();
            if (key is not null && value is not null)
                map[key] = Read(value, shape.MapValue.Shape, path, errorCode);
        }
        return map;
    }

    private static IEnumerable<XElement> Children(XElement element, string localName) =>
        element.Elements().Where(e => e.Name.LocalName == localName);
}
