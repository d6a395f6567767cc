using System.Text;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Gateway.Runtime;

/// <summary>
/// Applies an HTTP_PROXY integration's request parameter mappings (<c>overwrite:</c>, <c>append:</c>,
/// <c>remove:</c> on <c>header.NAME</c>, <c>querystring.NAME</c> and <c>path</c>) and builds the URL
/// the request goes to. Values are a static text or one of <c>$request.header.NAME</c>,
/// <c>$request.querystring.NAME</c>, <c>$request.path.NAME</c>, <c>$request.path</c>,
/// <c>$context.NAME</c> and <c>$stageVariables.NAME</c>.
/// </summary>
internal static class RequestParameterRules
{
    internal sealed class Applied
    {
        public Dictionary<string, List<string>> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
        public List<KeyValuePair<string, string>> Query { get; } = [];
        public string? Path { get; set; }
    }

    public static Applied Apply(GatewayRequest request, IntegrationRuntime integration)
    {
        var applied = new Applied();
        foreach (var (name, values) in request.Http.Request.Headers)
            applied.Headers[name] = [.. values.Select(v => v ?? "")];
        foreach (var (name, values) in request.Http.Request.Query)
        {
            foreach (var value in values)
                applied.Query.Add(new(name, value ?? ""));
        }
        foreach (var rule in integration.RequestParameters)
        {
            var value = Evaluate(request, rule.ValueExpression);
            var target = rule.Target;
            switch (target.Location)
            {
                case MappingLocation.Path:
                    applied.Path = value;
                    break;
                case MappingLocation.Header when target.Action == MappingAction.Remove:
                    applied.Headers.Remove(target.Name);
                    break;
                case MappingLocation.Header when value is not null:
                    if (target.Action == MappingAction.Append && applied.Headers.TryGetValue(target.Name, out var existing))
                        existing.Add(value);
                    else
                        applied.Headers[target.Name] = [value];
                    break;
                case MappingLocation.QueryString when target.Action == MappingAction.Remove:
                    applied.Query.RemoveAll(q => q.Key == target.Name);
                    break;
                case MappingLocation.QueryString when value is not null:
                    if (target.Action == MappingAction.Overwrite)
                        applied.Query.RemoveAll(q => q.Key == target.Name);
                    applied.Query.Add(new(target.Name, value));
                    break;
            }
        }
        return applied;
    }

    public static string? Evaluate(GatewayRequest request, string expression)
    {
        if (!expression.StartsWith('$'))
            return expression;
        var http = request.Http.Request;
        if (expression.StartsWith("$request.header.", StringComparison.Ordinal))
            return http.Headers.TryGetValue(expression[16..], out var header) ? header.ToString() : null;
        if (expression.StartsWith("$request.querystring.", StringComparison.Ordinal))
            return http.Query.TryGetValue(expression[21..], out var query) ? query.ToString() : null;
        if (expression == "$request.path")
            return request.RawPath;
        if (expression.StartsWith("$request.path.", StringComparison.Ordinal))
        {
            var name = expression[14..];
            foreach (var (key, value) in request.Match?.PathParameters ?? [])
            {
                if (key == name)
                    return value;
            }
            return null;
        }
        if (expression.StartsWith("$stageVariables.", StringComparison.Ordinal))
            return request.Stage?.Variables.GetValueOrDefault(expression[16..]);
        if (expression.StartsWith("$context.", StringComparison.Ordinal))
            return ContextVariables.Get(request, expression[9..]);
        return expression;
    }

    /// <summary>
    /// The URL an HTTP_PROXY request goes to: the integration URI with <c>{name}</c> path variables
    /// filled in; for the <c>$default</c> route the request path is appended (it has no variables to
    /// carry it); a mapped <c>overwrite:path</c> replaces the path; the query string is forwarded.
    /// </summary>
    public static Uri? BuildTarget(GatewayRequest request, HttpIntegrationRuntime integration, Applied applied)
    {
        var template = integration.Uri;
        var match = request.Match!.Value;
        var text = new StringBuilder(template.Length + 64);
        var queryStart = template.IndexOf('?', StringComparison.Ordinal);
        var basePart = queryStart < 0 ? template : template[..queryStart];
        var fixedQuery = queryStart < 0 ? "" : template[(queryStart + 1)..];
        for (var i = 0; i < basePart.Length; i++)
        {
            if (basePart[i] == '{')
            {
                var end = basePart.IndexOf('}', i);
                if (end > i)
                {
                    var name = basePart[(i + 1)..end].TrimEnd('+');
                    var value = match.PathParameters.FirstOrDefault(p => p.Key == name).Value ?? "";
                    // Greedy values keep their slashes; each segment is escaped on its own.
                    text.Append(string.Join('/', value.Split('/').Select(Uri.EscapeDataString)));
                    i = end;
                    continue;
                }
            }
            text.Append(basePart[i]);
        }
        if (!Uri.TryCreate(text.ToString(), UriKind.Absolute, out var baseUri))
            return null;
        var builder = new UriBuilder(baseUri);
        if (applied.Path is not null)
            builder.Path = applied.Path;
        else if (match.Route.Key.IsDefault)
        {
            var routePath = request.RawPath[(request.Stage?.PathPrefix.Length ?? 0)..];
            builder.Path = builder.Path.TrimEnd('/') + (routePath.Length == 0 ? "/" : routePath);
        }
        var query = new StringBuilder(fixedQuery);
        foreach (var (name, value) in applied.Query)
        {
            if (query.Length > 0)
                query.Append('&');
            query.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        builder.Query = query.ToString();
        return builder.Uri;
    }
}

/// <summary>The <c>$context.*</c> variables of access logs and parameter mappings.</summary>
internal static class ContextVariables
{
    public static string? Get(GatewayRequest request, string name) => name switch
    {
        "requestId" or "extendedRequestId" => request.RequestId,
        "apiId" => request.Api.ApiId,
        "accountId" => request.Api.Account,
        "domainName" => request.DomainName,
        "domainPrefix" => request.DomainName.Split('.')[0],
        "httpMethod" => request.Http.Request.Method,
        "path" => request.RawPath,
        "protocol" => request.Protocol,
        "routeKey" => request.Match?.Route.Key.Text,
        "stage" => request.Stage?.Name,
        "status" => request.Http.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "identity.sourceIp" => request.SourceIp,
        "identity.userAgent" => request.Http.Request.Headers.UserAgent.ToString(),
        "requestTime" => EventBuilder.FormatTime(request.Time),
        "requestTimeEpoch" => request.Time.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        "responseLength" => request.ResponseLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "responseLatency" => ((long)System.Diagnostics.Stopwatch.GetElapsedTime(request.StartTimestamp).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        "integrationErrorMessage" or "integration.error" => request.IntegrationError,
        "integrationStatus" or "integration.status" => request.IntegrationStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "integrationLatency" or "integration.latency" => request.IntegrationLatencyMs?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "authorizer.error" => request.AuthorizerError,
        "authorizer.principalId" => null,
        "error.message" => request.AuthorizerError ?? request.IntegrationError,
        _ when name.StartsWith("authorizer.claims.", StringComparison.Ordinal) => Claim(request, name[18..]),
        _ => null,
    };

    private static string? Claim(GatewayRequest request, string claim)
    {
        if (request.Jwt is null)
            return null;
        using var document = System.Text.Json.JsonDocument.Parse(request.Jwt.ClaimsJson);
        return document.RootElement.TryGetProperty(claim, out var value) ? value.GetString() : null;
    }
}
