using System.Text.Json.Nodes;

namespace Gatehouse.Objects.Model;

/// <summary>One page of a listing: keys and rolled-up common prefixes, at most MaxKeys of both together.</summary>
internal sealed class Listing(string prefix, string? delimiter, int maxKeys)
{
    public List<StoredObject> Contents { get; } = [];
    public List<string> CommonPrefixes { get; } = [];
    public bool Truncated { get; private set; }

    /// <summary>The last key or common prefix on the page: where the next page starts after.</summary>
    public string? Last { get; private set; }

    /// <summary>Takes a row; false once the page is full (and there is more).</summary>
    public bool Add(StoredObject row)
    {
        if (delimiter is not null && row.Key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal) is var at and >= 0)
        {
            var common = row.Key[..(at + delimiter.Length)];
            if (CommonPrefixes.Count > 0 && CommonPrefixes[^1] == common)
                return true;
            if (Contents.Count + CommonPrefixes.Count == maxKeys)
            {
                Truncated = true;
                return false;
            }
            CommonPrefixes.Add(common);
            Last = common;
            return true;
        }
        if (Contents.Count + CommonPrefixes.Count == maxKeys)
        {
            Truncated = true;
            return false;
        }
        Contents.Add(row);
        Last = row.Key;
        return true;
    }

    public JsonObject Output(bool encode)
    {
        string E(string text) => encode ? ContinuationToken.UrlEncode(text) : text;
        var output = new JsonObject
        {
            ["IsTruncated"] = Truncated,
            ["Prefix"] = E(prefix),
            ["MaxKeys"] = maxKeys,
        };
        if (delimiter is not null)
            output["Delimiter"] = E(delimiter);
        if (encode)
            output["EncodingType"] = "url";
        if (Contents.Count > 0)
        {
            output["Contents"] = new JsonArray(Contents.Select(o =>
            {
                var item = new JsonObject { ["Key"] = E(o.Key), ["LastModified"] = o.LastModified, ["ETag"] = o.ETag, ["Size"] = o.Size, ["StorageClass"] = "STANDARD" };
                if (o.Document["Checksums"] is JsonObject { Count: > 0 } checksums)
                    item["ChecksumAlgorithm"] = new JsonArray(checksums.Select(c => (JsonNode)JsonValue.Create(c.Key)!).ToArray());
                return (JsonNode)item;
            }).ToArray());
        }
        if (CommonPrefixes.Count > 0)
            output["CommonPrefixes"] = new JsonArray(CommonPrefixes.Select(p => (JsonNode)new JsonObject { ["Prefix"] = E(p) }).ToArray());
        return output;
    }
}
