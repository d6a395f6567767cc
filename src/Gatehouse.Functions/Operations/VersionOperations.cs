using System.Globalization;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Functions.Model;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;
using static Gatehouse.Functions.Operations.FunctionCatalog;

namespace Gatehouse.Functions.Operations;

/// <summary>Published versions: PublishVersion and ListVersionsByFunction.</summary>
internal sealed class VersionOperations : IAwsOperations
{
    private readonly FunctionCatalog _functions;
    private readonly IDatabase _database;
    private readonly FunctionRegistry _registry;

    public VersionOperations(FunctionCatalog functions, IDatabase database, FunctionRegistry registry)
    {
        _functions = functions;
        _database = database;
        _registry = registry;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Lambda.Operations.PublishVersion, PublishVersionAsync)
        .Map(Lambda.Operations.ListVersionsByFunction, ListVersionsByFunctionAsync);

    private ValueTask<AwsResponse> PublishVersionAsync(AwsRequest request, CancellationToken cancellationToken) => _functions.LockedAsync(async () =>
    {
        var (entry, _) = _functions.Find(request, qualifierMember: null);
        var latest = entry.Latest.Config;
        if (request.Input.Str("RevisionId") is { } revision && revision != latest.RevisionId)
            throw FunctionErrors.RevisionMismatch();
        if (request.Input.Str("CodeSha256") is { } sha && sha != latest.CodeSha256)
            throw FunctionErrors.CodeShaMismatch(sha, latest.CodeSha256);
        // Publishing unchanged $LATEST again returns the version that already has it, as Lambda does.
        var existing = entry.Versions.Values.Select(v => v.Config).FirstOrDefault(c => c.CodeHash == latest.CodeHash && c.LastModified == latest.LastModified);
        if (existing is not null)
            return FunctionConfigurationJson.Write(existing);
        var number = (entry.LastVersion + 1).ToString(CultureInfo.InvariantCulture);
        var config = latest with { Version = number, RevisionId = AwsIds.NewUuid(), Description = request.Input.Str("Description") ?? latest.Description };
        var handle = _registry.CreateHandle(config, entry.Concurrency);
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await FunctionStore.UpsertVersionAsync(connection, transaction, config).ConfigureAwait(false);
            await FunctionStore.UpdateFunctionAsync(connection, transaction, entry, entry.ReservedConcurrency, entry.LastVersion + 1, entry.Tags, entry.Policy, entry.PolicyRevisionId).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        entry.Versions = entry.Versions.SetItem(number, handle);
        entry.LastVersion++;
        return FunctionConfigurationJson.Write(config);
    }, cancellationToken);

    private ValueTask<AwsResponse> ListVersionsByFunctionAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (entry, _) = _functions.Find(request, qualifierMember: null);
        var all = entry.Versions.Values.Select(v => v.Config).OrderBy(c => int.Parse(c.Version, CultureInfo.InvariantCulture)).Prepend(entry.Latest.Config).ToList();
        var (page, next) = Page(all, request.Input.Str("Marker"), request.Input.Int("MaxItems"));
        var output = new JsonObject { ["Versions"] = new JsonArray([.. page.Select(c => (JsonNode)FunctionConfigurationJson.Write(c, qualifiedArn: true))]) };
        if (next is not null)
            output["NextMarker"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }
}
