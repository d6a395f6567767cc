namespace Gatehouse.Gateway.Runtime;

internal enum IdentitySourceKind
{
    Header,
    QueryString,
    Context,
    StageVariable,
}

/// <summary>An authorizer identity source such as <c>$request.header.Authorization</c>.</summary>
internal sealed record IdentitySource(IdentitySourceKind Kind, string Name)
{
    public static IdentitySource? TryParse(string text)
    {
        (string Prefix, IdentitySourceKind Kind)[] forms =
        [
            ("$request.header.", IdentitySourceKind.Header),
            ("$request.querystring.", IdentitySourceKind.QueryString),
            ("$context.", IdentitySourceKind.Context),
            ("$stageVariables.", IdentitySourceKind.StageVariable),
        ];
        foreach (var (prefix, kind) in forms)
        {
            if (text.StartsWith(prefix, StringComparison.Ordinal) && text.Length > prefix.Length)
                return new IdentitySource(kind, text[prefix.Length..]);
        }
        return null;
    }

    /// <summary>The source's value in a request, or null when the request does not have it.</summary>
    public string? Read(GatewayRequest request) => Kind switch
    {
        IdentitySourceKind.Header => request.Http.Request.Headers.TryGetValue(Name, out var header) ? header.ToString() : null,
        IdentitySourceKind.QueryString => request.Http.Request.Query.TryGetValue(Name, out var query) ? query.ToString() : null,
        IdentitySourceKind.StageVariable => request.Stage?.Variables.GetValueOrDefault(Name),
        IdentitySourceKind.Context => ContextVariables.Get(request, Name),
        _ => null,
    };
}
