using System.Text.Json.Nodes;

namespace Gatehouse.Objects.Model;

/// <summary>A bucket. <see cref="Document"/> holds what is only read back whole: policy, tagging, encryption.</summary>
internal sealed record Bucket(string Name, string Region, DateTimeOffset Created, string? Versioning, JsonObject Document);

/// <summary>
/// One version of an object (the only one, <c>VersionId = "null"</c>, in an unversioned bucket).
/// <see cref="Document"/> holds user metadata (<c>Metadata</c>), the other stored headers
/// (<c>Headers</c>: Cache-Control, Content-Disposition…), checksums and the part count.
/// </summary>
internal sealed record StoredObject(
    string Bucket,
    string Key,
    string VersionId,
    long Seq,
    bool IsLatest,
    bool DeleteMarker,
    long Size,
    string ETag,
    string? Blob,
    string? ContentType,
    DateTimeOffset LastModified,
    JsonObject Document);

internal sealed record Upload(string UploadId, string Bucket, string Key, DateTimeOffset Initiated, JsonObject Document);

internal sealed record Part(string UploadId, int PartNumber, long Size, string ETag, string Blob, DateTimeOffset LastModified);
