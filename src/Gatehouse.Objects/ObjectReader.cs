using Gatehouse.Core;
using Gatehouse.Objects.Model;
using Gatehouse.Storage;

namespace Gatehouse.Objects;

/// <summary>Reads objects for other services (function code from <c>Code.S3Bucket/S3Key</c>).</summary>
internal sealed class ObjectReader : IObjectReader
{
    private readonly ObjectStore _store;
    private readonly BlobStore _blobs;

    public ObjectReader(ObjectStore store, BlobStore blobs)
    {
        _store = store;
        _blobs = blobs;
    }

    public async Task<ObjectReadResult> ReadAsync(string bucket, string key, string? versionId, CancellationToken cancellationToken)
    {
        if (await _store.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is null)
            return Failure(ObjectsErrors.NoSuchBucket(bucket));
        var stored = await _store.GetObjectAsync(bucket, key, versionId, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.DeleteMarker)
            return Failure(versionId is null ? ObjectsErrors.NoSuchKey(key) : ObjectsErrors.NoSuchVersion(key, versionId));
        var content = stored.Blob is null ? [] : await _blobs.ReadAsync(stored.Blob, cancellationToken).ConfigureAwait(false);
        return new ObjectReadResult(content, null, null);
    }

    private static ObjectReadResult Failure(AwsException error) => new(null, error.Code, error.Message);
}
