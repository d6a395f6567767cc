using Gatehouse.Core;

namespace Gatehouse.Access;

/// <summary>
/// The one catalog of IAM and STS errors: the model's exception name (the protocol layer writes its
/// error code, e.g. <c>NoSuchEntity</c>, and status), with IAM's wording as AWS answers it.
/// </summary>
internal static class AccessErrors
{
    public const string NoSuchEntity = "NoSuchEntityException";
    public const string EntityAlreadyExists = "EntityAlreadyExistsException";
    public const string DeleteConflict = "DeleteConflictException";
    public const string LimitExceeded = "LimitExceededException";
    public const string MalformedPolicyDocument = "MalformedPolicyDocumentException";
    public const string InvalidInput = "InvalidInputException";

    public static AwsException RoleNotFound(string name) => new(NoSuchEntity, $"The role with name {name} cannot be found.");

    public static AwsException RolePolicyNotFound(string roleName, string policyName) =>
        new(NoSuchEntity, $"The role policy with name {policyName} cannot be found.");

    public static AwsException PolicyNotFound(string arn) => new(NoSuchEntity, $"Policy {arn} was not found.");

    public static AwsException PolicyNotAttachable(string arn) => new(NoSuchEntity, $"Policy {arn} does not exist or is not attachable.");

    public static AwsException PolicyNotAttached(string arn) => new(NoSuchEntity, $"Policy {arn} was not found.");

    public static AwsException PolicyVersionNotFound(string arn, string versionId) =>
        new(NoSuchEntity, $"Policy {arn} version {versionId} does not exist or is not attachable.");

    public static AwsException InstanceProfileNotFound(string name) => new(NoSuchEntity, $"Instance Profile {name} cannot be found.");

    public static AwsException UserNotFound(string name) => new(NoSuchEntity, $"The user with name {name} cannot be found.");

    public static AwsException AccessKeyNotFound(string id) => new(NoSuchEntity, $"The Access Key with id {id} cannot be found.");

    public static AwsException RoleExists(string name) => new(EntityAlreadyExists, $"Role with name {name} already exists.");

    public static AwsException PolicyExists(string name) => new(EntityAlreadyExists, $"A policy called {name} already exists. Duplicate names are not allowed.");

    public static AwsException InstanceProfileExists(string name) => new(EntityAlreadyExists, $"Instance Profile {name} already exists.");

    public static AwsException UserExists(string name) => new(EntityAlreadyExists, $"User with name {name} already exists.");

    public static AwsException RoleAlreadyInProfile(string profile) =>
        new(LimitExceeded, $"Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1 (instance profile {profile} already has a role).");

    public static AwsException RoleHasAttachedPolicies() => new(DeleteConflict, "Cannot delete entity, must detach all policies first.");

    public static AwsException RoleHasInlinePolicies() => new(DeleteConflict, "Cannot delete entity, must delete policies first.");

    public static AwsException RoleInInstanceProfile() => new(DeleteConflict, "Cannot delete entity, must remove roles from instance profile first.");

    public static AwsException ProfileHasRoles() => new(DeleteConflict, "Cannot delete entity, must remove roles from instance profile first.");

    public static AwsException PolicyAttached() => new(DeleteConflict, "Cannot delete a policy attached to entities.");

    public static AwsException PolicyHasVersions() => new(DeleteConflict, "Cannot delete a policy with non-default versions: delete them first.");

    public static AwsException DefaultVersion() => new(DeleteConflict, "Cannot delete the default version of a policy.");

    public static AwsException UserHasKeys() => new(DeleteConflict, "Cannot delete entity, must delete access keys first.");

    public static AwsException TooManyVersions(string arn) =>
        new(LimitExceeded, $"A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version ({arn}).");

    public static AwsException TooManyKeys(string user) => new(LimitExceeded, $"Cannot exceed quota for AccessKeysPerUser: 2 ({user}).");

    public static AwsException MalformedPolicy() => new(MalformedPolicyDocument, "This policy contains invalid Json");

    public static AwsException MalformedPolicy(string reason) => new(MalformedPolicyDocument, reason);

    public static AwsException AwsManagedPolicy(string arn) => new("UnmodifiableEntityException", $"Policy {arn} is an AWS managed policy and cannot be changed.");

    public static AwsException NoUserForCaller() =>
        new("ValidationError", "Must specify userName when calling with non-User credentials", 400);

    // STS (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_Errors).

    public static AwsException NotAuthorizedToAssume(string caller, string roleArn) =>
        new("AccessDenied", $"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {roleArn}", 403);

    public static AwsException DurationAboveRoleMaximum(int maximum) =>
        new("ValidationError", $"The requested DurationSeconds exceeds the MaxSessionDuration set for this role ({maximum}).", 400);

    public static AwsException SessionTokenFromSession() =>
        new("AccessDenied", "Cannot call GetSessionToken with session credentials", 403);
}
