namespace Gatehouse.Identity.Model;

/// <summary>A pool's prefix domain: the hosted pages answer at <c>{Domain}.auth.localhost</c> and <c>/_aws/auth/{Domain}</c>.</summary>
internal sealed record UserPoolDomain(string Domain, string PoolId, int ManagedLoginVersion, DateTimeOffset Created);

internal sealed record ResourceServerScope(string Name, string Description);

/// <summary>A resource server: its custom scopes are granted as <c>{Identifier}/{scope}</c>.</summary>
internal sealed record ResourceServer(string PoolId, string Identifier, string Name, IReadOnlyList<ResourceServerScope> Scopes, DateTimeOffset Created)
{
    public IEnumerable<string> FullScopeNames => Scopes.Select(s => Identifier + "/" + s.Name);
}
