namespace Gatehouse.Objects.Model;

/// <summary>
/// The <c>x-amz-copy-source</c> header: <c>{bucket}/{key}</c>, optionally with a leading slash and
/// <c>?versionId=…</c>, URL-encoded (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html#API_CopyObject_RequestSyntax).
/// </summary>
internal static class CopySource
{
    public static (string Bucket, string Key, string? VersionId) Parse(string header)
    {
        var text = header.TrimStart('/');
        string? versionId = null;
        var query = text.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            foreach (var pair in text[(query + 1)..].Split('&'))
            {
                if (pair.StartsWith("versionId=", StringComparison.Ordinal))
                    versionId = Uri.UnescapeDataString(pair["versionId=".Length..]);
            }
            text = text[..query];
        }
        text = Uri.UnescapeDataString(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1)
            throw ObjectsErrors.InvalidArgument("Invalid copy source object key");
        return (text[..slash], text[(slash + 1)..], versionId);
    }
}
