using Gatehouse.Gateway.Model;

namespace Gatehouse.Gateway.Runtime;

/// <summary>A route matched for a request, with its path variables (decoded).</summary>
internal readonly record struct RouteMatch(RouteRuntime Route, KeyValuePair<string, string>[] PathParameters);

/// <summary>
/// Finds the route for a method and path with API Gateway's precedence: routes without a greedy
/// variable first (at the first segment where two differ, a literal beats a variable), then greedy
/// routes (longer literal prefix first); for the same path an explicit method beats <c>ANY</c>;
/// <c>$default</c> last. Built once per deployed stage; matching allocates only the parameters.
/// </summary>
internal sealed class RouteTable
{
    private readonly RouteRuntime[] _ordered;
    private readonly RouteRuntime? _default;

    public RouteTable(IEnumerable<RouteRuntime> routes)
    {
        var list = routes.ToList();
        _default = list.FirstOrDefault(r => r.Key.IsDefault);
        _ordered = [.. list.Where(r => !r.Key.IsDefault).Order(Precedence.Instance)];
    }

    public int Count => _ordered.Length + (_default is null ? 0 : 1);

    /// <summary>Every route, in the order they are tried.</summary>
    public IEnumerable<RouteRuntime> Routes => _default is null ? _ordered : _ordered.Append(_default);

    /// <summary>Matches <paramref name="path"/> (the request path after any stage prefix, still percent-encoded).</summary>
    public RouteMatch? Match(string method, string path)
    {
        if (_ordered.Length > 0)
        {
            Span<Range> ranges = stackalloc Range[64];
            var trimmed = path.AsSpan();
            if (trimmed.Length > 0 && trimmed[0] == '/')
                trimmed = trimmed[1..];
            var count = trimmed.Length == 0 ? 0 : trimmed.Split(ranges, '/');
            // Paths deeper than the buffer only match greedy routes (handled by the slow path).
            if (count == ranges.Length)
                return MatchSlow(method, path);
            foreach (var route in _ordered)
            {
                if (route.Key.Method != "ANY" && !string.Equals(route.Key.Method, method, StringComparison.Ordinal))
                    continue;
                if (TryMatch(route, trimmed, ranges[..count], out var parameters))
                    return new RouteMatch(route, parameters);
            }
        }
        return _default is null ? null : new RouteMatch(_default, []);
    }

    private RouteMatch? MatchSlow(string method, string path)
    {
        var trimmed = path.AsSpan(1);
        var parts = path[1..].Split('/');
        var ranges = new Range[parts.Length];
        var offset = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            ranges[i] = new Range(offset, offset + parts[i].Length);
            offset += parts[i].Length + 1;
        }
        foreach (var route in _ordered)
        {
            if (route.Key.Method != "ANY" && !string.Equals(route.Key.Method, method, StringComparison.Ordinal))
                continue;
            if (TryMatch(route, trimmed, ranges, out var parameters))
                return new RouteMatch(route, parameters);
        }
        return _default is null ? null : new RouteMatch(_default, []);
    }

    private static bool TryMatch(RouteRuntime route, ReadOnlySpan<char> path, ReadOnlySpan<Range> segments, out KeyValuePair<string, string>[] parameters)
    {
        parameters = [];
        var pattern = route.Key.Segments;
        if (route.Key.IsGreedy ? segments.Length < pattern.Length : segments.Length != pattern.Length)
            return false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var segment = path[segments[i]];
            var expected = pattern[i];
            if (expected.IsVariable)
            {
                // A variable never matches an empty segment ("/pets//1").
                if (segment.IsEmpty)
                    return false;
            }
            else if (!segment.SequenceEqual(expected.Text))
            {
                return false;
            }
        }
        if (route.VariableCount == 0)
            return true;
        parameters = new KeyValuePair<string, string>[route.VariableCount];
        var index = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            if (!pattern[i].IsVariable)
                continue;
            var value = pattern[i].IsGreedy ? path[segments[i].Start.Value..] : path[segments[i]];
            parameters[index++] = KeyValuePair.Create(pattern[i].Text, Unescape(value));
        }
        return true;
    }

    private static string Unescape(ReadOnlySpan<char> value) =>
        value.Contains('%') ? Uri.UnescapeDataString(value.ToString()) : value.ToString();

    /// <summary>The order routes are tried in.</summary>
    private sealed class Precedence : IComparer<RouteRuntime>
    {
        public static readonly Precedence Instance = new();

        public int Compare(RouteRuntime? x, RouteRuntime? y)
        {
            var a = x!.Key;
            var b = y!.Key;
            if (a.IsGreedy != b.IsGreedy)
                return a.IsGreedy ? 1 : -1;
            var shared = Math.Min(a.Segments.Length, b.Segments.Length);
            for (var i = 0; i < shared; i++)
            {
                var sa = a.Segments[i];
                var sb = b.Segments[i];
                if (sa.IsGreedy != sb.IsGreedy)
                    return sa.IsGreedy ? 1 : -1;
                if (sa.IsVariable != sb.IsVariable)
                    return sa.IsVariable ? 1 : -1;
            }
            // Among greedy routes the longer literal prefix is the more specific.
            if (a.Segments.Length != b.Segments.Length)
                return b.Segments.Length.CompareTo(a.Segments.Length);
            var anyA = a.Method == "ANY";
            var anyB = b.Method == "ANY";
            if (anyA != anyB)
                return anyA ? 1 : -1;
            return string.CompareOrdinal(a.Text, b.Text);
        }
    }
}
