using System.Text.Json.Nodes;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;

namespace Gatehouse.Functions.Logs;

/// <summary>
/// Tags of log groups, by name (TagLogGroup, UntagLogGroup, ListTagsLogGroup — deprecated but what
/// older tools call) and by ARN (TagResource, UntagResource, ListTagsForResource;
/// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_TagResource.html).
/// </summary>
internal sealed class LogTagOperations : IAwsOperations
{
    /// <summary>A log group holds at most 50 tags.</summary>
    private const int MaxTags = 50;

    private readonly LogStore _store;
    private readonly LogGroups _groups;
    private readonly LogGroupOperations _logGroups;

    public LogTagOperations(LogStore store, LogGroups groups, LogGroupOperations logGroups)
    {
        _store = store;
        _groups = groups;
        _logGroups = logGroups;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(CloudWatchLogs.Operations.TagLogGroup, TagLogGroupAsync)
        .Map(CloudWatchLogs.Operations.UntagLogGroup, UntagLogGroupAsync)
        .Map(CloudWatchLogs.Operations.ListTagsLogGroup, ListTagsLogGroupAsync)
        .Map(CloudWatchLogs.Operations.TagResource, TagResourceAsync)
        .Map(CloudWatchLogs.Operations.UntagResource, UntagResourceAsync)
        .Map(CloudWatchLogs.Operations.ListTagsForResource, ListTagsForResourceAsync);

    private async ValueTask<AwsResponse> TagLogGroupAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        await AddAsync(request, request.Input.Req("logGroupName"), LogsErrors.TooManyTagsByName, cancellationToken).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> UntagLogGroupAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var keys = request.Input.Strings("tags").ToList();
        await _logGroups.ChangeAsync(request, request.Input.Req("logGroupName"), g => g with { Tags = g.Tags.RemoveRange(keys) }, cancellationToken).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private ValueTask<AwsResponse> ListTagsLogGroupAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ListAsync(request, request.Input.Req("logGroupName"), cancellationToken);

    private async ValueTask<AwsResponse> TagResourceAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        await AddAsync(request, GroupOf(request), LogsErrors.TooManyTags, cancellationToken).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> UntagResourceAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var keys = request.Input.Strings("tagKeys").ToList();
        await _logGroups.ChangeAsync(request, GroupOf(request), g => g with { Tags = g.Tags.RemoveRange(keys) }, cancellationToken).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private ValueTask<AwsResponse> ListTagsForResourceAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ListAsync(request, GroupOf(request), cancellationToken);

    private Task AddAsync(AwsRequest request, string name, Func<Core.AwsException> tooMany, CancellationToken cancellationToken)
    {
        var tags = request.Input.StringMap("tags");
        return _logGroups.ChangeAsync(request, name, g =>
        {
            var merged = g.Tags.SetItems(tags);
            return merged.Count > MaxTags ? throw tooMany() : g with { Tags = merged };
        }, cancellationToken);
    }

    private async ValueTask<AwsResponse> ListAsync(AwsRequest request, string name, CancellationToken cancellationToken)
    {
        var (account, region) = (request.Context.Account, request.Context.Region);
        if (!await _groups.ExistsAsync(_store, account, region, name, cancellationToken).ConfigureAwait(false))
            throw LogsErrors.GroupNotFound();
        var tags = _groups.Find(account, region, name)?.Tags;
        return new JsonObject { ["tags"] = new JsonObject((tags ?? Enumerable.Empty<KeyValuePair<string, string>>()).Select(t => KeyValuePair.Create<string, JsonNode?>(t.Key, t.Value))) };
    }

    /// <summary>The log group an ARN names: arn:aws:logs:REGION:ACCOUNT:log-group:NAME (a trailing :* allowed).</summary>
    private static string GroupOf(AwsRequest request)
    {
        var arn = request.Input.Req("resourceArn");
        var prefix = $"arn:aws:logs:{request.Context.Region}:{request.Context.Account}:log-group:";
        if (!arn.StartsWith(prefix, StringComparison.Ordinal) || arn.Length == prefix.Length)
            throw LogsErrors.InvalidArn(arn);
        var name = arn[prefix.Length..];
        return name.EndsWith(":*", StringComparison.Ordinal) ? name[..^2] : name;
    }
}
