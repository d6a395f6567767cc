using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;

namespace Gatehouse.Functions.Logs;

/// <summary>A group's log streams: DescribeLogStreams (one stream per execution environment).</summary>
internal sealed class LogStreamOperations : IAwsOperations
{
    private readonly LogStore _store;
    private readonly LogGroups _groups;

    public LogStreamOperations(LogStore store, LogGroups groups)
    {
        _store = store;
        _groups = groups;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(CloudWatchLogs.Operations.DescribeLogStreams, DescribeLogStreamsAsync);

    private async ValueTask<AwsResponse> DescribeLogStreamsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var group = LogsErrors.GroupName(request);
        var streams = await _store.LogStreamsAsync(request.Context.Account, request.Context.Region, group, cancellationToken).ConfigureAwait(false);
        if (streams.Count == 0 && _groups.Find(request.Context.Account, request.Context.Region, group) is null)
            throw LogsErrors.GroupNotFound();
        // Streams whose every event outlived the group's retention are gone, as their events are.
        if (_groups.Cutoff(_store, request.Context.Account, request.Context.Region, group) is { } cutoff)
            streams = [.. streams.Where(s => s.Last >= cutoff)];
        var prefix = request.Input.Str("logStreamNamePrefix");
        var byTime = request.Input.Str("orderBy") == "LastEventTime";
        IEnumerable<(string Stream, long Created, long First, long Last, long LastIngestion, long Bytes)> ordered =
            byTime ? streams.OrderBy(s => s.Last) : streams.OrderBy(s => s.Stream, StringComparer.Ordinal);
        if (request.Input.Bool("descending") == true)
            ordered = ordered.Reverse();
        var list = ordered.Where(s => prefix is null || s.Stream.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        var start = LogsErrors.PageIndex(request.Input.Str("nextToken"));
        var limit = Math.Clamp(request.Input.Int("limit") ?? 50, 1, 50);
        var (page, next) = IndexPager.Page(list, start, limit);
        var output = new JsonObject
        {
            ["logStreams"] = new JsonArray([.. page.Select(s => (JsonNode)new JsonObject
            {
                ["logStreamName"] = s.Stream,
                ["creationTime"] = s.Created,
                ["firstEventTimestamp"] = s.First,
                ["lastEventTimestamp"] = s.Last,
                ["lastIngestionTime"] = s.LastIngestion,
                ["arn"] = AwsIds.LogGroupArn(request.Context.Region, request.Context.Account, group) + ":log-stream:" + s.Stream,
                ["storedBytes"] = s.Bytes,
            })]),
        };
        if (next is not null)
            output["nextToken"] = next;
        return output;
    }
}
