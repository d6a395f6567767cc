using System.Buffers.Text;
using System.Text;

namespace Gatehouse.Identity.Operations;

/// <summary>The user pool List* operations' page tokens.</summary>
internal static class Paging
{
    /// <summary>Keyset pagination over a sorted sequence: the token is the (encoded) last key of the previous page.</summary>
    public static (List<T> Page, string? Next) Paginate<T>(IEnumerable<T> sorted, Func<T, string> key, string? token, int limit)
    {
        string? after = null;
        if (!string.IsNullOrEmpty(token))
        {
            try
            {
                after = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            }
            catch (FormatException)
            {
                throw IdentityErrors.BadPaginationToken();
            }
        }
        var items = after is null ? sorted : sorted.Where(i => string.CompareOrdinal(key(i), after) > 0);
        if (limit <= 0)
            limit = 60;
        var page = items.Take(limit + 1).ToList();
        string? next = null;
        if (page.Count > limit)
        {
            page.RemoveAt(limit);
            next = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key(page[^1])));
        }
        return (page, next);
    }
}
