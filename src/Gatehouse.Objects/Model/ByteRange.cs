using System.Globalization;

namespace Gatehouse.Objects.Model;

/// <summary>
/// One HTTP byte range (RFC 9110 §14.1.2) as S3 reads the <c>Range</c> header: <c>bytes=a-b</c>,
/// <c>bytes=a-</c>, <c>bytes=-n</c>. A header S3 cannot read, or one with several ranges, is
/// ignored (the whole object is answered); a range wholly past the end is InvalidRange (416).
/// </summary>
internal static class ByteRange
{
    public static (long Offset, long Length)? Parse(string header, long size)
    {
        header = header.Trim();
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',', StringComparison.Ordinal))
            return null;
        var spec = header[6..];
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
            return null;
        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
                return null;
            if (suffix == 0 || size == 0)
                throw ObjectsErrors.InvalidRange(size);
            var length = Math.Min(suffix, size);
            return (size - length, length);
        }
        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start))
            return null;
        long end = size - 1;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start)
                return null;
        }
        if (start >= size)
            throw ObjectsErrors.InvalidRange(size);
        end = Math.Min(end, size - 1);
        return (start, end - start + 1);
    }
}
