using System.Text;
using System.Text.RegularExpressions;

namespace Gatehouse.Gateway.Runtime;

/// <summary>
/// A stage's <c>accessLogSettings.format</c>, split once into literal text and <c>$context.*</c>
/// variables, rendered per request. Unknown or empty variables print as <c>-</c>, as API Gateway does.
/// </summary>
internal sealed partial class AccessLogFormat
{
    private readonly (string Text, bool IsVariable)[] _parts;

    public AccessLogFormat(string format, string? destinationArn)
    {
        DestinationArn = destinationArn;
        var parts = new List<(string, bool)>();
        var last = 0;
        foreach (Match match in Variable().Matches(format))
        {
            if (match.Index > last)
                parts.Add((format[last..match.Index], false));
            parts.Add((match.Value["$context.".Length..], true));
            last = match.Index + match.Length;
        }
        if (last < format.Length)
            parts.Add((format[last..], false));
        _parts = [.. parts];
    }

    public string? DestinationArn { get; }

    public string Render(Func<string, string?> variable)
    {
        var line = new StringBuilder();
        foreach (var (text, isVariable) in _parts)
        {
            if (!isVariable)
            {
                line.Append(text);
                continue;
            }
            var value = variable(text);
            line.Append(string.IsNullOrEmpty(value) ? "-" : value);
        }
        return line.ToString();
    }

    [GeneratedRegex(@"\$context\.[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*")]
    private static partial Regex Variable();
}
