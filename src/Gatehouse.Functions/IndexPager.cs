using System.Globalization;

namespace Gatehouse.Functions;

/// <summary>
/// The paging scheme Lambda (Marker, https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html)
/// and CloudWatch Logs (nextToken, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html)
/// share here: the token is the index of the next item as decimal text, opaque to clients.
/// The token format is fixed: clients may hold tokens.
/// </summary>
internal static class IndexPager
{
    /// <summary>The index a token names (0 for none); false when it is not a decimal index.</summary>
    public static bool TryStart(string? token, out int start)
    {
        start = 0;
        return token is null || int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out start);
    }

    /// <summary>Up to <paramref name="size"/> items from <paramref name="start"/>, and the token for the next page (null at the end).</summary>
    public static (List<T> Page, string? Next) Page<T>(List<T> all, int start, int size)
    {
        var page = all.Skip(start).Take(size).ToList();
        var next = start + page.Count < all.Count ? (start + page.Count).ToString(CultureInfo.InvariantCulture) : null;
        return (page, next);
    }
}
