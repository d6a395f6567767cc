using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Objects.Model;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;

namespace Gatehouse.Objects.Operations;

/// <summary>
/// Objects: put (streamed into the blob store), get (streamed out of it, with byte ranges), head,
/// delete (one or many, with delete markers in versioned buckets) and copy. The listings are in
/// <see cref="ObjectListingOperations"/>.
/// </summary>
internal sealed class ObjectOperations : IAwsOperations
{
    /// <summary>The stored headers S3 answers back on GET and HEAD, by input member name.</summary>
    internal static readonly string[] StoredHeaders = ["CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage", "Expires", "WebsiteRedirectLocation"];

    private readonly ObjectStore _store;
    private readonly BlobStore _blobs;
    private readonly TimeProvider _time;

    public ObjectOperations(ObjectStore store, BlobStore blobs, TimeProvider time)
    {
        _store = store;
        _blobs = blobs;
        _time = time;
    }

    public void Map(AwsServiceDefinition definition)
    {
        definition.Map(S3.Operations.PutObject, PutObjectAsync)
            .Map(S3.Operations.GetObject, GetObjectAsync)
            .Map(S3.Operations.HeadObject, HeadObjectAsync)
            .Map(S3.Operations.DeleteObject, DeleteObjectAsync)
            .Map(S3.Operations.DeleteObjects, DeleteObjectsAsync)
            .Map(S3.Operations.CopyObject, CopyObjectAsync);
    }

    private static string Key(AwsRequest request) => request.Input["Key"]!.GetValue<string>();

    internal static string? Text(AwsRequest request, string member) => request.Input[member]?.GetValue<string>();

    /// <summary>A new version id in a versioned bucket; "null" otherwise (and when versioning is suspended).</summary>
    internal static string NewVersionId(Bucket bucket) =>
        bucket.Versioning == "Enabled" ? AwsIds.Random("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._", 32) : "null";

    /// <summary>What a PutObject or CreateMultipartUpload stores beside the bytes: user metadata (keys lower case, as S3 keeps them) and headers.</summary>
    internal static JsonObject DescribeUpload(AwsRequest request)
    {
        var document = new JsonObject();
        var metadata = new JsonObject();
        if (request.Input["Metadata"] is JsonObject sent)
        {
            foreach (var (name, value) in sent)
                metadata[name.ToLowerInvariant()] = value?.GetValue<string>();
        }
        document["Metadata"] = metadata;
        var headers = new JsonObject();
        foreach (var name in StoredHeaders)
        {
            if (request.Input[name] is { } value)
                headers[name] = value.DeepClone();
        }
        // aws-chunked is how the body travelled, not how it is stored.
        if (headers["ContentEncoding"]?.GetValue<string>() is { } encoding)
        {
            var kept = string.Join(',', encoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(e => !e.Equals("aws-chunked", StringComparison.OrdinalIgnoreCase)));
            if (kept.Length == 0) headers.Remove("ContentEncoding");
            else headers["ContentEncoding"] = kept;
        }
        document["Headers"] = headers;
        return document;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
    private async ValueTask<AwsResponse> PutObjectAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var key = Key(request);
        await CheckWriteConditionsAsync(request, bucket, key, cancellationToken).ConfigureAwait(false);
        var body = await UploadedBody.StoreAsync(request, _blobs, cancellationToken).ConfigureAwait(false);
        var document = DescribeUpload(request);
        document["Checksums"] = body.Checksums;
        var stored = new StoredObject(bucket.Name, key, NewVersionId(bucket), 0, true, false, body.Size, "\"" + body.Md5Hex + "\"", body.Blob,
            Text(request, "ContentType") ?? "binary/octet-stream", _time.GetUtcNow(), document);
        await _store.PutObjectAsync(stored, cancellationToken).ConfigureAwait(false);
        var output = new JsonObject { ["ETag"] = stored.ETag, ["ServerSideEncryption"] = "AES256" };
        if (bucket.Versioning is not null)
            output["VersionId"] = stored.VersionId;
        AddChecksums(output, body.Checksums);
        return output;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html#API_PutObject_RequestSyntax (If-None-Match: *, If-Match)
    private async Task CheckWriteConditionsAsync(AwsRequest request, Bucket bucket, string key, CancellationToken cancellationToken)
    {
        var ifNoneMatch = Text(request, "IfNoneMatch");
        var ifMatch = Text(request, "IfMatch");
        if (ifNoneMatch is null && ifMatch is null)
            return;
        var existing = await _store.GetObjectAsync(bucket.Name, key, null, cancellationToken).ConfigureAwait(false);
        var live = existing is { DeleteMarker: false } ? existing : null;
        if (ifNoneMatch == "*" && live is not null)
            throw ObjectsErrors.PreconditionFailed("If-None-Match");
        if (ifMatch is not null && (live is null || !ETagMatches(ifMatch, live.ETag)))
            throw live is null ? ObjectsErrors.NoSuchKey(key) : ObjectsErrors.PreconditionFailed("If-Match");
    }

    private static void AddChecksums(JsonObject output, JsonObject? checksums)
    {
        if (checksums is null)
            return;
        foreach (var (algorithm, value) in checksums)
            output["Checksum" + algorithm] = value?.DeepClone();
    }

    private async Task<StoredObject> RequireObjectAsync(AwsRequest request, Bucket bucket, CancellationToken cancellationToken)
    {
        var key = Key(request);
        var versionId = Text(request, "VersionId");
        var stored = await _store.GetObjectAsync(bucket.Name, key, versionId, cancellationToken).ConfigureAwait(false);
        if (stored is null)
            throw versionId is null ? ObjectsErrors.NoSuchKey(key) : ObjectsErrors.NoSuchVersion(key, versionId);
        if (stored.DeleteMarker)
        {
            // The latest version is a delete marker: 404 NoSuchKey with x-amz-delete-marker; a
            // delete marker asked for by version: 405.
            var error = versionId is null ? ObjectsErrors.NoSuchKey(key) : ObjectsErrors.MethodNotAllowed();
            throw new AwsException(error.Code, error.Message, error.StatusCode, error.Members)
            {
                Headers = new Dictionary<string, string> { ["x-amz-delete-marker"] = "true", ["x-amz-version-id"] = stored.VersionId },
            };
        }
        return stored;
    }

    private ValueTask<AwsResponse> GetObjectAsync(AwsRequest request, CancellationToken cancellationToken) => ReadObjectAsync(request, withBody: true, cancellationToken);

    private ValueTask<AwsResponse> HeadObjectAsync(AwsRequest request, CancellationToken cancellationToken) => ReadObjectAsync(request, withBody: false, cancellationToken);

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
    private async ValueTask<AwsResponse> ReadObjectAsync(AwsRequest request, bool withBody, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var stored = await RequireObjectAsync(request, bucket, cancellationToken).ConfigureAwait(false);
        CheckReadConditions(request, stored);

        var output = new JsonObject
        {
            ["AcceptRanges"] = "bytes",
            ["LastModified"] = stored.LastModified,
            ["ETag"] = stored.ETag,
            ["ContentType"] = stored.ContentType ?? "binary/octet-stream",
            ["ServerSideEncryption"] = "AES256",
        };
        if (bucket.Versioning is not null)
            output["VersionId"] = stored.VersionId;
        if (stored.Document["Metadata"] is JsonObject metadata && metadata.Count > 0)
            output["Metadata"] = metadata.DeepClone();
        if (stored.Document["Headers"] is JsonObject headers)
        {
            foreach (var (name, value) in headers)
                output[name] = value?.DeepClone();
        }
        if (stored.Document["PartsCount"] is { } parts)
            output["PartsCount"] = parts.DeepClone();
        if (Text(request, "ChecksumMode") == "ENABLED")
            AddChecksums(output, stored.Document["Checksums"] as JsonObject);
        // The response-* query parameters override the stored headers
        // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax).
        foreach (var (query, member) in new[] { ("ResponseContentType", "ContentType"), ("ResponseContentDisposition", "ContentDisposition"), ("ResponseContentEncoding", "ContentEncoding"), ("ResponseContentLanguage", "ContentLanguage"), ("ResponseCacheControl", "CacheControl"), ("ResponseExpires", "Expires") })
        {
            if (request.Input[query] is { } value)
                output[member] = value.DeepClone();
        }

        long offset = 0;
        var length = stored.Size;
        int? status = null;
        if (Text(request, "Range") is { } range && ByteRange.Parse(range, stored.Size) is { } parsed)
        {
            (offset, length) = parsed;
            output["ContentRange"] = $"bytes {offset}-{offset + length - 1}/{stored.Size}";
            status = 206;
        }
        output["ContentLength"] = length;
        var path = stored.Blob is null ? null : _blobs.PathOf(stored.Blob);
        return new AwsResponse(output)
        {
            StatusCode = status,
            PayloadFile = path is null ? null : new FilePayload(path, offset, length),
        };
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-requests.html (RFC 7232 order)
    private static void CheckReadConditions(AwsRequest request, StoredObject stored)
    {
        var ifMatch = Text(request, "IfMatch");
        var ifNoneMatch = Text(request, "IfNoneMatch");
        var modified = TruncateToSeconds(stored.LastModified);
        if (ifMatch is not null && !ETagMatches(ifMatch, stored.ETag))
            throw ObjectsErrors.PreconditionFailed("If-Match");
        if (ifMatch is null && request.Input["IfUnmodifiedSince"] is { } unmodified && OutputTime(unmodified) < modified)
            throw ObjectsErrors.PreconditionFailed("If-Unmodified-Since");
        if (ifNoneMatch is not null && ETagMatches(ifNoneMatch, stored.ETag))
            throw NotModified(stored);
        if (ifNoneMatch is null && request.Input["IfModifiedSince"] is { } since && OutputTime(since) >= modified)
            throw NotModified(stored);
    }

    private static AwsException NotModified(StoredObject stored)
    {
        var error = ObjectsErrors.NotModified();
        return new AwsException(error.Code, error.Message, error.StatusCode) { Headers = new Dictionary<string, string> { ["ETag"] = stored.ETag } };
    }

    private static DateTimeOffset OutputTime(JsonNode value) => value.GetValue<DateTimeOffset>();

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerSecond, time.Offset);

    internal static bool ETagMatches(string condition, string etag) =>
        condition.Split(',', StringSplitOptions.TrimEntries).Any(c => c == "*" || c.Trim('"') == etag.Trim('"'));

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
    private async ValueTask<AwsResponse> DeleteObjectAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var result = await DeleteAsync(bucket, Key(request), Text(request, "VersionId"), cancellationToken).ConfigureAwait(false);
        var output = new JsonObject();
        if (result.DeleteMarker)
            output["DeleteMarker"] = true;
        if (result.VersionId is not null)
            output["VersionId"] = result.VersionId;
        return output;
    }

    private sealed record DeleteResult(bool DeleteMarker, string? VersionId);

    private async Task<DeleteResult> DeleteAsync(Bucket bucket, string key, string? versionId, CancellationToken cancellationToken)
    {
        if (versionId is not null)
        {
            var removed = await _store.DeleteVersionAsync(bucket.Name, key, versionId, cancellationToken).ConfigureAwait(false);
            return new DeleteResult(removed?.DeleteMarker == true, versionId);
        }
        if (bucket.Versioning is null)
        {
            await _store.DeleteVersionAsync(bucket.Name, key, "null", cancellationToken).ConfigureAwait(false);
            return new DeleteResult(false, null);
        }
        // Versioned (or suspended): a delete marker becomes the latest version.
        var marker = new StoredObject(bucket.Name, key, NewVersionId(bucket), 0, true, true, 0, "", null, null, _time.GetUtcNow(), new JsonObject());
        await _store.PutObjectAsync(marker, cancellationToken).ConfigureAwait(false);
        return new DeleteResult(true, marker.VersionId);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
    private async ValueTask<AwsResponse> DeleteObjectsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var objects = request.Input["Delete"]?["Objects"] as JsonArray ?? throw ObjectsErrors.MalformedXml();
        if (objects.Count is 0 or > 1000)
            throw ObjectsErrors.MalformedXml();
        var quiet = request.Input["Delete"]?["Quiet"]?.GetValue<bool>() == true;
        var deleted = new JsonArray();
        foreach (var item in objects)
        {
            var key = item?["Key"]?.GetValue<string>() ?? throw ObjectsErrors.MalformedXml();
            var result = await DeleteAsync(bucket, key, item["VersionId"]?.GetValue<string>(), cancellationToken).ConfigureAwait(false);
            if (quiet)
                continue;
            var entry = new JsonObject { ["Key"] = key };
            if (item["VersionId"] is { } version)
                entry["VersionId"] = version.DeepClone();
            if (result.DeleteMarker)
            {
                entry["DeleteMarker"] = true;
                entry["DeleteMarkerVersionId"] = result.VersionId;
            }
            deleted.Add(entry);
        }
        var output = new JsonObject();
        if (deleted.Count > 0)
            output["Deleted"] = deleted;
        // An empty <DeleteResult/> in quiet mode.
        if (output.Count > 0)
            return output;
        return new AwsResponse(output) { Payload = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>") };
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html — the bytes are shared
    // (blobs are named by their hash), only the metadata row is new.
    private async ValueTask<AwsResponse> CopyObjectAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var (sourceBucketName, sourceKey, sourceVersion) = CopySource.Parse(Text(request, "CopySource")!);
        var sourceBucket = await _store.GetBucketAsync(sourceBucketName, cancellationToken).ConfigureAwait(false) ?? throw ObjectsErrors.NoSuchBucket(sourceBucketName);
        var source = await _store.GetObjectAsync(sourceBucket.Name, sourceKey, sourceVersion, cancellationToken).ConfigureAwait(false);
        if (source is null || source.DeleteMarker)
            throw sourceVersion is null ? ObjectsErrors.NoSuchKey(sourceKey) : ObjectsErrors.NoSuchVersion(sourceKey, sourceVersion);
        if (Text(request, "CopySourceIfMatch") is { } ifMatch && !ETagMatches(ifMatch, source.ETag))
            throw ObjectsErrors.PreconditionFailed("x-amz-copy-source-If-Match");
        if (Text(request, "CopySourceIfNoneMatch") is { } ifNoneMatch && ETagMatches(ifNoneMatch, source.ETag))
            throw ObjectsErrors.PreconditionFailed("x-amz-copy-source-If-None-Match");

        var key = Key(request);
        var replace = Text(request, "MetadataDirective") == "REPLACE";
        if (!replace && sourceBucket.Name == bucket.Name && sourceKey == key && sourceVersion is null && bucket.Versioning is null)
        {
            throw ObjectsErrors.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }
        var document = replace ? DescribeUpload(request) : (JsonObject)source.Document.DeepClone();
        if (replace)
        {
            if (source.Document["Checksums"] is { } checksums)
                document["Checksums"] = checksums.DeepClone();
            if (source.Document["PartsCount"] is { } parts)
                document["PartsCount"] = parts.DeepClone();
        }
        var copy = new StoredObject(bucket.Name, key, NewVersionId(bucket), 0, true, false, source.Size, source.ETag, source.Blob,
            replace ? Text(request, "ContentType") ?? "binary/octet-stream" : source.ContentType, _time.GetUtcNow(), document);
        await _store.PutObjectAsync(copy, cancellationToken).ConfigureAwait(false);
        var output = new JsonObject
        {
            ["CopyObjectResult"] = new JsonObject { ["ETag"] = copy.ETag, ["LastModified"] = copy.LastModified },
            ["ServerSideEncryption"] = "AES256",
        };
        if (sourceBucket.Versioning is not null)
            output["CopySourceVersionId"] = source.VersionId;
        if (bucket.Versioning is not null)
            output["VersionId"] = copy.VersionId;
        return output;
    }
}
