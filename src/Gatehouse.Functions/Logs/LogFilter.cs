using System.Globalization;

namespace Gatehouse.Functions.Logs;

/// <summary>
/// CloudWatch Logs' plain filter patterns: space-separated terms that must all appear, a quoted
/// phrase, <c>?term</c> alternatives and <c>-term</c> exclusions. (JSON and space-delimited
/// patterns are matched as plain text.)
/// </summary>
internal sealed class LogFilter
{
    private readonly List<string> _all = [];
    private readonly List<string> _any = [];
    private readonly List<string> _none = [];

    public static LogFilter Parse(string? pattern)
    {
        var filter = new LogFilter();
        if (string.IsNullOrWhiteSpace(pattern))
            return filter;
        var i = 0;
        while (i < pattern.Length)
        {
            if (char.IsWhiteSpace(pattern[i]))
            {
                i++;
                continue;
            }
            var target = filter._all;
            if (pattern[i] == '?') { target = filter._any; i++; }
            else if (pattern[i] == '-') { target = filter._none; i++; }
            string term;
            if (i < pattern.Length && pattern[i] == '"')
            {
                var end = pattern.IndexOf('"', i + 1);
                term = end < 0 ? pattern[(i + 1)..] : pattern[(i + 1)..end];
                i = end < 0 ? pattern.Length : end + 1;
            }
            else
            {
                var end = i;
                while (end < pattern.Length && !char.IsWhiteSpace(pattern[end]))
                    end++;
                term = pattern[i..end];
                i = end;
            }
            if (term.Length > 0)
                target.Add(term);
        }
        return filter;
    }

    public bool Matches(string message) =>
        _all.All(t => message.Contains(t, StringComparison.Ordinal))
        && (_any.Count == 0 || _any.Any(t => message.Contains(t, StringComparison.Ordinal)))
        && !_none.Any(t => message.Contains(t, StringComparison.Ordinal));
}
