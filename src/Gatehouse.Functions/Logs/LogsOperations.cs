using System.Globalization;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;

namespace Gatehouse.Functions.Logs;

/// <summary>
/// The CloudWatch Logs subset the AWS CLI needs to read functions' logs: DescribeLogGroups,
/// DescribeLogStreams, GetLogEvents and FilterLogEvents (what <c>aws logs tail --follow</c> polls).
/// </summary>
internal sealed class LogsOperations
{
    private readonly LogStore _store;

    public LogsOperations(LogStore store) => _store = store;

    public static AwsServiceDefinition CreateDefinition(LogStore store)
    {
        var operations = new LogsOperations(store);
        var definition = new AwsServiceDefinition(CloudWatchLogs.ModelName)
        {
            ValidationErrorCode = CloudWatchLogs.Errors.InvalidParameterException,
            InternalErrorCode = CloudWatchLogs.Errors.ServiceUnavailableException,
        };
        definition
            .Map(CloudWatchLogs.Operations.DescribeLogGroups, operations.DescribeLogGroupsAsync)
            .Map(CloudWatchLogs.Operations.DescribeLogStreams, operations.DescribeLogStreamsAsync)
            .Map(CloudWatchLogs.Operations.GetLogEvents, operations.GetLogEventsAsync)
            .Map(CloudWatchLogs.Operations.FilterLogEvents, operations.FilterLogEventsAsync);
        return definition;
    }

    private static AwsException GroupNotFound() =>
        new(CloudWatchLogs.Errors.ResourceNotFoundException, "The specified log group does not exist.", 400);

    private static AwsException BadToken() =>
        new(CloudWatchLogs.Errors.InvalidParameterException, "The specified nextToken is not valid.", 400);

    private static string GroupName(AwsRequest request)
    {
        var name = request.Input.Str("logGroupName") ?? request.Input.Str("logGroupIdentifier")
            ?? throw new AwsException(CloudWatchLogs.Errors.InvalidParameterException, "Either logGroupName or logGroupIdentifier must be given.", 400);
        // An identifier may be the group's ARN.
        var marker = ":log-group:";
        var index = name.IndexOf(marker, StringComparison.Ordinal);
        if (index >= 0)
        {
            name = name[(index + marker.Length)..];
            if (name.EndsWith(":*", StringComparison.Ordinal))
                name = name[..^2];
        }
        return name;
    }

    private async ValueTask<AwsResponse> DescribeLogGroupsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var groups = await _store.LogGroupsAsync(request.Context.Account, request.Context.Region, request.Input.Str("logGroupNamePrefix"), cancellationToken).ConfigureAwait(false);
        var pattern = request.Input.Str("logGroupNamePattern");
        var list = groups.Where(g => pattern is null || g.Group.Contains(pattern, StringComparison.OrdinalIgnoreCase)).ToList();
        var start = ParseIndex(request.Input.Str("nextToken"));
        var limit = Math.Clamp(request.Input.Int("limit") ?? 50, 1, 50);
        var page = list.Skip(start).Take(limit).ToList();
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
        if (start + page.Count < list.Count)
            output["nextToken"] = (start + page.Count).ToString(CultureInfo.InvariantCulture);
        return output;
    }

    private async ValueTask<AwsResponse> DescribeLogStreamsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var group = GroupName(request);
        var streams = await _store.LogStreamsAsync(request.Context.Account, request.Context.Region, group, cancellationToken).ConfigureAwait(false);
        if (streams.Count == 0)
            throw GroupNotFound();
        var prefix = request.Input.Str("logStreamNamePrefix");
        var byTime = request.Input.Str("orderBy") == "LastEventTime";
        IEnumerable<(string Stream, long Created, long First, long Last, long LastIngestion, long Bytes)> ordered =
            byTime ? streams.OrderBy(s => s.Last) : streams.OrderBy(s => s.Stream, StringComparer.Ordinal);
        if (request.Input.Bool("descending") == true)
            ordered = ordered.Reverse();
        var list = ordered.Where(s => prefix is null || s.Stream.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        var start = ParseIndex(request.Input.Str("nextToken"));
        var limit = Math.Clamp(request.Input.Int("limit") ?? 50, 1, 50);
        var page = list.Skip(start).Take(limit).ToList();
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
        if (start + page.Count < list.Count)
            output["nextToken"] = (start + page.Count).ToString(CultureInfo.InvariantCulture);
        return output;
    }

    private async ValueTask<AwsResponse> GetLogEventsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var group = GroupName(request);
        var stream = request.Input.Req("logStreamName");
        if (!await _store.GroupExistsAsync(request.Context.Account, request.Context.Region, group, cancellationToken).ConfigureAwait(false))
            throw GroupNotFound();
        var limit = Math.Clamp(request.Input.Int("limit") ?? 10_000, 1, 10_000);
        var token = request.Input.Str("nextToken");
        var startFromHead = request.Input.Bool("startFromHead") == true;
        long after = 0, before = long.MaxValue;
        var backwards = !startFromHead;
        if (token is not null)
        {
            // f/<id>: events after id; b/<id>: events before id.
            if (token.Length < 3 || token[1] != '/' || !long.TryParse(token.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                throw BadToken();
            if (token[0] == 'f') { after = id; backwards = false; }
            else if (token[0] == 'b') { before = id; backwards = true; }
            else throw BadToken();
        }
        var events = await _store.EventsAsync(request.Context.Account, request.Context.Region, group, [stream], null,
            request.Input.Long("startTime"), request.Input.Long("endTime"), after, before, backwards, limit, cancellationToken).ConfigureAwait(false);
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
        var group = GroupName(request);
        if (!await _store.GroupExistsAsync(request.Context.Account, request.Context.Region, group, cancellationToken).ConfigureAwait(false))
            throw GroupNotFound();
        var limit = Math.Clamp(request.Input.Int("limit") ?? 10_000, 1, 10_000);
        var after = 0L;
        if (request.Input.Str("nextToken") is { } token && !long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out after))
            throw BadToken();
        var streams = request.Input.Strings("logStreamNames").ToList();
        var filter = LogFilter.Parse(request.Input.Str("filterPattern"));
        var matched = new List<StoredLogEvent>();
        var last = after;
        var exhausted = false;
        // Read in chunks until the page is full or the group has no more events.
        while (matched.Count < limit)
        {
            var chunk = await _store.EventsAsync(request.Context.Account, request.Context.Region, group, streams, request.Input.Str("logStreamNamePrefix"),
                request.Input.Long("startTime"), request.Input.Long("endTime"), last, long.MaxValue, false, 1000, cancellationToken).ConfigureAwait(false);
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

    private static int ParseIndex(string? token) =>
        token is null ? 0 : int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : throw BadToken();
}

/// <summary>
/// CloudWatch Logs' plain filter patterns: space-separated terms that must all appear, a quoted
/// phrase, <c>?term</c> alternatives and <c>-term</c> exclusions. (JSON and space-delimited
/// patterns are matched as plain text.)
/// </summary>
internal sealed class LogFilter
{
    private readonly List<string> _all = [];
    private readonly List<string> _any = [];
    private readonly List<string> _none = [];

    public static LogFilter Parse(string? pattern)
    {
        var filter = new LogFilter();
        if (string.IsNullOrWhiteSpace(pattern))
            return filter;
        var i = 0;
        while (i < pattern.Length)
        {
            if (char.IsWhiteSpace(pattern[i]))
            {
                i++;
                continue;
            }
            var target = filter._all;
            if (pattern[i] == '?') { target = filter._any; i++; }
            else if (pattern[i] == '-') { target = filter._none; i++; }
            string term;
            if (i < pattern.Length && pattern[i] == '"')
            {
                var end = pattern.IndexOf('"', i + 1);
                term = end < 0 ? pattern[(i + 1)..] : pattern[(i + 1)..end];
                i = end < 0 ? pattern.Length : end + 1;
            }
            else
            {
                var end = i;
                while (end < pattern.Length && !char.IsWhiteSpace(pattern[end]))
                    end++;
                term = pattern[i..end];
                i = end;
            }
            if (term.Length > 0)
                target.Add(term);
        }
        return filter;
    }

    public bool Matches(string message) =>
        _all.All(t => message.Contains(t, StringComparison.Ordinal))
        && (_any.Count == 0 || _any.Any(t => message.Contains(t, StringComparison.Ordinal)))
        && !_none.Any(t => message.Contains(t, StringComparison.Ordinal));
}
