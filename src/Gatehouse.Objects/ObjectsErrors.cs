using System.Text.Json.Nodes;
using Gatehouse.Core;

namespace Gatehouse.Objects;

/// <summary>
/// The one catalog of S3's errors: code, status and message as S3 answers them
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
/// Extra members become elements of the <c>&lt;Error&gt;</c> document (<c>BucketName</c>, <c>Key</c>).
/// </summary>
internal static class ObjectsErrors
{
    public const string NoSuchBucketCode = "NoSuchBucket";
    public const string NoSuchKeyCode = "NoSuchKey";
    public const string NoSuchVersionCode = "NoSuchVersion";

    public static AwsException NoSuchBucket(string bucket) =>
        new(NoSuchBucketCode, "The specified bucket does not exist", 404, new JsonObject { ["BucketName"] = bucket });

    public static AwsException NoSuchKey(string key) =>
        new(NoSuchKeyCode, "The specified key does not exist.", 404, new JsonObject { ["Key"] = key });

    public static AwsException NoSuchVersion(string key, string versionId) =>
        new(NoSuchVersionCode, "The specified version does not exist.", 404, new JsonObject { ["Key"] = key, ["VersionId"] = versionId });

    public static AwsException BucketNotEmpty(string bucket) =>
        new("BucketNotEmpty", "The bucket you tried to delete is not empty", 409, new JsonObject { ["BucketName"] = bucket });

    public static AwsException BucketAlreadyOwnedByYou(string bucket) =>
        new("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", 409, new JsonObject { ["BucketName"] = bucket });

    public static AwsException InvalidBucketName(string bucket) =>
        new("InvalidBucketName", "The specified bucket is not valid.", 400, new JsonObject { ["BucketName"] = bucket });

    public static AwsException IllegalLocationConstraint(string constraint, string region) =>
        new("IllegalLocationConstraintException", $"The {constraint} location constraint is incompatible for the region specific endpoint this request was sent to.", 400);

    public static AwsException InvalidLocationConstraint() =>
        new("InvalidLocationConstraint", "The specified location-constraint is not valid", 400);

    public static AwsException EntityTooLarge(long proposed, long max) =>
        new("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400,
            new JsonObject { ["ProposedSize"] = proposed.ToString(System.Globalization.CultureInfo.InvariantCulture), ["MaxSizeAllowed"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public static AwsException EntityTooSmall() =>
        new("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", 400);

    public static AwsException BadDigest() =>
        new("BadDigest", "The Content-MD5 you specified did not match what we received.", 400);

    public static AwsException BadChecksum(string algorithm) =>
        new("BadDigest", $"The {algorithm} you specified did not match the calculated checksum.", 400);

    public static AwsException InvalidDigest() =>
        new("InvalidDigest", "The Content-MD5 you specified was invalid.", 400);

    public static AwsException ContentSha256Mismatch() =>
        new("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", 400);

    public static AwsException IncompleteBody() =>
        new("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header", 400);

    public static AwsException InvalidRange(long size) =>
        new("InvalidRange", "The requested range is not satisfiable", 416, new JsonObject { ["ActualObjectSize"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            Headers = new Dictionary<string, string> { ["Content-Range"] = $"bytes */{size}" },
        };

    public static AwsException NoSuchUpload(string uploadId) =>
        new("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", 404, new JsonObject { ["UploadId"] = uploadId });

    public static AwsException InvalidPart() =>
        new("InvalidPart", "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", 400);

    public static AwsException InvalidPartOrder() =>
        new("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.", 400);

    public static AwsException MalformedXml() =>
        new("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);

    public static AwsException InvalidArgument(string message) => new("InvalidArgument", message, 400);

    public static AwsException InvalidRequest(string message) => new("InvalidRequest", message, 400);

    public static AwsException PreconditionFailed(string condition) =>
        new("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412, new JsonObject { ["Condition"] = condition });

    public static AwsException NotModified() => new("NotModified", "Not Modified", 304);

    public static AwsException MethodNotAllowed() =>
        new("MethodNotAllowed", "The specified method is not allowed against this resource.", 405);

    public static AwsException NoSuchBucketPolicy(string bucket) =>
        new("NoSuchBucketPolicy", "The bucket policy does not exist", 404, new JsonObject { ["BucketName"] = bucket });

    public static AwsException NoSuchTagSet(string bucket) =>
        new("NoSuchTagSet", "The TagSet does not exist", 404, new JsonObject { ["BucketName"] = bucket });

    public static AwsException MalformedPolicy(string message) => new("MalformedPolicy", message, 400);
}
