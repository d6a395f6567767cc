using System.Collections.Frozen;
using Gatehouse.Protocol.Model;

namespace Gatehouse.Protocol;

/// <summary>
/// Finds a restJson1 operation from method and path using the model's URI templates
/// (<c>/2015-03-31/functions/{FunctionName}/invocations</c>, greedy <c>{Key+}</c>, literal query
/// parts such as <c>?List=ALL</c>). When several templates match, the one with most literal
/// segments wins, as in AWS's own routers.
/// </summary>
internal sealed class RestRouter
{
    private readonly FrozenDictionary<string, Template[]> _byMethod;

    public RestRouter(ServiceModel model)
    {
        _byMethod = model.Operations.Values
            .Select(o => new Template(o))
            .GroupBy(t => t.Operation.HttpMethod, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(g => g.Key, g => g.OrderByDescending(t => t.Score).ToArray(), StringComparer.OrdinalIgnoreCase);
        Prefixes = model.Operations.Values
            .Select(o => "/" + o.RequestUri.TrimStart('/').Split('/', '?')[0] + "/")
            .Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The distinct first path segments of the model's URIs (e.g. <c>/2015-03-31/</c>, <c>/v2/</c>).</summary>
    public string[] Prefixes { get; }

    public bool PathBelongs(string rawPath) => Prefixes.Any(p => rawPath.StartsWith(p, StringComparison.Ordinal));

    /// <summary>Matches the raw (still percent-encoded) path; labels come back decoded.</summary>
    public OperationModel? Match(string method, string rawPath, Func<string, string?> query, out Dictionary<string, string> labels)
    {
        labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!_byMethod.TryGetValue(method, out var templates))
            return null;
        var segments = rawPath.Trim('/').Split('/');
        if (segments.Length == 1 && segments[0].Length == 0)
            segments = [];
        foreach (var template in templates)
        {
            if (template.TryMatch(segments, query, labels))
                return template.Operation;
            labels.Clear();
        }
        return null;
    }

    private sealed class Template
    {
        private readonly string[] _segments;
        private readonly (string Name, string? Value)[] _queryLiterals;

        public Template(OperationModel operation)
        {
            Operation = operation;
            var uri = operation.RequestUri;
            var queryStart = uri.IndexOf('?', StringComparison.Ordinal);
            var path = queryStart < 0 ? uri : uri[..queryStart];
            _segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            _queryLiterals = queryStart < 0
                ? []
                : uri[(queryStart + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries)
                    .Select(p => p.Split('=', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : null)).ToArray();
            Score = _segments.Count(s => !s.StartsWith('{')) * 10 + _queryLiterals.Length * 5 - (_segments.Any(s => s.EndsWith("+}", StringComparison.Ordinal)) ? 3 : 0);
        }

        public OperationModel Operation { get; }
        public int Score { get; }

        public bool TryMatch(string[] segments, Func<string, string?> query, Dictionary<string, string> labels)
        {
            for (var i = 0; i < _segments.Length; i++)
            {
                var pattern = _segments[i];
                if (pattern.StartsWith('{'))
                {
                    var name = pattern[1..^1];
                    if (name.EndsWith('+'))
                    {
                        if (i >= segments.Length)
                            return false;
                        labels[name[..^1]] = Uri.UnescapeDataString(string.Join('/', segments[i..]));
                        return QueryMatches(query);
                    }
                    if (i >= segments.Length || segments[i].Length == 0)
                        return false;
                    labels[name] = Uri.UnescapeDataString(segments[i]);
                }
                else if (i >= segments.Length || !string.Equals(segments[i], pattern, StringComparison.Ordinal))
                {
                    return false;
                }
            }
            return segments.Length == _segments.Length && QueryMatches(query);
        }

        private bool QueryMatches(Func<string, string?> query)
        {
            foreach (var (name, value) in _queryLiterals)
            {
                var actual = query(name);
                if (actual is null || (value is not null && actual != value))
                    return false;
            }
            return true;
        }
    }
}
