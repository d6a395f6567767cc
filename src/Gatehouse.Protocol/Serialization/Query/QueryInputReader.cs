using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Gatehouse.Protocol.Serialization.Query;

/// <summary>
/// Reads an awsQuery request (STS, IAM, CloudFormation): <c>Action</c> and <c>Version</c> name the
/// operation; the other form fields are the input, flattened as AWS's query serializer writes them
/// (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#query-key-resolution): structure
/// members as <c>Parent.Member</c>, lists as <c>Name.member.N</c> (<c>Name.N</c> when flattened),
/// maps as <c>Name.entry.N.key</c> / <c>Name.entry.N.value</c>, indexes counted from 1. Scalars are
/// typed by the model; constraint violations are left to <see cref="InputValidator"/>.
/// </summary>
internal static class QueryInputReader
{
    /// <summary>
    /// The form fields of the request: the query string (a GET, or a POST that put some there) and
    /// the form-encoded body. A field given twice keeps its last value, as AWS's servers do.
    /// </summary>
    public static Dictionary<string, string> ParseForm(HttpContext http, ReadOnlyMemory<byte> body, string errorCode)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in http.Request.Query)
            form[key] = value.ToString();
        if (!body.IsEmpty)
        {
            string text;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.Span);
            }
            catch (DecoderFallbackException)
            {
                throw new AwsException(errorCode, "The request body is not UTF-8 form-encoded text.", 400);
            }
            foreach (var (key, value) in QueryHelpers.ParseQuery(text))
            {
                if (key.Length > 0)
                    form[key] = value.ToString();
            }
        }
        return form;
    }

    /// <summary>The operation named by <c>Action</c>, for the model's <c>Version</c>, or the errors AWS answers.</summary>
    public static OperationModel FindOperation(IReadOnlyDictionary<string, string> form, ServiceModel model)
    {
        // The common errors of every query API: https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
        if (!form.TryGetValue("Action", out var action) || action.Length == 0)
            throw new AwsException("MissingAction", "The request must contain the parameter Action.", 400);
        if (!form.TryGetValue("Version", out var version) || version.Length == 0)
            throw new AwsException("MissingParameter", "The request must contain the parameter Version.", 400);
        if (!model.Operations.TryGetValue(action, out var operation) || version != model.ApiVersion)
            throw new AwsException("InvalidAction", $"Could not find operation {Truncate(action)} for version {Truncate(version)}.", 400);
        return operation;
    }

    /// <summary>The input structure by model member names.</summary>
    public static JsonObject Read(IReadOnlyDictionary<string, string> form, Shape shape, string errorCode)
    {
        var prefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in form.Keys)
        {
            for (var dot = key.IndexOf('.', StringComparison.Ordinal); dot > 0; dot = key.IndexOf('.', dot + 1))
                prefixes.Add(key[..dot]);
        }
        var reader = new Reader(form, prefixes, errorCode);
        return reader.ReadStructure(shape, "", "");
    }

    private sealed class Reader(IReadOnlyDictionary<string, string> form, HashSet<string> prefixes, string errorCode)
    {
        /// <summary>Whether anything was sent at <paramref name="key"/> or below it.</summary>
        private bool Present(string key) => form.ContainsKey(key) || prefixes.Contains(key);

        public JsonObject ReadStructure(Shape shape, string prefix, string path)
        {
            var structure = new JsonObject();
            foreach (var member in shape.Members)
            {
                var key = prefix + member.XmlName;
                if (!Present(key))
                    continue;
                var value = ReadValue(member, key, InputReader.Join(path, member.Name));
                if (value is not null)
                    structure[member.Name] = value;
            }
            return structure;
        }

        private JsonNode? ReadValue(Member member, string key, string path)
        {
            var shape = member.Shape;
            switch (shape.Type)
            {
                case "structure":
                    return ReadStructure(shape, key + ".", path);
                case "list":
                    return ReadList(member, key, path);
                case "map":
                    return ReadMap(member, key, path);
                default:
                    return form.TryGetValue(key, out var text) ? InputReader.ReadText(text, shape, path, errorCode) : null;
            }
        }

        private JsonArray ReadList(Member member, string key, string path)
        {
            var list = new JsonArray();
            // An empty list is sent as the bare key with an empty value ("Tags=").
            if (form.TryGetValue(key, out var bare) && bare.Length == 0 && !prefixes.Contains(key))
                return list;
            var item = member.Shape.ListMember!;
            var itemPrefix = member.Flattened ? key + "." : $"{key}.{item.LocationName ?? "member"}.";
            for (var index = 1; Present(itemPrefix + index); index++)
                list.Add(ReadValue(item, itemPrefix + index, $"{path}.{index}.member"));
            return list;
        }

        private JsonObject ReadMap(Member member, string key, string path)
        {
            var map = new JsonObject();
            var shape = member.Shape;
            var entryPrefix = member.Flattened ? key + "." : key + ".entry.";
            var keyName = shape.MapKey!.LocationName ?? "key";
            var valueName = shape.MapValue!.LocationName ?? "value";
            for (var index = 1; Present(entryPrefix + index); index++)
            {
                if (!form.TryGetValue($"{entryPrefix}{index}.{keyName}", out var entryKey))
                    throw new AwsException(errorCode, $"Map entry {index} of '{InputReader.CamelPath(path)}' has no key.", 400);
                var valueKey = $"{entryPrefix}{index}.{valueName}";
                map[entryKey] = Present(valueKey) ? ReadValue(shape.MapValue, valueKey, $"{path}.{entryKey}") : null;
            }
            return map;
        }
    }

    private static string Truncate(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
