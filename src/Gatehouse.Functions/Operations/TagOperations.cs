using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Functions.Model;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using static Gatehouse.Functions.Operations.FunctionCatalog;

namespace Gatehouse.Functions.Operations;

/// <summary>A function's tags.</summary>
internal sealed class TagOperations : IAwsOperations
{
    private readonly FunctionCatalog _functions;

    public TagOperations(FunctionCatalog functions)
    {
        _functions = functions;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Lambda.Operations.ListTags, ListTagsAsync)
        .Map(Lambda.Operations.TagResource, TagResourceAsync)
        .Map(Lambda.Operations.UntagResource, UntagResourceAsync);

    private ValueTask<AwsResponse> ListTagsAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<AwsResponse>(new JsonObject { ["Tags"] = TagsJson(_functions.FindByResource(request).Tags) });

    private ValueTask<AwsResponse> TagResourceAsync(AwsRequest request, CancellationToken cancellationToken) => _functions.LockedAsync(async () =>
    {
        var entry = _functions.FindByResource(request);
        var tags = entry.Tags.SetItems(request.Input.StringMap("Tags"));
        await _functions.SaveAsync(entry, entry.ReservedConcurrency, tags, entry.Policy, entry.PolicyRevisionId, cancellationToken).ConfigureAwait(false);
        entry.Tags = tags;
        return new JsonObject();
    }, cancellationToken);

    private ValueTask<AwsResponse> UntagResourceAsync(AwsRequest request, CancellationToken cancellationToken) => _functions.LockedAsync(async () =>
    {
        var entry = _functions.FindByResource(request);
        var tags = entry.Tags.RemoveRange(request.Input.Strings("TagKeys"));
        await _functions.SaveAsync(entry, entry.ReservedConcurrency, tags, entry.Policy, entry.PolicyRevisionId, cancellationToken).ConfigureAwait(false);
        entry.Tags = tags;
        return new JsonObject();
    }, cancellationToken);
}
