using System.Globalization;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;

namespace Gatehouse.Functions.Logs;

/// <summary>Log events: GetLogEvents and FilterLogEvents (what <c>aws logs tail --follow</c> polls).</summary>
internal sealed class LogEventOperations : IAwsOperations
{
    private readonly LogStore _store;
    private readonly LogGroups _groups;

    public LogEventOperations(LogStore store, LogGroups groups)
    {
        _store = store;
        _groups = groups;
    }

    /// <summary>The startTime a read uses: no earlier than its group's retention allows.</summary>
    private long? Start(AwsRequest request, string group)
    {
        var start = request.Input.Long("startTime");
        return _groups.Cutoff(_store, request.Context.Account, request.Context.Region, group) is { } cutoff ? Math.Max(start ?? 0, cutoff) : start;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(CloudWatchLogs.Operations.GetLogEvents, GetLogEventsAsync)
        .Map(CloudWatchLogs.Operations.FilterLogEvents, FilterLogEventsAsync);

    private async ValueTask<AwsResponse> GetLogEventsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var group = LogsErrors.GroupName(request);
        var stream = request.Input.Req("logStreamName");
        if (!await _groups.ExistsAsync(_store, request.Context.Account, request.Context.Region, group, cancellationToken).ConfigureAwait(false))
            throw LogsErrors.GroupNotFound();
        var limit = Math.Clamp(request.Input.Int("limit") ?? 10_000, 1, 10_000);
        var token = request.Input.Str("nextToken");
        var startFromHead = request.Input.Bool("startFromHead") == true;
        long after = 0, before = long.MaxValue;
        var backwards = !startFromHead;
        if (token is not null)
        {
            // f/<id>: events after id; b/<id>: events before id.
            if (token.Length < 3 || token[1] != '/' || !long.TryParse(token.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                throw LogsErrors.BadToken();
            if (token[0] == 'f') { after = id; backwards = false; }
            else if (token[0] == 'b') { before = id; backwards = true; }
            else throw LogsErrors.BadToken();
        }
        var events = await _store.EventsAsync(request.Context.Account, request.Context.Region, group, [stream], null,
            Start(request, group), request.Input.Long("endTime"), after, before, backwards, limit, cancellationToken).ConfigureAwait(false);
        var forward = events.Count > 0 ? events[^1].Id : (token is not null && token[0] == 'f' ? after : (backwards ? before == long.MaxValue ? 0 : before - 1 : after));
        var backward = events.Count > 0 ? events[0].Id : (token is not null && token[0] == 'b' ? before : after + 1);
        return new JsonObject
        {
            ["events"] = new JsonArray([.. events.Select(e => (JsonNode)new JsonObject
            {
                ["timestamp"] = e.Timestamp,
                ["message"] = e.Message,
                ["ingestionTime"] = e.IngestionTime,
            })]),
            ["nextForwardToken"] = "f/" + forward.ToString(CultureInfo.InvariantCulture),
            ["nextBackwardToken"] = "b/" + backward.ToString(CultureInfo.InvariantCulture),
        };
    }

    private async ValueTask<AwsResponse> FilterLogEventsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var group = LogsErrors.GroupName(request);
        if (!await _groups.ExistsAsync(_store, request.Context.Account, request.Context.Region, group, cancellationToken).ConfigureAwait(false))
            throw LogsErrors.GroupNotFound();
        var limit = Math.Clamp(request.Input.Int("limit") ?? 10_000, 1, 10_000);
        var after = 0L;
        if (request.Input.Str("nextToken") is { } token && !long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out after))
            throw LogsErrors.BadToken();
        var streams = request.Input.Strings("logStreamNames").ToList();
        var filter = LogFilter.Parse(request.Input.Str("filterPattern"));
        var matched = new List<StoredLogEvent>();
        var last = after;
        var exhausted = false;
        // Read in chunks until the page is full or the group has no more events.
        while (matched.Count < limit)
        {
            var chunk = await _store.EventsAsync(request.Context.Account, request.Context.Region, group, streams, request.Input.Str("logStreamNamePrefix"),
                Start(request, group), request.Input.Long("endTime"), last, long.MaxValue, false, 1000, cancellationToken).ConfigureAwait(false);
            foreach (var item in chunk)
            {
                last = item.Id;
                if (filter.Matches(item.Message))
                {
                    matched.Add(item);
                    if (matched.Count == limit)
                        break;
                }
            }
            if (chunk.Count < 1000)
            {
                exhausted = matched.Count < limit || chunk.Count == 0 || chunk[^1].Id == last;
                break;
            }
        }
        var output = new JsonObject
        {
            ["events"] = new JsonArray([.. matched.Select(e => (JsonNode)new JsonObject
            {
                ["logStreamName"] = e.Stream,
                ["timestamp"] = e.Timestamp,
                ["message"] = e.Message,
                ["ingestionTime"] = e.IngestionTime,
                ["eventId"] = e.Id.ToString("D20", CultureInfo.InvariantCulture),
            })]),
            ["searchedLogStreams"] = new JsonArray(),
        };
        if (!exhausted)
            output["nextToken"] = last.ToString(CultureInfo.InvariantCulture);
        return output;
    }

}
