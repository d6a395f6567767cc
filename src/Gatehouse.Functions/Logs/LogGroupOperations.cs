using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;

namespace Gatehouse.Functions.Logs;

/// <summary>Log groups: DescribeLogGroups (one group per function, created by its first log line).</summary>
internal sealed class LogGroupOperations : IAwsOperations
{
    private readonly LogStore _store;

    public LogGroupOperations(LogStore store) => _store = store;

    public void Map(AwsServiceDefinition definition) => definition
        .Map(CloudWatchLogs.Operations.DescribeLogGroups, DescribeLogGroupsAsync);

    private async ValueTask<AwsResponse> DescribeLogGroupsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var groups = await _store.LogGroupsAsync(request.Context.Account, request.Context.Region, request.Input.Str("logGroupNamePrefix"), cancellationToken).ConfigureAwait(false);
        var pattern = request.Input.Str("logGroupNamePattern");
        var list = groups.Where(g => pattern is null || g.Group.Contains(pattern, StringComparison.OrdinalIgnoreCase)).ToList();
        var start = LogsErrors.PageIndex(request.Input.Str("nextToken"));
        var limit = Math.Clamp(request.Input.Int("limit") ?? 50, 1, 50);
        var (page, next) = IndexPager.Page(list, start, limit);
        var output = new JsonObject
        {
            ["logGroups"] = new JsonArray([.. page.Select(g => (JsonNode)new JsonObject
            {
                ["logGroupName"] = g.Group,
                ["creationTime"] = g.Created,
                ["metricFilterCount"] = 0,
                ["arn"] = AwsIds.LogGroupArn(request.Context.Region, request.Context.Account, g.Group) + ":*",
                ["logGroupArn"] = AwsIds.LogGroupArn(request.Context.Region, request.Context.Account, g.Group),
                ["storedBytes"] = g.Bytes,
                ["logGroupClass"] = "STANDARD",
            })]),
        };
        if (next is not null)
            output["nextToken"] = next;
        return output;
    }
}
