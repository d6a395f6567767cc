using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Functions.Model;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using static Gatehouse.Functions.Operations.FunctionCatalog;

namespace Gatehouse.Functions.Operations;

/// <summary>The account's Lambda limits and usage.</summary>
internal sealed class AccountSettingsOperations : IAwsOperations
{
    private readonly FunctionRegistry _registry;
    private readonly FunctionsOptions _options;

    public AccountSettingsOperations(FunctionRegistry registry, FunctionsOptions options)
    {
        _registry = registry;
        _options = options;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Lambda.Operations.GetAccountSettings, GetAccountSettingsAsync);

    private ValueTask<AwsResponse> GetAccountSettingsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var functions = _registry.All.Where(f => f.Account == request.Context.Account && f.Region == request.Context.Region).ToList();
        var reserved = functions.Sum(f => f.ReservedConcurrency ?? 0);
        var codeSize = functions.SelectMany(f => f.Versions.Values.Prepend(f.Latest)).Sum(h => h.Config.CodeSize);
        return ValueTask.FromResult<AwsResponse>(new JsonObject
        {
            ["AccountLimit"] = new JsonObject
            {
                ["TotalCodeSize"] = 80530636800L,
                ["CodeSizeUnzipped"] = 262144000L,
                ["CodeSizeZipped"] = 52428800L,
                ["ConcurrentExecutions"] = _options.MaxConcurrency,
                ["UnreservedConcurrentExecutions"] = _options.MaxConcurrency - reserved,
            },
            ["AccountUsage"] = new JsonObject { ["TotalCodeSize"] = codeSize, ["FunctionCount"] = (long)functions.Count },
        });
    }
}
