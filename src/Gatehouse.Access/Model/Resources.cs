using System.Collections.Immutable;

namespace Gatehouse.Access.Model;

// IAM and STS resources as the state keeps them: immutable values, replaced whole on every write.
// Policy documents are kept as the caller sent them (decoded JSON text); the operations URL-encode
// them on the way out as IAM does.

internal sealed record Tag(string Key, string Value);

internal sealed record Role
{
    public required string RoleName { get; init; }
    public required string RoleId { get; init; }
    public required string Path { get; init; }
    public required string Arn { get; init; }
    public required DateTimeOffset CreateDate { get; init; }
    public required string AssumeRolePolicyDocument { get; init; }
    public string? Description { get; init; }
    public int MaxSessionDuration { get; init; } = 3600;
    public string? PermissionsBoundary { get; init; }
    public ImmutableArray<Tag> Tags { get; init; } = [];

    /// <summary>Inline policies by name (IAM lists them in name order).</summary>
    public ImmutableSortedDictionary<string, string> InlinePolicies { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>ARNs of the managed policies attached, in attachment order.</summary>
    public ImmutableArray<string> AttachedPolicies { get; init; } = [];
}

internal sealed record PolicyVersion(string VersionId, string Document, DateTimeOffset CreateDate);

internal sealed record ManagedPolicy
{
    public required string PolicyName { get; init; }
    public required string PolicyId { get; init; }
    public required string Arn { get; init; }
    public required string Path { get; init; }
    public required DateTimeOffset CreateDate { get; init; }
    public required DateTimeOffset UpdateDate { get; init; }
    public string? Description { get; init; }
    public required string DefaultVersionId { get; init; }
    public ImmutableArray<PolicyVersion> Versions { get; init; } = [];

    /// <summary>The number the next CreatePolicyVersion takes (v1, v2, … never reused).</summary>
    public int NextVersion { get; init; } = 2;
    public ImmutableArray<Tag> Tags { get; init; } = [];
}

internal sealed record InstanceProfile
{
    public required string InstanceProfileName { get; init; }
    public required string InstanceProfileId { get; init; }
    public required string Path { get; init; }
    public required string Arn { get; init; }
    public required DateTimeOffset CreateDate { get; init; }
    public ImmutableArray<string> Roles { get; init; } = [];
    public ImmutableArray<Tag> Tags { get; init; } = [];
}

internal sealed record User
{
    public required string UserName { get; init; }
    public required string UserId { get; init; }
    public required string Path { get; init; }
    public required string Arn { get; init; }
    public required DateTimeOffset CreateDate { get; init; }
    public ImmutableArray<Tag> Tags { get; init; } = [];
}

internal sealed record AccessKey
{
    public required string AccessKeyId { get; init; }
    public required string SecretAccessKey { get; init; }
    public required string UserName { get; init; }
    public string Status { get; init; } = "Active";
    public required DateTimeOffset CreateDate { get; init; }
}

/// <summary>Temporary credentials from AssumeRole or GetSessionToken, and whose they are.</summary>
internal sealed record Session
{
    public required string AccessKeyId { get; init; }
    public required string SecretAccessKey { get; init; }
    public required string SessionToken { get; init; }
    public required DateTimeOffset Expiration { get; init; }

    /// <summary>The caller's ARN (GetCallerIdentity): an assumed-role ARN, or the ARN that asked GetSessionToken.</summary>
    public required string Arn { get; init; }

    /// <summary>The caller's UserId: <c>AROA…:session</c> for a role session.</summary>
    public required string UserId { get; init; }
}
