using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gatehouse.Identity.HostedUi;
using Gatehouse.Identity.Model;
using Gatehouse.Protocol;
using Op = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Operations;

namespace Gatehouse.Identity.Operations;

/// <summary>
/// User pool domains (prefix domains only). A domain makes the hosted pages and OAuth endpoints
/// answer at <c>http://{prefix}.auth.localhost:{port}/…</c> (Host-routed) and at the path-style
/// <c>{public URL}/_aws/auth/{prefix}/…</c> for clients that cannot resolve <c>*.localhost</c>.
/// </summary>
internal sealed class DomainOperations(IdentityState identity) : IAwsOperations
{
    private readonly IdentityState _state = identity;

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Op.CreateUserPoolDomain, CreateUserPoolDomainAsync)
        .Map(Op.DescribeUserPoolDomain, DescribeUserPoolDomainAsync)
        .Map(Op.UpdateUserPoolDomain, UpdateUserPoolDomainAsync)
        .Map(Op.DeleteUserPoolDomain, DeleteUserPoolDomainAsync);

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
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            if (state.Domain is not null)
                throw IdentityErrors.PoolHasDomain();
            if (_state.Domains.ContainsKey(name))
                throw IdentityErrors.DomainTaken();
            var domain = new UserPoolDomain(name, state.Pool.Id, version, _state.Now);
            await _state.WriteAsync((c, t) => HostedUiStore.SaveDomainAsync(c, t, domain), ct).ConfigureAwait(false);
            state.Domain = domain;
            _state.Domains[name] = state;
        }
        return new JsonObject { ["ManagedLoginVersion"] = version };
    }

    private ValueTask<AwsResponse> DescribeUserPoolDomainAsync(AwsRequest request, CancellationToken ct)
    {
        var name = request.Input.Req("Domain");
        // Cognito answers an unknown domain with an empty description, not an error.
        if (!_state.Domains.TryGetValue(name, out var state) || state.Domain is not { } domain || state.Pool.Account != request.Context.Account)
            return ValueTask.FromResult<AwsResponse>(new JsonObject { ["DomainDescription"] = new JsonObject() });
        return ValueTask.FromResult<AwsResponse>(new JsonObject
        {
            ["DomainDescription"] = new JsonObject
            {
                ["UserPoolId"] = state.Pool.Id,
                ["AWSAccountId"] = state.Pool.Account,
                ["Domain"] = domain.Domain,
                // Where AWS names the CloudFront host that serves the domain, Gatehouse names the host it answers on.
                ["CloudFrontDistribution"] = _state.HostedDomainHost(domain.Domain),
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
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            if (state.Domain is not { } domain || domain.Domain != name)
                throw IdentityErrors.NoSuchDomain();
            updated = domain with { ManagedLoginVersion = request.Input.Int("ManagedLoginVersion") ?? domain.ManagedLoginVersion };
            await _state.WriteAsync((c, t) => HostedUiStore.SaveDomainAsync(c, t, updated), ct).ConfigureAwait(false);
            state.Domain = updated;
        }
        return new JsonObject { ["ManagedLoginVersion"] = updated.ManagedLoginVersion };
    }

    private async ValueTask<AwsResponse> DeleteUserPoolDomainAsync(AwsRequest request, CancellationToken ct)
    {
        var name = request.Input.Req("Domain");
        using (await _state.GateAsync(ct).ConfigureAwait(false))
        {
            var state = _state.Pool(request);
            if (state.Domain is not { } domain || domain.Domain != name)
                throw IdentityErrors.NoSuchDomain();
            await _state.WriteAsync((c, t) => HostedUiStore.DeleteDomainAsync(c, t, name), ct).ConfigureAwait(false);
            state.Domain = null;
            _state.Domains.TryRemove(name, out _);
        }
        return AwsResponse.Empty;
    }
}
