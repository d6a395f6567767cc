using System.Globalization;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Objects.Model;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;

namespace Gatehouse.Objects.Operations;

/// <summary>
/// Multipart uploads (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html):
/// each part streamed into its own blob; completing concatenates the parts named, in order, into
/// the object's blob and answers S3's ETag, the MD5 of the parts' MD5s and the part count.
/// </summary>
internal sealed class MultipartUploadOperations : IAwsOperations
{
    /// <summary>Every part but the last is at least 5 MiB (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html).</summary>
    private const long MinPartSize = 5L * 1024 * 1024;

    private readonly ObjectStore _store;
    private readonly BlobStore _blobs;
    private readonly TimeProvider _time;

    public MultipartUploadOperations(ObjectStore store, BlobStore blobs, TimeProvider time)
    {
        _store = store;
        _blobs = blobs;
        _time = time;
    }

    public void Map(AwsServiceDefinition definition)
    {
        definition.Map(S3.Operations.CreateMultipartUpload, CreateMultipartUploadAsync)
            .Map(S3.Operations.UploadPart, UploadPartAsync)
            .Map(S3.Operations.CompleteMultipartUpload, CompleteMultipartUploadAsync)
            .Map(S3.Operations.AbortMultipartUpload, AbortMultipartUploadAsync)
            .Map(S3.Operations.ListParts, ListPartsAsync)
            .Map(S3.Operations.ListMultipartUploads, ListMultipartUploadsAsync);
    }

    private async Task<Upload> RequireUploadAsync(AwsRequest request, Bucket bucket, CancellationToken cancellationToken)
    {
        var uploadId = request.Input["UploadId"]!.GetValue<string>();
        var upload = await _store.GetUploadAsync(uploadId, cancellationToken).ConfigureAwait(false);
        if (upload is null || upload.Bucket != bucket.Name || upload.Key != request.Input["Key"]!.GetValue<string>())
            throw ObjectsErrors.NoSuchUpload(uploadId);
        return upload;
    }

    private async ValueTask<AwsResponse> CreateMultipartUploadAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var key = request.Input["Key"]!.GetValue<string>();
        var document = ObjectOperations.DescribeUpload(request);
        document["ContentType"] = request.Input["ContentType"]?.GetValue<string>() ?? "binary/octet-stream";
        if (request.Input["ChecksumAlgorithm"]?.GetValue<string>() is { } algorithm)
            document["ChecksumAlgorithm"] = algorithm;
        var upload = new Upload(AwsIds.Random("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", 64), bucket.Name, key, _time.GetUtcNow(), document);
        await _store.CreateUploadAsync(upload, cancellationToken).ConfigureAwait(false);
        var output = new JsonObject { ["Bucket"] = bucket.Name, ["Key"] = key, ["UploadId"] = upload.UploadId, ["ServerSideEncryption"] = "AES256" };
        if (document["ChecksumAlgorithm"] is { } checksum)
            output["ChecksumAlgorithm"] = checksum.DeepClone();
        return output;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
    private async ValueTask<AwsResponse> UploadPartAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var upload = await RequireUploadAsync(request, bucket, cancellationToken).ConfigureAwait(false);
        var number = request.Input["PartNumber"]!.GetValue<long>();
        if (number is < 1 or > 10000)
            throw ObjectsErrors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive");
        var body = await UploadedBody.StoreAsync(request, _blobs, cancellationToken).ConfigureAwait(false);
        var part = new Part(upload.UploadId, (int)number, body.Size, "\"" + body.Md5Hex + "\"", body.Blob, _time.GetUtcNow());
        if (!await _store.PutPartAsync(part, cancellationToken).ConfigureAwait(false))
            throw ObjectsErrors.NoSuchUpload(upload.UploadId);
        var output = new JsonObject { ["ETag"] = part.ETag, ["ServerSideEncryption"] = "AES256" };
        foreach (var (algorithm, value) in body.Checksums)
            output["Checksum" + algorithm] = value?.DeepClone();
        return output;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
    private async ValueTask<AwsResponse> CompleteMultipartUploadAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var upload = await RequireUploadAsync(request, bucket, cancellationToken).ConfigureAwait(false);
        var named = request.Input["MultipartUpload"]?["Parts"] as JsonArray;
        if (named is null || named.Count == 0)
            throw ObjectsErrors.MalformedXml();
        var stored = (await _store.ListPartsAsync(upload.UploadId, cancellationToken).ConfigureAwait(false)).ToDictionary(p => p.PartNumber);
        var chosen = new List<Part>();
        var previous = 0L;
        foreach (var item in named)
        {
            var number = item?["PartNumber"]?.GetValue<long>() ?? throw ObjectsErrors.MalformedXml();
            if (number <= previous)
                throw ObjectsErrors.InvalidPartOrder();
            previous = number;
            var etag = item["ETag"]?.GetValue<string>() ?? "";
            if (!stored.TryGetValue((int)number, out var part) || part.ETag.Trim('"') != etag.Trim('"'))
                throw ObjectsErrors.InvalidPart();
            chosen.Add(part);
        }
        for (var i = 0; i < chosen.Count - 1; i++)
        {
            if (chosen[i].Size < MinPartSize)
                throw ObjectsErrors.EntityTooSmall();
        }

        (string Hash, long Length) blob;
        await using (var joined = new ConcatenatedFiles(chosen.Select(p => _blobs.PathOf(p.Blob)).ToList()))
            blob = await _blobs.PutAsync(joined, null, null, cancellationToken).ConfigureAwait(false);
        var etagOut = UploadedBody.MultipartETag(chosen.Select(p => p.ETag.Trim('"')).ToList());
        var document = (JsonObject)upload.Document.DeepClone();
        var contentType = document["ContentType"]?.GetValue<string>();
        document.Remove("ContentType");
        document.Remove("ChecksumAlgorithm");
        document["PartsCount"] = chosen.Count;
        document["Checksums"] = new JsonObject();
        var result = new StoredObject(bucket.Name, upload.Key, ObjectOperations.NewVersionId(bucket), 0, true, false, blob.Length, etagOut, blob.Hash,
            contentType, _time.GetUtcNow(), document);
        if (!await _store.EndUploadAsync(upload.UploadId, result, cancellationToken).ConfigureAwait(false))
            throw ObjectsErrors.NoSuchUpload(upload.UploadId);
        var output = new JsonObject
        {
            ["Location"] = $"/{bucket.Name}/{Uri.EscapeDataString(upload.Key).Replace("%2F", "/", StringComparison.Ordinal)}",
            ["Bucket"] = bucket.Name,
            ["Key"] = upload.Key,
            ["ETag"] = etagOut,
            ["ServerSideEncryption"] = "AES256",
        };
        if (bucket.Versioning is not null)
            output["VersionId"] = result.VersionId;
        return output;
    }

    private async ValueTask<AwsResponse> AbortMultipartUploadAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var upload = await RequireUploadAsync(request, bucket, cancellationToken).ConfigureAwait(false);
        await _store.EndUploadAsync(upload.UploadId, null, cancellationToken).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> ListPartsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var upload = await RequireUploadAsync(request, bucket, cancellationToken).ConfigureAwait(false);
        var marker = request.Input["PartNumberMarker"] is { } m ? long.Parse(m.ToString(), CultureInfo.InvariantCulture) : 0;
        var max = (int)Math.Clamp(request.Input["MaxParts"]?.GetValue<long>() ?? 1000, 0, 1000);
        var parts = (await _store.ListPartsAsync(upload.UploadId, cancellationToken).ConfigureAwait(false)).Where(p => p.PartNumber > marker).ToList();
        var page = parts.Take(max).ToList();
        var owner = BucketOperations.Owner(request.Context);
        var output = new JsonObject
        {
            ["Bucket"] = bucket.Name,
            ["Key"] = upload.Key,
            ["UploadId"] = upload.UploadId,
            ["PartNumberMarker"] = marker.ToString(CultureInfo.InvariantCulture),
            ["MaxParts"] = max,
            ["IsTruncated"] = parts.Count > page.Count,
            ["Initiator"] = owner.DeepClone(),
            ["Owner"] = owner,
            ["StorageClass"] = "STANDARD",
        };
        if (page.Count > 0)
        {
            output["NextPartNumberMarker"] = page[^1].PartNumber.ToString(CultureInfo.InvariantCulture);
            output["Parts"] = new JsonArray(page.Select(p => (JsonNode)new JsonObject
            {
                ["PartNumber"] = p.PartNumber,
                ["LastModified"] = p.LastModified,
                ["ETag"] = p.ETag,
                ["Size"] = p.Size,
            }).ToArray());
        }
        return output;
    }

    private async ValueTask<AwsResponse> ListMultipartUploadsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var prefix = request.Input["Prefix"]?.GetValue<string>() ?? "";
        var max = (int)Math.Clamp(request.Input["MaxUploads"]?.GetValue<long>() ?? 1000, 0, 1000);
        var uploads = await _store.ListUploadsAsync(bucket.Name, prefix, cancellationToken).ConfigureAwait(false);
        var page = uploads.Take(max).ToList();
        var owner = BucketOperations.Owner(request.Context);
        var output = new JsonObject
        {
            ["Bucket"] = bucket.Name,
            ["KeyMarker"] = "",
            ["UploadIdMarker"] = "",
            ["Prefix"] = prefix,
            ["MaxUploads"] = max,
            ["IsTruncated"] = uploads.Count > page.Count,
        };
        if (page.Count > 0)
        {
            output["NextKeyMarker"] = page[^1].Key;
            output["NextUploadIdMarker"] = page[^1].UploadId;
            output["Uploads"] = new JsonArray(page.Select(u => (JsonNode)new JsonObject
            {
                ["UploadId"] = u.UploadId,
                ["Key"] = u.Key,
                ["Initiated"] = u.Initiated,
                ["StorageClass"] = "STANDARD",
                ["Owner"] = owner.DeepClone(),
                ["Initiator"] = owner.DeepClone(),
            }).ToArray());
        }
        return output;
    }

    /// <summary>The part files one after the other, read as one stream (never loaded whole).</summary>
    private sealed class ConcatenatedFiles(List<string> paths) : Stream
    {
        private int _index;
        private FileStream? _current;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_index < paths.Count)
            {
                _current ??= new FileStream(paths[_index], FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
                var read = await _current.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read > 0)
                    return read;
                await _current.DisposeAsync().ConfigureAwait(false);
                _current = null;
                _index++;
            }
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            if (_current is not null)
                await _current.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _current?.Dispose();
            base.Dispose(disposing);
        }
    }
}
