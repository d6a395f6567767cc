using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Stacks.Transforms.Serverless;

/// <summary>
/// The logical ids SAM derives from content (a function's versions: <c>{Function}Version{hash}</c>),
/// so a stack deployed here names its resources as the AWS transform does and a redeploy of
/// unchanged code keeps the same version. The hash is the first ten hex digits of the SHA-1 of the
/// data written as compact JSON with keys sorted and non-ASCII characters escaped — the stable form
/// SAM documents for its generated ids (https://github.com/aws/serverless-application-model, logical id
/// generation; the result is checked against fixtures made by the translator itself).
/// </summary>
internal static class SamLogicalIds
{
    public static string WithHash(string prefix, JsonNode? data)
    {
        if (data is null || data is JsonObject { Count: 0 })
            return prefix;
        var text = new StringBuilder();
        Write(text, data);
        var hash = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        return prefix + hash[..10];
    }

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                        text.Append(',');
                    first = false;
                    WriteString(text, key);
                    text.Append(':');
                    Write(text, value);
                }
                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                        text.Append(',');
                    Write(text, array[i]);
                }
                text.Append(']');
                break;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        WriteString(text, value.GetValue<string>());
                        break;
                    case JsonValueKind.True:
                        text.Append("true");
                        break;
                    case JsonValueKind.False:
                        text.Append("false");
                        break;
                    default:
                        text.Append(value.ToJsonString());
                        break;
                }
                break;
        }
    }

    private static void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }
}
