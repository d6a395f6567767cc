namespace Gatehouse.Core;

/// <summary>Who is asking, where: the account and region a request is scoped to, and its request id.</summary>
public sealed record AwsRequestContext(string Account, string Region, string RequestId)
{
    /// <summary>The access key id from the SigV4 credential scope, when the request was signed.</summary>
    public string? AccessKeyId { get; init; }
}
