using Gatehouse.Core;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;

namespace Gatehouse.Functions.Logs;

/// <summary>The error catalog of the CloudWatch Logs subset, and the log group a request names.</summary>
internal static class LogsErrors
{
    public static AwsException GroupMissing() =>
        new(CloudWatchLogs.Errors.InvalidParameterException, "Either logGroupName or logGroupIdentifier must be given.", 400);

    public static AwsException GroupNotFound() =>
        new(CloudWatchLogs.Errors.ResourceNotFoundException, "The specified log group does not exist.", 400);

    public static AwsException GroupExists() =>
        new(CloudWatchLogs.Errors.ResourceAlreadyExistsException, "The specified log group already exists", 400);

    public static AwsException InvalidRetention(int days) =>
        new(CloudWatchLogs.Errors.InvalidParameterException,
            $"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", LogGroupOperations.RetentionDays)}]", 400);

    public static AwsException InvalidArn(string arn) =>
        new(CloudWatchLogs.Errors.InvalidParameterException, $"Invalid resource ARN: {arn}. Gatehouse tags log groups: arn:aws:logs:REGION:ACCOUNT:log-group:NAME.", 400);

    /// <summary>TagResource beyond 50 tags (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_TagResource.html).</summary>
    public static AwsException TooManyTags() =>
        new(CloudWatchLogs.Errors.TooManyTagsException, "A resource can have no more than 50 tags.", 400);

    /// <summary>TagLogGroup beyond 50 tags: that older operation answers InvalidParameterException.</summary>
    public static AwsException TooManyTagsByName() =>
        new(CloudWatchLogs.Errors.InvalidParameterException, "A log group can have no more than 50 tags.", 400);

    public static AwsException BadToken() =>
        new(CloudWatchLogs.Errors.InvalidParameterException, "The specified nextToken is not valid.", 400);

    public static string GroupName(AwsRequest request)
    {
        var name = request.Input.Str("logGroupName") ?? request.Input.Str("logGroupIdentifier")
            ?? throw GroupMissing();
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

    /// <summary>The position a nextToken names (tokens are plain indexes into the listing; see <see cref="IndexPager"/>).</summary>
    public static int PageIndex(string? token) =>
        IndexPager.TryStart(token, out var index) ? index : throw BadToken();
}
