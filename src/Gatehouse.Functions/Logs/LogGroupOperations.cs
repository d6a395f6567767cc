using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;

namespace Gatehouse.Functions.Logs;

/// <summary>
/// Log groups: those created with CreateLogGroup and those of functions (created by their first log
/// line, as Lambda does), their retention policies and deletion
/// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).
/// </summary>
internal sealed class LogGroupOperations : IAwsOperations
{
    /// <summary>The values PutRetentionPolicy accepts (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).</summary>
    internal static readonly int[] RetentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

    private readonly LogStore _store;
    private readonly LogGroups _groups;

    public LogGroupOperations(LogStore store, LogGroups groups)
    {
        _store = store;
        _groups = groups;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(CloudWatchLogs.Operations.CreateLogGroup, CreateLogGroupAsync)
        .Map(CloudWatchLogs.Operations.DeleteLogGroup, DeleteLogGroupAsync)
        .Map(CloudWatchLogs.Operations.DescribeLogGroups, DescribeLogGroupsAsync)
        .Map(CloudWatchLogs.Operations.PutRetentionPolicy, PutRetentionPolicyAsync)
        .Map(CloudWatchLogs.Operations.DeleteRetentionPolicy, DeleteRetentionPolicyAsync);

    private async ValueTask<AwsResponse> CreateLogGroupAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (account, region) = (request.Context.Account, request.Context.Region);
        var name = request.Input.Req("logGroupName");
        var hasEvents = await _store.GroupExistsAsync(account, region, name, cancellationToken).ConfigureAwait(false);
        await _groups.UpdateAsync(account, region, name, current =>
        {
            if (current is not null || hasEvents)
                throw LogsErrors.GroupExists();
            return new LogGroup
            {
                Account = account,
                Region = region,
                Name = name,
                CreationTime = _store.Now,
                KmsKeyId = request.Input.Str("kmsKeyId"),
                LogGroupClass = request.Input.Str("logGroupClass") ?? "STANDARD",
                Tags = request.Input.StringMap("tags").ToImmutableSortedDictionary(StringComparer.Ordinal),
            };
        }, cancellationToken).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    /// <summary>Deletes the group's settings and every event in it. A function's next log line makes its group again, as Lambda does.</summary>
    private async ValueTask<AwsResponse> DeleteLogGroupAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (account, region) = (request.Context.Account, request.Context.Region);
        var name = request.Input.Req("logGroupName");
        if (!await _groups.ExistsAsync(_store, account, region, name, cancellationToken).ConfigureAwait(false))
            throw LogsErrors.GroupNotFound();
        await _groups.UpdateAsync(account, region, name, _ => null, cancellationToken).ConfigureAwait(false);
        await _store.DeleteEventsAsync(account, region, name, null, cancellationToken).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> PutRetentionPolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var days = request.Input.Int("retentionInDays") ?? 0;
        if (!RetentionDays.Contains(days))
            throw LogsErrors.InvalidRetention(days);
        var group = await ChangeAsync(request, request.Input.Req("logGroupName"), g => g with { RetentionInDays = days }, cancellationToken).ConfigureAwait(false);
        // What the policy expires goes now; the functions service's reaper purges what expires later.
        if (group.Cutoff(_store.Now) is { } cutoff)
            await _store.DeleteEventsAsync(group.Account, group.Region, group.Name, cutoff, cancellationToken).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> DeleteRetentionPolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        await ChangeAsync(request, request.Input.Req("logGroupName"), g => g with { RetentionInDays = null }, cancellationToken).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    /// <summary>
    /// Changes a group's settings. A function's group that so far exists only through its events gets
    /// its row here, dated by its first event.
    /// </summary>
    public async Task<LogGroup> ChangeAsync(AwsRequest request, string name, Func<LogGroup, LogGroup> change, CancellationToken cancellationToken)
    {
        var (account, region) = (request.Context.Account, request.Context.Region);
        LogGroup? implicitGroup = null;
        if (_groups.Find(account, region, name) is null)
        {
            var fromEvents = (await _store.LogGroupsAsync(account, region, name, cancellationToken).ConfigureAwait(false)).FirstOrDefault(g => g.Group == name);
            if (fromEvents.Group is not null)
                implicitGroup = new LogGroup { Account = account, Region = region, Name = name, CreationTime = fromEvents.Created };
        }
        LogGroup? result = null;
        await _groups.UpdateAsync(account, region, name, current =>
            result = change(current ?? implicitGroup ?? throw LogsErrors.GroupNotFound()), cancellationToken).ConfigureAwait(false);
        return result!;
    }

    private async ValueTask<AwsResponse> DescribeLogGroupsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (account, region) = (request.Context.Account, request.Context.Region);
        var prefix = request.Input.Str("logGroupNamePrefix");
        var fromEvents = await _store.LogGroupsAsync(account, region, prefix, cancellationToken).ConfigureAwait(false);
        var names = fromEvents.Select(g => g.Group)
            .Concat(_groups.All.Values.Where(g => g.Account == account && g.Region == region && (prefix is null || g.Name.StartsWith(prefix, StringComparison.Ordinal))).Select(g => g.Name))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        var events = fromEvents.ToDictionary(g => g.Group, StringComparer.Ordinal);
        var pattern = request.Input.Str("logGroupNamePattern");
        var groupClass = request.Input.Str("logGroupClass");
        var list = names
            .Where(n => pattern is null || n.Contains(pattern, StringComparison.OrdinalIgnoreCase))
            .Select(n => (Name: n, Settings: _groups.Find(account, region, n), Events: events.GetValueOrDefault(n)))
            .Where(g => groupClass is null || (g.Settings?.LogGroupClass ?? "STANDARD") == groupClass)
            .ToList();
        var start = LogsErrors.PageIndex(request.Input.Str("nextToken"));
        var limit = Math.Clamp(request.Input.Int("limit") ?? 50, 1, 50);
        var (page, next) = IndexPager.Page(list, start, limit);
        var output = new JsonObject
        {
            ["logGroups"] = new JsonArray([.. page.Select(g =>
            {
                var item = new JsonObject
                {
                    ["logGroupName"] = g.Name,
                    ["creationTime"] = g.Settings?.CreationTime ?? g.Events.Created,
                    ["metricFilterCount"] = 0,
                    ["arn"] = AwsIds.LogGroupArn(region, account, g.Name) + ":*",
                    ["logGroupArn"] = AwsIds.LogGroupArn(region, account, g.Name),
                    ["storedBytes"] = g.Events.Group is null ? 0 : g.Events.Bytes,
                    ["logGroupClass"] = g.Settings?.LogGroupClass ?? "STANDARD",
                };
                if (g.Settings?.RetentionInDays is { } days)
                    item["retentionInDays"] = days;
                if (g.Settings?.KmsKeyId is { } kmsKeyId)
                    item["kmsKeyId"] = kmsKeyId;
                return (JsonNode)item;
            })]),
        };
        if (next is not null)
            output["nextToken"] = next;
        return output;
    }
}
