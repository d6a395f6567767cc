using System.Text.Json.Nodes;
using Gatehouse.Objects.Model;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;

namespace Gatehouse.Objects.Operations;

/// <summary>
/// A bucket's objects listed: ListObjects (v1, markers), ListObjectsV2 (continuation tokens) and
/// ListObjectVersions, each a page of keys and rolled-up common prefixes (<see cref="Listing"/>).
/// </summary>
internal sealed class ObjectListingOperations : IAwsOperations
{
    private readonly ObjectStore _store;

    public ObjectListingOperations(ObjectStore store) => _store = store;

    public void Map(AwsServiceDefinition definition) => definition
        .Map(S3.Operations.ListObjects, ListObjectsAsync)
        .Map(S3.Operations.ListObjectsV2, ListObjectsV2Async)
        .Map(S3.Operations.ListObjectVersions, ListObjectVersionsAsync);

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
    private async ValueTask<AwsResponse> ListObjectsV2Async(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var token = ObjectOperations.Text(request, "ContinuationToken");
        string? after = ObjectOperations.Text(request, "StartAfter");
        if (token is not null)
            after = ContinuationToken.Decode(token) ?? throw ObjectsErrors.InvalidArgument("The continuation token provided is incorrect");
        var listing = await ListingAsync(request, bucket, after, cancellationToken).ConfigureAwait(false);
        var encode = ObjectOperations.Text(request, "EncodingType") == "url";
        var output = listing.Output(encode);
        output["Name"] = bucket.Name;
        output["KeyCount"] = listing.Contents.Count + listing.CommonPrefixes.Count;
        if (token is not null)
            output["ContinuationToken"] = token;
        if (ObjectOperations.Text(request, "StartAfter") is { } startAfter)
            output["StartAfter"] = encode ? ContinuationToken.UrlEncode(startAfter) : startAfter;
        if (listing.Truncated)
            output["NextContinuationToken"] = ContinuationToken.Encode(listing.Last!);
        var owner = request.Input["FetchOwner"]?.GetValue<bool>() == true ? BucketOperations.Owner(request.Context) : null;
        if (owner is not null && output["Contents"] is JsonArray contents)
        {
            foreach (var item in contents)
                item!["Owner"] = owner.DeepClone();
        }
        return output;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html
    private async ValueTask<AwsResponse> ListObjectsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var marker = ObjectOperations.Text(request, "Marker");
        var listing = await ListingAsync(request, bucket, marker, cancellationToken).ConfigureAwait(false);
        var encode = ObjectOperations.Text(request, "EncodingType") == "url";
        var output = listing.Output(encode);
        output["Name"] = bucket.Name;
        output["Marker"] = marker is null ? "" : encode ? ContinuationToken.UrlEncode(marker) : marker;
        // NextMarker only comes with a delimiter; without one clients continue from the last key.
        if (listing.Truncated && ObjectOperations.Text(request, "Delimiter") is { Length: > 0 })
            output["NextMarker"] = encode ? ContinuationToken.UrlEncode(listing.Last!) : listing.Last;
        var owner = BucketOperations.Owner(request.Context);
        if (output["Contents"] is JsonArray contents)
        {
            foreach (var item in contents)
                item!["Owner"] = owner.DeepClone();
        }
        return output;
    }

    private Task<Listing> ListingAsync(AwsRequest request, Bucket bucket, string? after, CancellationToken cancellationToken)
    {
        var prefix = ObjectOperations.Text(request, "Prefix") ?? "";
        var delimiter = ObjectOperations.Text(request, "Delimiter") is { Length: > 0 } d ? d : null;
        var maxKeys = (int)Math.Clamp(request.Input["MaxKeys"]?.GetValue<long>() ?? 1000, 0, 1000);
        return _store.ScanAsync(bucket.Name, prefix, after, versions: false, async rows =>
        {
            var listing = new Listing(prefix, delimiter, maxKeys);
            // A page that ended on a common prefix goes on after every key under it.
            var skip = delimiter is not null && after is not null && after.EndsWith(delimiter, StringComparison.Ordinal) ? after : null;
            await foreach (var row in rows.ConfigureAwait(false))
            {
                if (skip is not null && row.Key.StartsWith(skip, StringComparison.Ordinal))
                    continue;
                if (!listing.Add(row))
                    break;
            }
            return listing;
        }, cancellationToken);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html
    private async ValueTask<AwsResponse> ListObjectVersionsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await BucketOperations.RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var prefix = ObjectOperations.Text(request, "Prefix") ?? "";
        var delimiter = ObjectOperations.Text(request, "Delimiter") is { Length: > 0 } d ? d : null;
        var maxKeys = (int)Math.Clamp(request.Input["MaxKeys"]?.GetValue<long>() ?? 1000, 0, 1000);
        var keyMarker = ObjectOperations.Text(request, "KeyMarker");
        var encode = ObjectOperations.Text(request, "EncodingType") == "url";
        string E(string text) => encode ? ContinuationToken.UrlEncode(text) : text;
        var owner = BucketOperations.Owner(request.Context);
        return await _store.ScanAsync(bucket.Name, prefix, keyMarker, versions: true, async rows =>
        {
            var listing = new Listing(prefix, delimiter, maxKeys);
            await foreach (var row in rows.ConfigureAwait(false))
            {
                if (!listing.Add(row))
                    break;
            }
            var versions = new JsonArray();
            var markers = new JsonArray();
            foreach (var row in listing.Contents)
            {
                var entry = new JsonObject { ["Key"] = E(row.Key), ["VersionId"] = row.VersionId, ["IsLatest"] = row.IsLatest, ["LastModified"] = row.LastModified, ["Owner"] = owner.DeepClone() };
                if (row.DeleteMarker)
                {
                    markers.Add(entry);
                }
                else
                {
                    entry["ETag"] = row.ETag;
                    entry["Size"] = row.Size;
                    entry["StorageClass"] = "STANDARD";
                    versions.Add(entry);
                }
            }
            var output = new JsonObject
            {
                ["Name"] = bucket.Name,
                ["Prefix"] = E(prefix),
                ["KeyMarker"] = keyMarker is null ? "" : E(keyMarker),
                ["MaxKeys"] = maxKeys,
                ["IsTruncated"] = listing.Truncated,
            };
            if (delimiter is not null)
                output["Delimiter"] = E(delimiter);
            if (encode)
                output["EncodingType"] = "url";
            if (versions.Count > 0)
                output["Versions"] = versions;
            if (markers.Count > 0)
                output["DeleteMarkers"] = markers;
            if (listing.CommonPrefixes.Count > 0)
                output["CommonPrefixes"] = new JsonArray(listing.CommonPrefixes.Select(p => (JsonNode)new JsonObject { ["Prefix"] = E(p) }).ToArray());
            // Whole keys per page (a key's versions are not split): the next page starts after the last key.
            if (listing.Truncated && listing.Contents.Count > 0)
                output["NextKeyMarker"] = E(listing.Contents[^1].Key);
            return (AwsResponse)output;
        }, cancellationToken).ConfigureAwait(false);
    }
}
