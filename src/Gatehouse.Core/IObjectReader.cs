namespace Gatehouse.Core;

/// <summary>
/// How other services (functions created from <c>Code.S3Bucket/S3Key</c>) read an object of
/// Gatehouse's own S3 without knowing how objects are stored. Implemented by the objects service.
/// </summary>
public interface IObjectReader
{
    /// <summary>The object's bytes, or an S3 error code and message (NoSuchBucket, NoSuchKey, NoSuchVersion).</summary>
    Task<ObjectReadResult> ReadAsync(string bucket, string key, string? versionId, CancellationToken cancellationToken);
}

/// <param name="Content">The bytes; null when <paramref name="ErrorCode"/> says why not.</param>
public sealed record ObjectReadResult(byte[]? Content, string? ErrorCode, string? ErrorMessage);
