using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gatehouse.Identity.HostedUi;
using Gatehouse.Identity.Model;
using Gatehouse.Protocol;
using Op = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Operations;

namespace Gatehouse.Identity;

/// <summary>
/// User pool domains (prefix domains only). A domain makes the hosted pages and OAuth endpoints
/// answer at <c>http://{prefix}.auth.localhost:{port}/…</c> (Host-routed) and at the path-style
/// <c>{public URL}/_aws/auth/{prefix}/…</c> for clients that cannot resolve <c>*.localhost</c>.
/// </summary>
public sealed partial class IdentityService
{
    /// <summary>Domain prefix → its pool, for the hosted endpoints.</summary>
    private readonly ConcurrentDictionary<string, PoolState> _domains = new(StringComparer.Ordinal);

    private void MapDomainOperations() => Definition
        .Map(Op.CreateUserPoolDomain, CreateUserPoolDomainAsync)
        .Map(Op.DescribeUserPoolDomain, DescribeUserPoolDomain)
        .Map(Op.UpdateUserPoolDomain, UpdateUserPoolDomainAsync)
        .Map(Op.DeleteUserPoolDomain, DeleteUserPoolDomainAsync);

    /// <summary>Loads domains and resource servers (after the pools) at start.</summary>
    private async Task LoadHostedUiAsync(CancellationToken ct)
    {
        var (domains, servers) = await _database.ReadAsync(HostedUiStore.LoadAsync, ct).ConfigureAwait(false);
        foreach (var domain in domains)
        {
            if (_pools.TryGetValue(domain.PoolId, out var state))
            {
                state.Domain = domain;
                _domains[domain.Domain] = state;
            }
        }
        foreach (var server in servers)
        {
            if (_pools.TryGetValue(server.PoolId, out var state))
                state.ResourceServers[server.Identifier] = server;
        }
    }

    /// <summary>The pool a hosted-UI domain prefix belongs to.</summary>
    internal bool TryGetDomain(string prefix, out PoolState state) => _domains.TryGetValue(prefix, out state!);

    private static void RejectCustomDomain(JsonObject input)
    {
        // A custom domain needs a certificate and DNS that a local emulator cannot provide.
        if (input.Obj("CustomDomainConfig") is not null || input.Req("Domain").Contains('.', StringComparison.Ordinal))
            throw IdentityErrors.CustomDomainUnsupported();
    }

    private async ValueTask<AwsResponse> CreateUserPoolDomainAsync(AwsRequest request, CancellationToken ct)
    {
        RejectCustomDomain(request.Input);
        var name = request.Input.Req("Domain");
        var version = request.Input.Int("ManagedLoginVersion") ?? 1;
        using (await GateAsync(ct).ConfigureAwait(false))
        {
            var state = Pool(request);
            if (state.Domain is not null)
                throw IdentityErrors.PoolHasDomain();
            if (_domains.ContainsKey(name))
                throw IdentityErrors.DomainTaken();
            var domain = new UserPoolDomain(name, state.Pool.Id, version, Now);
            await WriteAsync((c, t) => HostedUiStore.SaveDomainAsync(c, t, domain), ct).ConfigureAwait(false);
            state.Domain = domain;
            _domains[name] = state;
        }
        return new JsonObject { ["ManagedLoginVersion"] = version };
    }

    private ValueTask<AwsResponse> DescribeUserPoolDomain(AwsRequest request, CancellationToken ct)
    {
        var name = request.Input.Req("Domain");
        // Cognito answers an unknown domain with an empty description, not an error.
        if (!_domains.TryGetValue(name, out var state) || state.Domain is not { } domain || state.Pool.Account != request.Context.Account)
            return ValueTask.FromResult<AwsResponse>(new JsonObject { ["DomainDescription"] = new JsonObject() });
        return ValueTask.FromResult<AwsResponse>(new JsonObject
        {
            ["DomainDescription"] = new JsonObject
            {
                ["UserPoolId"] = state.Pool.Id,
                ["AWSAccountId"] = state.Pool.Account,
                ["Domain"] = domain.Domain,
                // Where AWS names the CloudFront host that serves the domain, Gatehouse names the host it answers on.
                ["CloudFrontDistribution"] = HostedDomainHost(domain.Domain),
                ["Version"] = "20130630",
                ["Status"] = "ACTIVE",
                ["ManagedLoginVersion"] = domain.ManagedLoginVersion,
            },
        });
    }

    private async ValueTask<AwsResponse> UpdateUserPoolDomainAsync(AwsRequest request, CancellationToken ct)
    {
        RejectCustomDomain(request.Input);
        var name = request.Input.Req("Domain");
        UserPoolDomain updated;
        using (await GateAsync(ct).ConfigureAwait(false))
        {
            var state = Pool(request);
            if (state.Domain is not { } domain || domain.Domain != name)
                throw IdentityErrors.NoSuchDomain();
            updated = domain with { ManagedLoginVersion = request.Input.Int("ManagedLoginVersion") ?? domain.ManagedLoginVersion };
            await WriteAsync((c, t) => HostedUiStore.SaveDomainAsync(c, t, updated), ct).ConfigureAwait(false);
            state.Domain = updated;
        }
        return new JsonObject { ["ManagedLoginVersion"] = updated.ManagedLoginVersion };
    }

    private async ValueTask<AwsResponse> DeleteUserPoolDomainAsync(AwsRequest request, CancellationToken ct)
    {
        var name = request.Input.Req("Domain");
        using (await GateAsync(ct).ConfigureAwait(false))
        {
            var state = Pool(request);
            if (state.Domain is not { } domain || domain.Domain != name)
                throw IdentityErrors.NoSuchDomain();
            await WriteAsync((c, t) => HostedUiStore.DeleteDomainAsync(c, t, name), ct).ConfigureAwait(false);
            state.Domain = null;
            _domains.TryRemove(name, out _);
        }
        return AwsResponse.Empty;
    }

    /// <summary>The Host-routed name of a domain: <c>{prefix}.auth.{public host}</c> (localhost by default).</summary>
    internal string HostedDomainHost(string prefix) => prefix + ".auth." + PublicHostForDomains;

    /// <summary>The host under which prefix domains live: the public URL's host, with IP addresses read as localhost.</summary>
    internal string PublicHostForDomains
    {
        get
        {
            var host = new Uri(_options.EffectivePublicUrl).Host;
            return System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _) ? "localhost" : host;
        }
    }

    /// <summary>The path-style base URL of a domain's hosted endpoints (works with any client: same host as the issuer).</summary>
    internal string HostedPathBaseUrl(string prefix) => $"{_options.EffectivePublicUrl}{HostedUiPaths.PathPrefix}{prefix}";

    /// <summary>The Host-routed base URL of a domain's hosted endpoints (what a browser is shown).</summary>
    internal string HostedHostBaseUrl(string prefix)
    {
        var uri = new Uri(_options.EffectivePublicUrl);
        return $"{uri.Scheme}://{HostedDomainHost(prefix)}:{uri.Port}";
    }
}
