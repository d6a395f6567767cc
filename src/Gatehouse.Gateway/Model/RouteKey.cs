using System.Collections.Immutable;

namespace Gatehouse.Gateway.Model;

/// <summary>One segment of a route path: a literal, a <c>{variable}</c>, or a greedy <c>{variable+}</c>.</summary>
internal readonly record struct RouteSegment(string Text, bool IsVariable, bool IsGreedy);

/// <summary>A parsed route key: <c>$default</c>, or a method (or <c>ANY</c>) and a path template.</summary>
internal sealed record RouteKey(string Text, string Method, ImmutableArray<RouteSegment> Segments)
{
    public const string Default = "$default";

    private static readonly string[] Methods = ["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    public bool IsDefault => Text == Default;

    public bool IsGreedy => !Segments.IsEmpty && Segments[^1].IsGreedy;

    /// <summary>The path part of the key, e.g. <c>/pets/{id}</c> (empty for <c>$default</c>).</summary>
    public string Path => IsDefault ? "" : Text[(Text.IndexOf(' ', StringComparison.Ordinal) + 1)..];

    public static RouteKey? TryParse(string text)
    {
        if (text == Default)
            return new RouteKey(text, "*", []);
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
            return null;
        var method = text[..space];
        var path = text[(space + 1)..];
        if (!Methods.Contains(method, StringComparer.Ordinal) || !path.StartsWith('/') || path.Contains(' ', StringComparison.Ordinal))
            return null;
        var parts = path == "/" ? [] : path[1..].Split('/');
        var segments = ImmutableArray.CreateBuilder<RouteSegment>(parts.Length);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
                return null;
            if (part.StartsWith('{') && part.EndsWith('}'))
            {
                var name = part[1..^1];
                var greedy = name.EndsWith('+');
                if (greedy)
                    name = name[..^1];
                // A greedy variable may only close the path; names must be unique and plain.
                if (name.Length == 0 || (greedy && i != parts.Length - 1) || !names.Add(name) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
                    return null;
                segments.Add(new RouteSegment(name, true, greedy));
            }
            else
            {
                if (part.Contains('{', StringComparison.Ordinal) || part.Contains('}', StringComparison.Ordinal))
                    return null;
                segments.Add(new RouteSegment(part, false, false));
            }
        }
        return new RouteKey(text, method, segments.ToImmutable());
    }
}
