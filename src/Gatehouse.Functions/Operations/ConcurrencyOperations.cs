using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Functions.Model;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using static Gatehouse.Functions.Operations.FunctionCatalog;

namespace Gatehouse.Functions.Operations;

/// <summary>Reserved concurrency of a function.</summary>
internal sealed class ConcurrencyOperations : IAwsOperations
{
    private readonly FunctionCatalog _functions;
    private readonly FunctionRegistry _registry;
    private readonly FunctionsOptions _options;

    public ConcurrencyOperations(FunctionCatalog functions, FunctionRegistry registry, FunctionsOptions options)
    {
        _functions = functions;
        _registry = registry;
        _options = options;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Lambda.Operations.PutFunctionConcurrency, PutFunctionConcurrencyAsync)
        .Map(Lambda.Operations.GetFunctionConcurrency, GetFunctionConcurrencyAsync)
        .Map(Lambda.Operations.DeleteFunctionConcurrency, DeleteFunctionConcurrencyAsync);

    private ValueTask<AwsResponse> PutFunctionConcurrencyAsync(AwsRequest request, CancellationToken cancellationToken) => _functions.LockedAsync(async () =>
    {
        var (entry, _) = _functions.Find(request, qualifierMember: null);
        var reserved = request.Input.Int("ReservedConcurrentExecutions") ?? 0;
        var reservedElsewhere = _registry.All.Where(f => f != entry && f.Account == entry.Account).Sum(f => f.ReservedConcurrency ?? 0);
        if (reserved < 0 || reservedElsewhere + reserved > _options.MaxConcurrency)
            throw FunctionErrors.ReservedConcurrencyTooHigh(0);
        await _functions.SaveAsync(entry, reserved, entry.Tags, entry.Policy, entry.PolicyRevisionId, cancellationToken).ConfigureAwait(false);
        entry.Concurrency.Limit = reserved;
        return new JsonObject { ["ReservedConcurrentExecutions"] = reserved };
    }, cancellationToken);

    private ValueTask<AwsResponse> GetFunctionConcurrencyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (entry, _) = _functions.Find(request, qualifierMember: null);
        var output = new JsonObject();
        if (entry.ReservedConcurrency is { } reserved)
            output["ReservedConcurrentExecutions"] = reserved;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private ValueTask<AwsResponse> DeleteFunctionConcurrencyAsync(AwsRequest request, CancellationToken cancellationToken) => _functions.LockedAsync(async () =>
    {
        var (entry, _) = _functions.Find(request, qualifierMember: null);
        await _functions.SaveAsync(entry, null, entry.Tags, entry.Policy, entry.PolicyRevisionId, cancellationToken).ConfigureAwait(false);
        entry.Concurrency.Limit = -1;
        return new JsonObject();
    }, cancellationToken);
}
