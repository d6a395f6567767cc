using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Gatehouse.Gateway.Runtime;
using Gatehouse.Protocol;
using static Gatehouse.Gateway.Operations.ApiChanges;
using Ops = Gatehouse.Protocol.Generated.ApiGatewayV2.Operations;

namespace Gatehouse.Gateway.Operations;

/// <summary>Tags of APIs and stages.</summary>
internal sealed class TagOperations : IAwsOperations
{
    private readonly ApiChanges _apis;

    public TagOperations(ApiChanges apis)
    {
        _apis = apis;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.TagResource, TagResourceAsync)
        .Map(Ops.UntagResource, UntagResourceAsync)
        .Map(Ops.GetTags, GetTagsAsync);

    private ValueTask<AwsResponse> TagResourceAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ChangeTagsAsync(request, tags => MergeTags(tags, request.Input), cancellationToken);

    private ValueTask<AwsResponse> UntagResourceAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ChangeTagsAsync(request, tags => tags.RemoveRange(request.Input.Strings("TagKeys")), cancellationToken);

    private ValueTask<AwsResponse> GetTagsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var arn = request.Input.Req("ResourceArn");
        var (apiId, stageName) = ParseTagArn(request, arn);
        var state = _apis.State.Apis.GetValueOrDefault(apiId);
        if (state is null || state.Api.Account != request.Context.Account)
            throw GatewayErrors.ResourceNotFound(arn);
        var tags = stageName is null
            ? state.Api.Tags
            : (state.Stages.GetValueOrDefault(stageName) ?? throw GatewayErrors.ResourceNotFound(arn)).Tags;
        return Respond(new JsonObject { ["Tags"] = new JsonObject(tags.Select(t => KeyValuePair.Create<string, JsonNode?>(t.Key, t.Value))) });
    }

    /// <summary>Resolves <c>arn:aws:apigateway:REGION::/apis/ID</c> or <c>…/apis/ID/stages/NAME</c>.</summary>
    private (string ApiId, string? StageName) ParseTagArn(AwsRequest request, string arn)
    {
        var prefix = $"arn:aws:apigateway:{request.Context.Region}::/apis/";
        if (!arn.StartsWith(prefix, StringComparison.Ordinal))
            throw GatewayErrors.ResourceNotFound(arn);
        var parts = arn[prefix.Length..].Split('/');
        return parts switch
        {
            [var api] => (api, null),
            [var api, "stages", var stage] => (api, stage),
            _ => throw GatewayErrors.ResourceNotFound(arn),
        };
    }

    private ValueTask<AwsResponse> ChangeTagsAsync(AwsRequest request, Func<ImmutableSortedDictionary<string, string>, ImmutableSortedDictionary<string, string>> change, CancellationToken cancellationToken)
    {
        var arn = request.Input.Req("ResourceArn");
        var (apiId, stageName) = ParseTagArn(request, arn);
        return Respond(_apis.State.UpdateAsync(apiId, current =>
        {
            if (current is null || current.Api.Account != request.Context.Account)
                throw GatewayErrors.ResourceNotFound(arn);
            if (stageName is null)
                return (current with { Api = current.Api with { Tags = change(current.Api.Tags) } }, new JsonObject());
            var stage = current.Stages.GetValueOrDefault(stageName) ?? throw GatewayErrors.ResourceNotFound(arn);
            return (current with { Stages = current.Stages.SetItem(stageName, stage with { Tags = change(stage.Tags) }) }, new JsonObject());
        }, cancellationToken));
    }
}
