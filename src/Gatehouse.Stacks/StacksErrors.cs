using Gatehouse.Core;

namespace Gatehouse.Stacks;

/// <summary>
/// The one catalog of CloudFormation errors, worded as AWS answers them. Most are the unmodeled
/// <c>ValidationError</c> (400) (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html).
/// </summary>
internal static class StacksErrors
{
    public static AwsException Validation(string message) => new("ValidationError", message, 400);

    public static AwsException StackNotFound(string nameOrId) => Validation($"Stack with id {nameOrId} does not exist");

    public static AwsException StackExists(string name) => new("AlreadyExistsException", $"Stack [{name}] already exists", 400);

    public static AwsException ChangeSetNotFound(string name) => new("ChangeSetNotFoundException", $"ChangeSet [{name}] does not exist", 404);

    public static AwsException ChangeSetExists(string name) => new("AlreadyExistsException", $"ChangeSet {name} already exists", 400);

    public static AwsException NoUpdates() => Validation("No updates are to be performed.");

    public static AwsException InProgress(string stackId, string status) =>
        Validation($"Stack:{stackId} is in {status} state and can not be updated.");

    public static AwsException NotUpdatable(string stackId, string status) =>
        Validation($"Stack:{stackId} is in {status} state and can not be updated.");

    public static AwsException ChangeSetNotExecutable(string id, string status) =>
        new("InvalidChangeSetStatusException", $"ChangeSet [{id}] cannot be executed in its current status of [{status}]", 400);

    public const string NoChanges = "The submitted information didn't contain changes. Submit different information to create a change set.";
}
