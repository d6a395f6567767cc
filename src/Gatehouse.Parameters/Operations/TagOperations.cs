using System.Text.Json.Nodes;
using Gatehouse.Parameters.Model;
using Gatehouse.Protocol;
using Ops = Gatehouse.Protocol.Generated.Ssm.Operations;

namespace Gatehouse.Parameters.Operations;

/// <summary>
/// Tags of parameters (ResourceType Parameter, ResourceId the parameter's name;
/// https://docs.aws.amazon.com/systems-manager/latest/userguide/tagging-parameters.html). The other
/// resource types SSM tags are not kept by Gatehouse.
/// </summary>
internal sealed class TagOperations : IAwsOperations
{
    private const int MaxTags = 50;

    private readonly ParameterState _state;

    public TagOperations(ParameterState state) => _state = state;

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.AddTagsToResource, AddTagsToResourceAsync)
        .Map(Ops.RemoveTagsFromResource, RemoveTagsFromResourceAsync)
        .Map(Ops.ListTagsForResource, ListTagsForResourceAsync);

    /// <summary>A Tags list member ([{Key, Value}]) as a map; a later duplicate key wins.</summary>
    public static Dictionary<string, string> ReadTags(JsonObject input)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in input.Arr("Tags")?.OfType<JsonObject>() ?? [])
            tags[tag.Req("Key")] = tag.Str("Value") ?? "";
        return tags;
    }

    private async ValueTask<AwsResponse> AddTagsToResourceAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var key = ParameterOf(request);
        var tags = ReadTags(request.Input);
        return await _state.UpdateAsync(key, current =>
        {
            if (current is null)
                throw ParametersErrors.InvalidResourceId();
            var merged = current.Tags.SetItems(tags);
            if (merged.Count > MaxTags)
                throw ParametersErrors.TooManyTags();
            return (current with { Tags = merged }, new JsonObject());
        }, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<AwsResponse> RemoveTagsFromResourceAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var key = ParameterOf(request);
        var keys = request.Input.Strings("TagKeys").ToList();
        return await _state.UpdateAsync(key, current =>
        {
            if (current is null)
                throw ParametersErrors.InvalidResourceId();
            return (current with { Tags = current.Tags.RemoveRange(keys) }, new JsonObject());
        }, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask<AwsResponse> ListTagsForResourceAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var parameter = _state.Parameters.GetValueOrDefault(ParameterOf(request)) ?? throw ParametersErrors.InvalidResourceId();
        return ValueTask.FromResult<AwsResponse>(new JsonObject
        {
            ["TagList"] = new JsonArray([.. parameter.Tags.Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value })]),
        });
    }

    private static ParameterKey ParameterOf(AwsRequest request)
    {
        var type = request.Input.Req("ResourceType");
        if (type != "Parameter")
            throw ParametersErrors.InvalidResourceType(type);
        var (name, _) = ParameterNames.ParseReference(request.Input.Req("ResourceId"), request.Context.Account, request.Context.Region);
        return new ParameterKey(request.Context.Account, request.Context.Region, name);
    }
}
