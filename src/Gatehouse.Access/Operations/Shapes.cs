using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Access.Model;
using Gatehouse.Core;
using Gatehouse.Protocol;

namespace Gatehouse.Access.Operations;

/// <summary>Resources to output structures (by model member names), input to resources, and IAM's ids, paging and documents.</summary>
internal static class Shapes
{
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>
    /// IAM's unique ids: a four-letter prefix naming the kind (AROA role, AIDA user, ANPA policy,
    /// AIPA instance profile) and 17 characters
    /// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
    /// </summary>
    public static string NewId(string prefix) => prefix + AwsIds.Random(IdAlphabet, 17);

    /// <summary>Access key ids: AKIA for long-term keys, ASIA for temporary ones, and 16 characters.</summary>
    public static string NewAccessKeyId(bool temporary) => (temporary ? "ASIA" : "AKIA") + AwsIds.Random(IdAlphabet, 16);

    public static string NewSecret() => AwsIds.Random("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);

    public static string IamArn(string account, string kind, string path, string name) => $"arn:aws:iam::{account}:{kind}{path}{name}";

    /// <summary>
    /// Policy documents as IAM answers them: URL-encoded JSON (RFC 3986), as the GetRole and
    /// GetRolePolicy references say; the SDKs and the CLI decode them.
    /// </summary>
    public static string Encoded(string document) => Uri.EscapeDataString(document);

    /// <summary>
    /// A policy document from the request: JSON text (some tools send it URL-encoded, as IAM answers it).
    /// Only its JSON form is checked: IAM's grammar is not enforced.
    /// </summary>
    public static string Document(JsonObject input, string name)
    {
        var text = input.Req(name);
        if (text.StartsWith('%'))
            text = Uri.UnescapeDataString(text);
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw AccessErrors.MalformedPolicy();
        }
        catch (JsonException)
        {
            throw AccessErrors.MalformedPolicy();
        }
        return text;
    }

    /// <summary>An IAM path: "/" unless given; it must start and end with a slash.</summary>
    public static string Path(JsonObject input) => input.Str("Path") ?? "/";

    public static ImmutableArray<Tag> ReadTags(JsonObject input, string name = "Tags") =>
        input.Arr(name)?.OfType<JsonObject>().Select(t => new Tag(t.Req("Key"), t.Str("Value") ?? "")).ToImmutableArray() ?? [];

    /// <summary>The change a Tag… operation asks for: its <c>Tags</c> added, or replaced by key.</summary>
    public static Func<ImmutableArray<Tag>, ImmutableArray<Tag>> AddingTags(JsonObject input)
    {
        var added = ReadTags(input);
        return tags => MergeTags(tags, added);
    }

    /// <summary>The change an Untag… operation asks for: the tags named in <c>TagKeys</c> removed.</summary>
    public static Func<ImmutableArray<Tag>, ImmutableArray<Tag>> RemovingTags(JsonObject input)
    {
        var keys = input.Strings("TagKeys").ToHashSet(StringComparer.Ordinal);
        return tags => tags.RemoveAll(t => keys.Contains(t.Key));
    }

    /// <summary>The answer of a List…Tags operation: one page of <paramref name="tags"/>.</summary>
    public static AwsResponse TagListing(JsonObject input, ImmutableArray<Tag> tags)
    {
        var output = new JsonObject();
        output["Tags"] = Page(input, tags, t => new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value }, output);
        return output;
    }

    /// <summary>Adds or replaces tags by key, keeping the order they were first added in.</summary>
    public static ImmutableArray<Tag> MergeTags(ImmutableArray<Tag> tags, ImmutableArray<Tag> added)
    {
        var result = tags.ToList();
        foreach (var tag in added)
        {
            var index = result.FindIndex(t => t.Key == tag.Key);
            if (index >= 0)
                result[index] = tag;
            else
                result.Add(tag);
        }
        if (result.Count > 50)
            throw new AwsException(AccessErrors.LimitExceeded, "The number of tags has reached the maximum limit of 50.");
        return [.. result];
    }

    public static JsonArray TagsOutput(ImmutableArray<Tag> tags) =>
        new(tags.Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value }).ToArray());

    public static JsonObject RoleOutput(Role role, bool full)
    {
        var output = new JsonObject
        {
            ["Path"] = role.Path,
            ["RoleName"] = role.RoleName,
            ["RoleId"] = role.RoleId,
            ["Arn"] = role.Arn,
            ["CreateDate"] = JsonValue.Create(role.CreateDate),
            ["AssumeRolePolicyDocument"] = Encoded(role.AssumeRolePolicyDocument),
            ["MaxSessionDuration"] = role.MaxSessionDuration,
        };
        if (role.Description is not null)
            output["Description"] = role.Description;
        if (role.PermissionsBoundary is not null)
            output["PermissionsBoundary"] = new JsonObject { ["PermissionsBoundaryType"] = "Policy", ["PermissionsBoundaryArn"] = role.PermissionsBoundary };
        if (full)
        {
            if (!role.Tags.IsEmpty)
                output["Tags"] = TagsOutput(role.Tags);
            output["RoleLastUsed"] = new JsonObject();
        }
        return output;
    }

    public static JsonObject PolicyOutput(ManagedPolicy policy, int attachments) => new()
    {
        ["PolicyName"] = policy.PolicyName,
        ["PolicyId"] = policy.PolicyId,
        ["Arn"] = policy.Arn,
        ["Path"] = policy.Path,
        ["DefaultVersionId"] = policy.DefaultVersionId,
        ["AttachmentCount"] = attachments,
        ["PermissionsBoundaryUsageCount"] = 0,
        ["IsAttachable"] = true,
        ["Description"] = policy.Description,
        ["CreateDate"] = JsonValue.Create(policy.CreateDate),
        ["UpdateDate"] = JsonValue.Create(policy.UpdateDate),
        ["Tags"] = policy.Tags.IsEmpty ? null : TagsOutput(policy.Tags),
    };

    public static JsonObject VersionOutput(ManagedPolicy policy, PolicyVersion version) => new()
    {
        ["Document"] = Encoded(version.Document),
        ["VersionId"] = version.VersionId,
        ["IsDefaultVersion"] = version.VersionId == policy.DefaultVersionId,
        ["CreateDate"] = JsonValue.Create(version.CreateDate),
    };

    public static JsonObject InstanceProfileOutput(InstanceProfile profile, AccessSnapshot snapshot)
    {
        var output = new JsonObject
        {
            ["Path"] = profile.Path,
            ["InstanceProfileName"] = profile.InstanceProfileName,
            ["InstanceProfileId"] = profile.InstanceProfileId,
            ["Arn"] = profile.Arn,
            ["CreateDate"] = JsonValue.Create(profile.CreateDate),
            ["Roles"] = new JsonArray(profile.Roles.Select(r => snapshot.Roles.GetValueOrDefault(r)).OfType<Role>()
                .Select(r => (JsonNode)RoleOutput(r, full: false)).ToArray()),
        };
        if (!profile.Tags.IsEmpty)
            output["Tags"] = TagsOutput(profile.Tags);
        return output;
    }

    public static JsonObject UserOutput(User user)
    {
        var output = new JsonObject
        {
            ["Path"] = user.Path,
            ["UserName"] = user.UserName,
            ["UserId"] = user.UserId,
            ["Arn"] = user.Arn,
            ["CreateDate"] = JsonValue.Create(user.CreateDate),
        };
        if (!user.Tags.IsEmpty)
            output["Tags"] = TagsOutput(user.Tags);
        return output;
    }

    /// <summary>
    /// One page of an IAM list: <c>MaxItems</c> (100 unless given) from <c>Marker</c>, with
    /// <c>IsTruncated</c> and the next <c>Marker</c> written into <paramref name="output"/>.
    /// </summary>
    public static JsonArray Page<T>(JsonObject input, IEnumerable<T> items, Func<T, JsonNode> write, JsonObject output)
    {
        var max = input.Int("MaxItems") ?? 100;
        var start = 0;
        if (input.Str("Marker") is { } marker && !int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out start))
            throw new AwsException("ValidationError", "Invalid Marker.", 400);
        var all = items.ToList();
        var page = all.Skip(start).Take(max).Select(write).ToArray();
        var truncated = start + max < all.Count;
        output["IsTruncated"] = truncated;
        if (truncated)
            output["Marker"] = (start + max).ToString(CultureInfo.InvariantCulture);
        return new JsonArray(page);
    }

    public static bool UnderPath(string path, JsonObject input) => path.StartsWith(input.Str("PathPrefix") ?? "/", StringComparison.Ordinal);

    /// <summary>Completes a write through the state as the operation's response.</summary>
    public static async ValueTask<AwsResponse> RespondAsync(Task<JsonObject> write) => await write.ConfigureAwait(false);
}
