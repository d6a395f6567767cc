using System.Net;

namespace Gatehouse.Objects.Model;

/// <summary>
/// S3's naming rules for general purpose buckets
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): 3 to 63
/// characters of lower-case letters, digits, dots and hyphens; a letter or digit at each end; no
/// two adjacent dots; not an IP address; none of the reserved prefixes and suffixes.
/// </summary>
internal static class BucketNames
{
    private static readonly string[] ReservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
    private static readonly string[] ReservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

    public static bool IsValid(string name)
    {
        if (name.Length is < 3 or > 63)
            return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
                return false;
        }
        if (!char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
            return false;
        if (name.Contains("..", StringComparison.Ordinal))
            return false;
        if (name.Count(c => c == '.') == 3 && IPAddress.TryParse(name, out _))
            return false;
        return !ReservedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))
            && !ReservedSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal));
    }
}
