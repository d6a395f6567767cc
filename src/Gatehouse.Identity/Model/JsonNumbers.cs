using System.Globalization;
using System.Text.Json.Nodes;

namespace Gatehouse.Identity.Model;

internal static class JsonNumbers
{
    /// <summary>
    /// A whole number from any JSON number node: values built in code hold an int or a long, values
    /// parsed from text a JsonElement, and <c>GetValue&lt;long&gt;</c> converts only some of those.
    /// </summary>
    public static long? AsLong(this JsonNode? node) =>
        node is JsonValue value && long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : null;
}
