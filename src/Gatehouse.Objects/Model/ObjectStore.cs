using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using Gatehouse.Storage;

namespace Gatehouse.Objects.Model;

/// <summary>
/// S3's metadata in the database, read on demand (a bucket can hold more keys than memory should):
/// listings are ordered by key in binary (UTF-8) order, as S3 lists them.
/// </summary>
internal sealed class ObjectStore
{
    private const string ObjectColumns = "bucket, key, version_id, seq, is_latest, delete_marker, size, etag, blob, content_type, last_modified, document";
    private readonly IDatabase _database;

    public ObjectStore(IDatabase database) => _database = database;

    public IDatabase Database => _database;

    // Buckets

    public Task<Bucket?> GetBucketAsync(string name, CancellationToken cancellationToken) =>
        _database.ReadAsync(async c => (await c.QueryAsync("SELECT name, region, created, versioning, document FROM s3_buckets WHERE name = @n", ReadBucket, ("@n", name)).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);

    public Task<List<Bucket>> ListBucketsAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync(c => c.QueryAsync("SELECT name, region, created, versioning, document FROM s3_buckets ORDER BY name", ReadBucket), cancellationToken);

    /// <summary>Inserts the bucket; false when the name is taken.</summary>
    public Task<bool> CreateBucketAsync(Bucket bucket, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, t) =>
        {
            var taken = await c.QueryAsync(t, "SELECT 1 FROM s3_buckets WHERE name = @n", r => 1, ("@n", bucket.Name)).ConfigureAwait(false);
            if (taken.Count > 0)
                return false;
            await c.ExecuteAsync(t, "INSERT INTO s3_buckets (name, region, created, versioning, document) VALUES (@n, @r, @c, @v, @d)",
                ("@n", bucket.Name), ("@r", bucket.Region), ("@c", Time(bucket.Created)), ("@v", bucket.Versioning), ("@d", bucket.Document.ToJsonString())).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task UpdateBucketAsync(Bucket bucket, CancellationToken cancellationToken) =>
        _database.WriteAsync((c, t) => c.ExecuteAsync(t, "UPDATE s3_buckets SET versioning = @v, document = @d WHERE name = @n",
            ("@n", bucket.Name), ("@v", bucket.Versioning), ("@d", bucket.Document.ToJsonString())), cancellationToken);

    /// <summary>Deletes an empty bucket: false when it still holds an object version or an upload.</summary>
    public Task<bool> DeleteBucketAsync(string name, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, t) =>
        {
            var used = await c.QueryAsync(t, "SELECT 1 FROM s3_objects WHERE bucket = @n LIMIT 1", r => 1, ("@n", name)).ConfigureAwait(false);
            if (used.Count > 0)
                return false;
            await c.ExecuteAsync(t, "DELETE FROM s3_parts WHERE upload_id IN (SELECT upload_id FROM s3_uploads WHERE bucket = @n)", ("@n", name)).ConfigureAwait(false);
            await c.ExecuteAsync(t, "DELETE FROM s3_uploads WHERE bucket = @n", ("@n", name)).ConfigureAwait(false);
            await c.ExecuteAsync(t, "DELETE FROM s3_buckets WHERE name = @n", ("@n", name)).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    // Objects

    /// <summary>The latest version (which may be a delete marker), or the named version.</summary>
    public Task<StoredObject?> GetObjectAsync(string bucket, string key, string? versionId, CancellationToken cancellationToken) =>
        _database.ReadAsync(async c => (versionId is null
            ? await c.QueryAsync($"SELECT {ObjectColumns} FROM s3_objects WHERE bucket = @b AND key = @k AND is_latest = 1", ReadObject, ("@b", bucket), ("@k", key)).ConfigureAwait(false)
            : await c.QueryAsync($"SELECT {ObjectColumns} FROM s3_objects WHERE bucket = @b AND key = @k AND version_id = @v", ReadObject, ("@b", bucket), ("@k", key), ("@v", versionId)).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);

    /// <summary>
    /// Adds a version as the latest: in a versioned bucket the previous latest stays (no longer latest);
    /// otherwise the previous "null" version is replaced.
    /// </summary>
    public Task PutObjectAsync(StoredObject value, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, t) =>
        {
            await PutObjectAsync(c, t, value).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    private static async Task PutObjectAsync(DbConnection c, DbTransaction t, StoredObject value)
    {
        await c.ExecuteAsync(t, "UPDATE s3_objects SET is_latest = 0 WHERE bucket = @b AND key = @k AND is_latest = 1", ("@b", value.Bucket), ("@k", value.Key)).ConfigureAwait(false);
        await c.ExecuteAsync(t, "DELETE FROM s3_objects WHERE bucket = @b AND key = @k AND version_id = @v", ("@b", value.Bucket), ("@k", value.Key), ("@v", value.VersionId)).ConfigureAwait(false);
        var seq = (await c.QueryAsync(t, "SELECT COALESCE(MAX(seq), 0) + 1 FROM s3_objects", r => r.GetInt64(0)).ConfigureAwait(false))[0];
        await c.ExecuteAsync(t, $"INSERT INTO s3_objects ({ObjectColumns}) VALUES (@b, @k, @v, @s, 1, @dm, @size, @e, @blob, @ct, @lm, @d)",
            ("@b", value.Bucket), ("@k", value.Key), ("@v", value.VersionId), ("@s", seq), ("@dm", value.DeleteMarker ? 1 : 0), ("@size", value.Size),
            ("@e", value.ETag), ("@blob", value.Blob), ("@ct", value.ContentType), ("@lm", Time(value.LastModified)), ("@d", value.Document.ToJsonString())).ConfigureAwait(false);
    }

    /// <summary>Removes one version; if it was the latest, the newest remaining version becomes latest.</summary>
    public Task<StoredObject?> DeleteVersionAsync(string bucket, string key, string versionId, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, t) =>
        {
            var existing = (await c.QueryAsync(t, $"SELECT {ObjectColumns} FROM s3_objects WHERE bucket = @b AND key = @k AND version_id = @v", ReadObject, ("@b", bucket), ("@k", key), ("@v", versionId)).ConfigureAwait(false)).FirstOrDefault();
            if (existing is null)
                return null;
            await c.ExecuteAsync(t, "DELETE FROM s3_objects WHERE bucket = @b AND key = @k AND version_id = @v", ("@b", bucket), ("@k", key), ("@v", versionId)).ConfigureAwait(false);
            if (existing.IsLatest)
            {
                await c.ExecuteAsync(t, "UPDATE s3_objects SET is_latest = 1 WHERE bucket = @b AND key = @k AND seq = (SELECT MAX(seq) FROM s3_objects WHERE bucket = @b AND key = @k)",
                    ("@b", bucket), ("@k", key)).ConfigureAwait(false);
            }
            return existing;
        }, cancellationToken);

    /// <summary>
    /// The latest versions (delete markers excluded, unless <paramref name="versions"/>, which lists
    /// every version) whose key starts with <paramref name="prefix"/> and sorts after
    /// <paramref name="after"/>, in key order, read lazily by the caller.
    /// </summary>
    public Task<T> ScanAsync<T>(string bucket, string prefix, string? after, bool versions, Func<IAsyncEnumerable<StoredObject>, Task<T>> consume, CancellationToken cancellationToken) =>
        _database.ReadAsync(async c =>
        {
            var filter = versions ? "" : " AND is_latest = 1 AND delete_marker = 0";
            var sql = $"SELECT {ObjectColumns} FROM s3_objects WHERE bucket = @b{filter} AND key >= @p AND (@a IS NULL OR key > @a) AND substr(key, 1, @n) = @p ORDER BY key, seq DESC";
            await using var command = c.Command(sql, null, ("@b", bucket), ("@p", prefix), ("@a", after), ("@n", prefix.Length));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await consume(RowsAsync(reader, cancellationToken)).ConfigureAwait(false);
        }, cancellationToken);

    private static async IAsyncEnumerable<StoredObject> RowsAsync(DbDataReader reader, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            yield return ReadObject(reader);
    }

    // Multipart uploads

    public Task CreateUploadAsync(Upload upload, CancellationToken cancellationToken) =>
        _database.WriteAsync((c, t) => c.ExecuteAsync(t, "INSERT INTO s3_uploads (upload_id, bucket, key, initiated, document) VALUES (@u, @b, @k, @i, @d)",
            ("@u", upload.UploadId), ("@b", upload.Bucket), ("@k", upload.Key), ("@i", Time(upload.Initiated)), ("@d", upload.Document.ToJsonString())), cancellationToken);

    public Task<Upload?> GetUploadAsync(string uploadId, CancellationToken cancellationToken) =>
        _database.ReadAsync(async c => (await c.QueryAsync("SELECT upload_id, bucket, key, initiated, document FROM s3_uploads WHERE upload_id = @u", ReadUpload, ("@u", uploadId)).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);

    public Task<List<Upload>> ListUploadsAsync(string bucket, string prefix, CancellationToken cancellationToken) =>
        _database.ReadAsync(c => c.QueryAsync("SELECT upload_id, bucket, key, initiated, document FROM s3_uploads WHERE bucket = @b AND substr(key, 1, @n) = @p ORDER BY key, initiated",
            ReadUpload, ("@b", bucket), ("@p", prefix), ("@n", prefix.Length)), cancellationToken);

    /// <summary>Stores a part (replacing one of the same number); false when the upload is gone.</summary>
    public Task<bool> PutPartAsync(Part part, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, t) =>
        {
            var open = await c.QueryAsync(t, "SELECT 1 FROM s3_uploads WHERE upload_id = @u", r => 1, ("@u", part.UploadId)).ConfigureAwait(false);
            if (open.Count == 0)
                return false;
            await c.ExecuteAsync(t, "DELETE FROM s3_parts WHERE upload_id = @u AND part_number = @n", ("@u", part.UploadId), ("@n", part.PartNumber)).ConfigureAwait(false);
            await c.ExecuteAsync(t, "INSERT INTO s3_parts (upload_id, part_number, size, etag, blob, last_modified) VALUES (@u, @n, @s, @e, @b, @l)",
                ("@u", part.UploadId), ("@n", part.PartNumber), ("@s", part.Size), ("@e", part.ETag), ("@b", part.Blob), ("@l", Time(part.LastModified))).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<List<Part>> ListPartsAsync(string uploadId, CancellationToken cancellationToken) =>
        _database.ReadAsync(c => c.QueryAsync("SELECT upload_id, part_number, size, etag, blob, last_modified FROM s3_parts WHERE upload_id = @u ORDER BY part_number",
            r => new Part(r.GetString(0), r.GetInt32(1), r.GetInt64(2), r.GetString(3), r.GetString(4), ParseTime(r.GetString(5))), ("@u", uploadId)), cancellationToken);

    /// <summary>Ends an upload: its parts and row go; <paramref name="result"/>, when given, becomes the object's latest version in the same transaction.</summary>
    public Task<bool> EndUploadAsync(string uploadId, StoredObject? result, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, t) =>
        {
            var removed = await c.ExecuteAsync(t, "DELETE FROM s3_uploads WHERE upload_id = @u", ("@u", uploadId)).ConfigureAwait(false);
            if (removed == 0)
                return false;
            await c.ExecuteAsync(t, "DELETE FROM s3_parts WHERE upload_id = @u", ("@u", uploadId)).ConfigureAwait(false);
            if (result is not null)
                await PutObjectAsync(c, t, result).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task ResetAsync(CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, t) =>
        {
            foreach (var table in new[] { "s3_parts", "s3_uploads", "s3_objects", "s3_buckets" })
                await c.ExecuteAsync(t, $"DELETE FROM {table}").ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    private static Bucket ReadBucket(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), ParseTime(r.GetString(2)), r.GetStringOrNull(3), (JsonObject)JsonNode.Parse(r.GetString(4))!);

    private static StoredObject ReadObject(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4) == 1, r.GetInt64(5) == 1, r.GetInt64(6), r.GetString(7),
            r.GetStringOrNull(8), r.GetStringOrNull(9), ParseTime(r.GetString(10)), (JsonObject)JsonNode.Parse(r.GetString(11))!);

    private static Upload ReadUpload(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), ParseTime(r.GetString(3)), (JsonObject)JsonNode.Parse(r.GetString(4))!);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
