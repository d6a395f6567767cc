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

    /// <param name="routeByRequiredMembers">restXml (S3): required query and header members take part in
    /// matching, since several of S3's operations share one method and URI.</param>
    public RestRouter(ServiceModel model, bool routeByRequiredMembers = false)
    {
        _byMethod = model.Operations.Values
            .Select(o => new Template(o, routeByRequiredMembers))
            .GroupBy(t => t.Operation.HttpMethod, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(g => g.Key, g => g.OrderByDescending(t => t.Score).ToArray(), StringComparer.OrdinalIgnoreCase);
        // A URI that starts with a label (S3's /{Bucket}) claims no prefix: such a service is found by its signature or host.
        Prefixes = model.Operations.Values
            .Select(o => "/" + o.RequestUri.TrimStart('/').Split('/', '?')[0] + "/")
            .Where(p => p != "//" && !p.StartsWith("/{", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The distinct first path segments of the model's URIs (e.g. <c>/2015-03-31/</c>, <c>/v2/</c>).</summary>
    public string[] Prefixes { get; }

    public bool PathBelongs(string rawPath) => Prefixes.Any(p => rawPath.StartsWith(p, StringComparison.Ordinal));

    /// <summary>Matches the raw (still percent-encoded) path; labels come back decoded.</summary>
    public OperationModel? Match(string method, string rawPath, Func<string, string?> query, out Dictionary<string, string> labels) =>
        Match(method, rawPath, query, static _ => false, out labels);

    /// <summary>
    /// Matches as above; <paramref name="hasHeader"/> lets templates whose operation requires a header
    /// member (S3's CopyObject needs <c>x-amz-copy-source</c>) or a query member (UploadPart needs
    /// <c>partNumber</c> and <c>uploadId</c>) win over their plain siblings on the same URI.
    /// A greedy label keeps a trailing slash (an S3 key <c>folder/</c>).
    /// </summary>
    public OperationModel? Match(string method, string rawPath, Func<string, string?> query, Func<string, bool> hasHeader, out Dictionary<string, string> labels)
    {
        labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!_byMethod.TryGetValue(method, out var templates))
            return null;
        var segments = rawPath.TrimStart('/').Split('/');
        if (segments.Length == 1 && segments[0].Length == 0)
            segments = [];
        foreach (var template in templates)
        {
            if (template.TryMatch(segments, query, hasHeader, labels))
                return template.Operation;
            labels.Clear();
        }
        return null;
    }

    private sealed class Template
    {
        private readonly string[] _segments;
        private readonly (string Name, string? Value)[] _queryLiterals;
        private readonly string[] _requiredQuery;
        private readonly string[] _requiredHeaders;

        public Template(OperationModel operation, bool routeByRequiredMembers)
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
            Member[] required = routeByRequiredMembers && operation.Input is { } input ? input.Members.Where(m => input.Required.Contains(m.Name)).ToArray() : [];
            _requiredQuery = required.Where(m => m.Location == "querystring").Select(m => m.WireName).ToArray();
            _requiredHeaders = required.Where(m => m.Location == "header").Select(m => m.WireName).ToArray();
            Score = _segments.Count(s => !s.StartsWith('{')) * 10 + (_queryLiterals.Length + _requiredQuery.Length + _requiredHeaders.Length) * 5
                - (_segments.Any(s => s.EndsWith("+}", StringComparison.Ordinal)) ? 3 : 0)
                // Ties on one URI: the current operation over the deprecated one, and S3's general
                // purpose ListBuckets over ListDirectoryBuckets (served on S3 Express's own endpoint).
                - (operation.Deprecated ? 2 : 0) - (routeByRequiredMembers && operation.Name == "ListDirectoryBuckets" ? 2 : 0);
        }

        public OperationModel Operation { get; }
        public int Score { get; }

        public bool TryMatch(string[] segments, Func<string, string?> query, Func<string, bool> hasHeader, Dictionary<string, string> labels)
        {
            if (!_requiredQuery.All(q => query(q) is not null) || !_requiredHeaders.All(hasHeader))
                return false;
            for (var i = 0; i < _segments.Length; i++)
            {
                var pattern = _segments[i];
                if (pattern.StartsWith('{'))
                {
                    var name = pattern[1..^1];
                    if (name.EndsWith('+'))
                    {
                        var rest = i >= segments.Length ? "" : string.Join('/', segments[i..]);
                        if (rest.Length == 0)
                            return false;
                        labels[name[..^1]] = Uri.UnescapeDataString(rest);
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
            // A trailing slash after the last label (GET /bucket/) names the same resource.
            var length = segments.Length > 0 && segments[^1].Length == 0 ? segments.Length - 1 : segments.Length;
            return length == _segments.Length && QueryMatches(query);
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
