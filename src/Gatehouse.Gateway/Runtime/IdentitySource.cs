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
}
