using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Functions.Model;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;
using static Gatehouse.Functions.Operations.FunctionCatalog;

namespace Gatehouse.Functions.Operations;

/// <summary>Aliases: named pointers to a version.</summary>
internal sealed class AliasOperations : IAwsOperations
{
    private readonly FunctionCatalog _functions;
    private readonly IDatabase _database;

    public AliasOperations(FunctionCatalog functions, IDatabase database)
    {
        _functions = functions;
        _database = database;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Lambda.Operations.CreateAlias, CreateAliasAsync)
        .Map(Lambda.Operations.GetAlias, GetAliasAsync)
        .Map(Lambda.Operations.UpdateAlias, UpdateAliasAsync)
        .Map(Lambda.Operations.DeleteAlias, DeleteAliasAsync)
        .Map(Lambda.Operations.ListAliases, ListAliasesAsync);

    private ValueTask<AwsResponse> CreateAliasAsync(AwsRequest request, CancellationToken cancellationToken) => _functions.LockedAsync(async () =>
    {
        var (entry, _) = _functions.Find(request, qualifierMember: null);
        var name = request.Input.Req("Name");
        var version = request.Input.Req("FunctionVersion");
        if (IsVersionNumber(name) || name == "$LATEST")
            throw FunctionErrors.AliasNameInvalid(name);
        if (entry.Aliases.ContainsKey(name))
            throw FunctionErrors.AliasExists(AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name, name));
        CheckAliasTarget(entry, version);
        var alias = new FunctionAlias(name, version, request.Input.Str("Description") ?? "", AwsIds.NewUuid());
        await _database.WriteAsync(async (c, t) => { await FunctionStore.UpsertAliasAsync(c, t, entry, alias).ConfigureAwait(false); return 0; }, cancellationToken).ConfigureAwait(false);
        entry.Aliases = entry.Aliases.SetItem(name, alias);
        return AliasJson(entry, alias);
    }, cancellationToken);

    private ValueTask<AwsResponse> GetAliasAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (entry, _) = _functions.Find(request, qualifierMember: null);
        return ValueTask.FromResult<AwsResponse>(AliasJson(entry, FindAlias(entry, request.Input.Req("Name"))));
    }

    private ValueTask<AwsResponse> UpdateAliasAsync(AwsRequest request, CancellationToken cancellationToken) => _functions.LockedAsync(async () =>
    {
        var (entry, _) = _functions.Find(request, qualifierMember: null);
        var alias = FindAlias(entry, request.Input.Req("Name"));
        if (request.Input.Str("RevisionId") is { } revision && revision != alias.RevisionId)
            throw FunctionErrors.RevisionMismatch();
        var version = request.Input.Str("FunctionVersion") ?? alias.FunctionVersion;
        CheckAliasTarget(entry, version);
        var updated = alias with { FunctionVersion = version, Description = request.Input.Str("Description") ?? alias.Description, RevisionId = AwsIds.NewUuid() };
        await _database.WriteAsync(async (c, t) => { await FunctionStore.UpsertAliasAsync(c, t, entry, updated).ConfigureAwait(false); return 0; }, cancellationToken).ConfigureAwait(false);
        entry.Aliases = entry.Aliases.SetItem(updated.Name, updated);
        return AliasJson(entry, updated);
    }, cancellationToken);

    private ValueTask<AwsResponse> DeleteAliasAsync(AwsRequest request, CancellationToken cancellationToken) => _functions.LockedAsync(async () =>
    {
        var (entry, _) = _functions.Find(request, qualifierMember: null);
        var alias = FindAlias(entry, request.Input.Req("Name"));
        await _database.WriteAsync(async (c, t) => { await FunctionStore.DeleteAliasAsync(c, t, entry, alias.Name).ConfigureAwait(false); return 0; }, cancellationToken).ConfigureAwait(false);
        entry.Aliases = entry.Aliases.Remove(alias.Name);
        return new JsonObject();
    }, cancellationToken);

    private ValueTask<AwsResponse> ListAliasesAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (entry, _) = _functions.Find(request, qualifierMember: null);
        var version = request.Input.Str("FunctionVersion");
        var all = entry.Aliases.Values.Where(a => version is null || a.FunctionVersion == version).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
        var (page, next) = Page(all, request.Input.Str("Marker"), request.Input.Int("MaxItems"));
        var output = new JsonObject { ["Aliases"] = new JsonArray([.. page.Select(a => (JsonNode)AliasJson(entry, a))]) };
        if (next is not null)
            output["NextMarker"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private static JsonObject AliasJson(FunctionEntry entry, FunctionAlias alias) => new()
    {
        ["AliasArn"] = AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name, alias.Name),
        ["Name"] = alias.Name,
        ["FunctionVersion"] = alias.FunctionVersion,
        ["Description"] = alias.Description,
        ["RevisionId"] = alias.RevisionId,
    };

    private static void CheckAliasTarget(FunctionEntry entry, string version)
    {
        if (version != "$LATEST" && !entry.Versions.ContainsKey(version))
        {
            if (!IsVersionNumber(version))
                throw FunctionErrors.AliasMustNameVersion();
            throw FunctionErrors.FunctionNotFound(AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name, version));
        }
    }

    private FunctionAlias FindAlias(FunctionEntry entry, string name) =>
        entry.Aliases.GetValueOrDefault(name) ?? throw FunctionErrors.AliasNotFound(AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name, name));
}
