using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gatehouse.Stacks.Templates;

/// <summary>
/// Reads a template body, JSON or YAML, into a JSON object. YAML short forms (<c>!Ref</c>,
/// <c>!GetAtt a.b</c>, <c>!Sub</c>, …) are written in their long form
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html),
/// so the rest of the engine sees one shape.
/// </summary>
internal static partial class TemplateReader
{
    private static readonly HashSet<string> FnTags =
        ["Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select", "Split", "Sub", "Transform",
         "And", "Equals", "If", "Not", "Or", "Contains", "EachMemberEquals", "EachMemberIn", "RefAll", "ValueOf", "ValueOfAll", "ToJsonString", "Length"];

    public static JsonObject Parse(string body)
    {
        var trimmed = body.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                return JsonNode.Parse(body) as JsonObject ?? throw new TemplateException("Template format error: JSON not well-formed.");
            }
            catch (JsonException e)
            {
                throw new TemplateException($"Template format error: JSON not well-formed. ({e.Message})");
            }
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(body));
        }
        catch (YamlException e)
        {
            throw new TemplateException($"Template format error: YAML not well-formed. ({e.Start.Line}, {e.Start.Column})");
        }
        if (stream.Documents.Count == 0 || Convert(stream.Documents[0].RootNode) is not JsonObject root)
            throw new TemplateException("Template format error: unsupported structure.");
        return root;
    }

    private static JsonNode? Convert(YamlNode node)
    {
        var tag = node.Tag.IsEmpty ? null : node.Tag.Value;
        if (tag is not null && tag.StartsWith('!') && !tag.StartsWith("!!", StringComparison.Ordinal))
            return ShortForm(tag[1..], node);
        return node switch
        {
            YamlMappingNode map => Map(map),
            YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
            YamlScalarNode scalar => Scalar(scalar, tag),
            _ => throw new TemplateException("Template format error: YAML aliases are not supported."),
        };
    }

    private static JsonObject Map(YamlMappingNode map)
    {
        var result = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? throw new TemplateException("Template format error: a mapping key must be a string.");
            result[name] = Convert(value);
        }
        return result;
    }

    private static JsonNode? Scalar(YamlScalarNode scalar, string? tag)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain || tag == "tag:yaml.org,2002:str")
            return JsonValue.Create(text);
        if (text is "" or "~" or "null" or "Null" or "NULL")
            return null;
        if (text is "true" or "True" or "TRUE")
            return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE")
            return JsonValue.Create(false);
        if (IntegerPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            return JsonValue.Create(l);
        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return JsonValue.Create(d);
        return JsonValue.Create(text);
    }

    private static JsonNode ShortForm(string name, YamlNode node)
    {
        if (name == "Ref")
            return new JsonObject { ["Ref"] = ScalarText(node, name) };
        if (name == "Condition")
            return new JsonObject { ["Condition"] = ScalarText(node, name) };
        if (name == "GetAtt" && node is YamlScalarNode dotted)
        {
            var text = dotted.Value ?? "";
            var dot = text.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0)
                throw new TemplateException($"Template error: every Fn::GetAtt object requires two non-empty parameters.");
            return new JsonObject { ["Fn::GetAtt"] = new JsonArray(text[..dot], text[(dot + 1)..]) };
        }
        if (!FnTags.Contains(name))
            throw new TemplateException($"Template format error: unknown tag !{name}.");
        var value = node switch
        {
            YamlMappingNode map => Map(map),
            YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
            YamlScalarNode scalar => Scalar(scalar, null),
            _ => null,
        };
        return new JsonObject { ["Fn::" + name] = value };
    }

    private static string ScalarText(YamlNode node, string name) =>
        (node as YamlScalarNode)?.Value ?? throw new TemplateException($"Template format error: !{name} takes a string.");

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
