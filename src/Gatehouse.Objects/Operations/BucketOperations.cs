using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Objects.Model;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;

namespace Gatehouse.Objects.Operations;

/// <summary>
/// Buckets: create, head, delete, list, location, versioning status, and the configurations a
/// deploy tool writes and reads back (policy, tagging, default encryption), stored and returned,
/// not enforced.
/// </summary>
internal sealed class BucketOperations : IAwsOperations
{
    private readonly ObjectStore _store;
    private readonly TimeProvider _time;

    public BucketOperations(ObjectStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    public void Map(AwsServiceDefinition definition)
    {
        definition.Map(S3.Operations.CreateBucket, CreateBucketAsync)
            .Map(S3.Operations.HeadBucket, HeadBucketAsync)
            .Map(S3.Operations.DeleteBucket, DeleteBucketAsync)
            .Map(S3.Operations.ListBuckets, ListBucketsAsync)
            .Map(S3.Operations.GetBucketLocation, GetBucketLocationAsync)
            .Map(S3.Operations.GetBucketVersioning, GetBucketVersioningAsync)
            .Map(S3.Operations.PutBucketVersioning, PutBucketVersioningAsync)
            .Map(S3.Operations.PutBucketTagging, PutBucketTaggingAsync)
            .Map(S3.Operations.GetBucketTagging, GetBucketTaggingAsync)
            .Map(S3.Operations.DeleteBucketTagging, DeleteBucketTaggingAsync)
            .Map(S3.Operations.PutBucketPolicy, PutBucketPolicyAsync)
            .Map(S3.Operations.GetBucketPolicy, GetBucketPolicyAsync)
            .Map(S3.Operations.DeleteBucketPolicy, DeleteBucketPolicyAsync)
            .Map(S3.Operations.PutBucketEncryption, PutBucketEncryptionAsync)
            .Map(S3.Operations.GetBucketEncryption, GetBucketEncryptionAsync)
            .Map(S3.Operations.DeleteBucketEncryption, DeleteBucketEncryptionAsync);
    }

    /// <summary>The bucket the request names, or NoSuchBucket.</summary>
    internal static async Task<Bucket> RequireBucketAsync(ObjectStore store, AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input["Bucket"]!.GetValue<string>();
        return await store.GetBucketAsync(name, cancellationToken).ConfigureAwait(false) ?? throw ObjectsErrors.NoSuchBucket(name);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
    private async ValueTask<AwsResponse> CreateBucketAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input["Bucket"]!.GetValue<string>();
        if (!BucketNames.IsValid(name))
            throw ObjectsErrors.InvalidBucketName(name);
        var constraint = request.Input["CreateBucketConfiguration"]?["LocationConstraint"]?.GetValue<string>();
        var region = request.Context.Region;
        if (constraint is { Length: > 0 })
        {
            // "EU" is the legacy name of eu-west-1. A constraint naming another region than the
            // endpoint's is refused; us-east-1 takes none (its constraint is empty).
            var named = constraint == "EU" ? "eu-west-1" : constraint;
            if (named == "us-east-1")
                throw ObjectsErrors.InvalidLocationConstraint();
            if (named != region)
                throw ObjectsErrors.IllegalLocationConstraint(constraint, region);
        }
        else if (region != "us-east-1")
        {
            throw ObjectsErrors.IllegalLocationConstraint("unspecified", region);
        }
        var bucket = new Bucket(name, region, _time.GetUtcNow(), null, new JsonObject());
        if (!await _store.CreateBucketAsync(bucket, cancellationToken).ConfigureAwait(false))
        {
            // In us-east-1 re-creating one's own bucket succeeds (the legacy behaviour S3 keeps there).
            var existing = await _store.GetBucketAsync(name, cancellationToken).ConfigureAwait(false);
            if (existing is null || existing.Region != "us-east-1" || region != "us-east-1")
                throw ObjectsErrors.BucketAlreadyOwnedByYou(name);
        }
        return new JsonObject { ["Location"] = "/" + name, ["BucketArn"] = Arn(name) };
    }

    private static string Arn(string bucket) => "arn:aws:s3:::" + bucket;

    private async ValueTask<AwsResponse> HeadBucketAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["BucketRegion"] = bucket.Region, ["BucketArn"] = Arn(bucket.Name), ["AccessPointAlias"] = "false" };
    }

    private async ValueTask<AwsResponse> DeleteBucketAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        if (!await _store.DeleteBucketAsync(bucket.Name, cancellationToken).ConfigureAwait(false))
            throw ObjectsErrors.BucketNotEmpty(bucket.Name);
        return AwsResponse.Empty;
    }

    private async ValueTask<AwsResponse> ListBucketsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var prefix = request.Input["Prefix"]?.GetValue<string>() ?? "";
        var region = request.Input["BucketRegion"]?.GetValue<string>();
        var buckets = (await _store.ListBucketsAsync(cancellationToken).ConfigureAwait(false))
            .Where(b => b.Name.StartsWith(prefix, StringComparison.Ordinal) && (region is null || b.Region == region));
        var list = new JsonArray();
        foreach (var bucket in buckets)
            list.Add(new JsonObject { ["Name"] = bucket.Name, ["CreationDate"] = bucket.Created, ["BucketRegion"] = bucket.Region });
        var output = new JsonObject { ["Buckets"] = list, ["Owner"] = Owner(request.Context) };
        if (prefix.Length > 0)
            output["Prefix"] = prefix;
        return output;
    }

    /// <summary>The canonical user of the account (Gatehouse has one owner per account).</summary>
    internal static JsonObject Owner(AwsRequestContext context) =>
        new() { ["ID"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(context.Account))), ["DisplayName"] = "gatehouse" };

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html — the bare element;
    // empty for us-east-1.
    private async ValueTask<AwsResponse> GetBucketLocationAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var constraint = bucket.Region == "us-east-1" ? "" : bucket.Region;
        var xml = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{constraint}</LocationConstraint>";
        return new AwsResponse(new JsonObject { ["LocationConstraint"] = constraint }) { Payload = Encoding.UTF8.GetBytes(xml) };
    }

    private async ValueTask<AwsResponse> GetBucketVersioningAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var output = new JsonObject();
        if (bucket.Versioning is not null)
            output["Status"] = bucket.Versioning;
        // An empty <VersioningConfiguration/> for a bucket never versioned, as S3 answers.
        if (bucket.Versioning is not null)
            return output;
        return new AwsResponse(output) { Payload = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>") };
    }

    private async ValueTask<AwsResponse> PutBucketVersioningAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var status = request.Input["VersioningConfiguration"]?["Status"]?.GetValue<string>();
        if (status is not ("Enabled" or "Suspended"))
            throw ObjectsErrors.MalformedXml();
        await _store.UpdateBucketAsync(bucket with { Versioning = status }, cancellationToken).ConfigureAwait(false);
        return AwsResponse.Empty;
    }

    private ValueTask<AwsResponse> PutBucketTaggingAsync(AwsRequest request, CancellationToken cancellationToken) =>
        SetAsync(request, "Tagging", request.Input["Tagging"]?["TagSet"]?.DeepClone() ?? new JsonArray(), cancellationToken);

    private async ValueTask<AwsResponse> GetBucketTaggingAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var tags = bucket.Document["Tagging"] ?? throw ObjectsErrors.NoSuchTagSet(bucket.Name);
        return new JsonObject { ["TagSet"] = tags.DeepClone() };
    }

    private ValueTask<AwsResponse> DeleteBucketTaggingAsync(AwsRequest request, CancellationToken cancellationToken) =>
        SetAsync(request, "Tagging", null, cancellationToken);

    private ValueTask<AwsResponse> PutBucketPolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var policy = request.Input["Policy"]!.GetValue<string>();
        try
        {
            using var document = JsonDocument.Parse(policy);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw ObjectsErrors.MalformedPolicy("Policies must be valid JSON and the first byte must be '{'");
        }
        catch (JsonException)
        {
            throw ObjectsErrors.MalformedPolicy("Policies must be valid JSON and the first byte must be '{'");
        }
        return SetAsync(request, "Policy", policy, cancellationToken);
    }

    private async ValueTask<AwsResponse> GetBucketPolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var policy = bucket.Document["Policy"]?.GetValue<string>() ?? throw ObjectsErrors.NoSuchBucketPolicy(bucket.Name);
        return new AwsResponse(new JsonObject { ["Policy"] = policy }) { Payload = Encoding.UTF8.GetBytes(policy) };
    }

    private ValueTask<AwsResponse> DeleteBucketPolicyAsync(AwsRequest request, CancellationToken cancellationToken) =>
        SetAsync(request, "Policy", null, cancellationToken);

    private ValueTask<AwsResponse> PutBucketEncryptionAsync(AwsRequest request, CancellationToken cancellationToken) =>
        SetAsync(request, "Encryption", request.Input["ServerSideEncryptionConfiguration"]?.DeepClone(), cancellationToken);

    // Every bucket has SSE-S3 default encryption since January 2023
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html).
    private async ValueTask<AwsResponse> GetBucketEncryptionAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var bucket = await RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var configuration = bucket.Document["Encryption"]?.DeepClone() ?? new JsonObject
        {
            ["Rules"] = new JsonArray(new JsonObject
            {
                ["ApplyServerSideEncryptionByDefault"] = new JsonObject { ["SSEAlgorithm"] = "AES256" },
                ["BucketKeyEnabled"] = false,
            }),
        };
        return new JsonObject { ["ServerSideEncryptionConfiguration"] = configuration };
    }

    private ValueTask<AwsResponse> DeleteBucketEncryptionAsync(AwsRequest request, CancellationToken cancellationToken) =>
        SetAsync(request, "Encryption", null, cancellationToken);

    private async ValueTask<AwsResponse> SetAsync(AwsRequest request, string name, JsonNode? value, CancellationToken cancellationToken)
    {
        var bucket = await RequireBucketAsync(_store, request, cancellationToken).ConfigureAwait(false);
        var document = (JsonObject)bucket.Document.DeepClone();
        if (value is null)
            document.Remove(name);
        else
            document[name] = value;
        await _store.UpdateBucketAsync(bucket with { Document = document }, cancellationToken).ConfigureAwait(false);
        return AwsResponse.Empty;
    }
}
