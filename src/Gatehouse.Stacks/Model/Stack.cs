using System.Text.Json.Nodes;

namespace Gatehouse.Stacks.Model;

/// <summary>
/// One stack: its template, parameters, status, outputs and resources
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html). Mutated only
/// under <see cref="StackState"/>'s lock; stored as one document.
/// </summary>
internal sealed class Stack
{
    public required string StackId { get; init; }
    public required string StackName { get; init; }
    public required string Account { get; init; }
    public required string Region { get; init; }
    public required DateTimeOffset CreationTime { get; init; }
    public string Status { get; set; } = StackStatus.ReviewInProgress;
    public string? StatusReason { get; set; }
    public DateTimeOffset? LastUpdatedTime { get; set; }
    public DateTimeOffset? DeletionTime { get; set; }
    public string? Description { get; set; }
    public string TemplateBody { get; set; } = "{}";
    public JsonObject Template { get; set; } = [];
    public Dictionary<string, string> Parameters { get; set; } = new(StringComparer.Ordinal);
    public List<string> Capabilities { get; set; } = [];
    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);
    public bool DisableRollback { get; set; }
    public List<StackOutput> Outputs { get; set; } = [];
    public Dictionary<string, StackResource> Resources { get; set; } = new(StringComparer.Ordinal);

    public bool Deleted => Status == StackStatus.DeleteComplete;
}

internal sealed record StackOutput(string OutputKey, string OutputValue, string? Description, string? ExportName);

/// <summary>A resource of a stack as last provisioned (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResource.html).</summary>
internal sealed class StackResource
{
    public required string LogicalId { get; init; }
    public required string Type { get; init; }
    public string? PhysicalId { get; set; }
    public string Status { get; set; } = "CREATE_IN_PROGRESS";
    public string? StatusReason { get; set; }
    public JsonObject Properties { get; set; } = [];
    public JsonObject Attributes { get; set; } = [];
    public string? DeletionPolicy { get; set; }
    public DateTimeOffset LastUpdated { get; set; }
}

/// <summary>One stack event (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackEvent.html).</summary>
internal sealed record StackEvent(
    string EventId, string StackId, string StackName, string LogicalResourceId, string? PhysicalResourceId,
    string ResourceType, string ResourceStatus, string? ResourceStatusReason, DateTimeOffset Timestamp);

/// <summary>A change set (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html).</summary>
internal sealed class ChangeSet
{
    public required string ChangeSetId { get; init; }
    public required string ChangeSetName { get; init; }
    public required string StackId { get; init; }
    public required string StackName { get; init; }
    public required string ChangeSetType { get; init; }
    public required DateTimeOffset CreationTime { get; init; }
    public string Status { get; set; } = "CREATE_COMPLETE";
    public string ExecutionStatus { get; set; } = "AVAILABLE";
    public string? StatusReason { get; set; }
    public string? Description { get; set; }
    public string TemplateBody { get; set; } = "{}";
    public JsonObject Template { get; set; } = [];
    public Dictionary<string, string> Parameters { get; set; } = new(StringComparer.Ordinal);
    public List<string> Capabilities { get; set; } = [];
    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);
    public JsonArray Changes { get; set; } = [];
}

/// <summary>The stack statuses, as AWS names them (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes).</summary>
internal static class StackStatus
{
    public const string ReviewInProgress = "REVIEW_IN_PROGRESS";
    public const string CreateInProgress = "CREATE_IN_PROGRESS";
    public const string CreateComplete = "CREATE_COMPLETE";
    public const string CreateFailed = "CREATE_FAILED";
    public const string RollbackInProgress = "ROLLBACK_IN_PROGRESS";
    public const string RollbackComplete = "ROLLBACK_COMPLETE";
    public const string RollbackFailed = "ROLLBACK_FAILED";
    public const string UpdateInProgress = "UPDATE_IN_PROGRESS";
    public const string UpdateCleanup = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS";
    public const string UpdateComplete = "UPDATE_COMPLETE";
    public const string UpdateFailed = "UPDATE_FAILED";
    public const string UpdateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS";
    public const string UpdateRollbackCleanup = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS";
    public const string UpdateRollbackComplete = "UPDATE_ROLLBACK_COMPLETE";
    public const string UpdateRollbackFailed = "UPDATE_ROLLBACK_FAILED";
    public const string DeleteInProgress = "DELETE_IN_PROGRESS";
    public const string DeleteComplete = "DELETE_COMPLETE";
    public const string DeleteFailed = "DELETE_FAILED";

    public static bool InProgress(string status) => status.EndsWith("_IN_PROGRESS", StringComparison.Ordinal) && status != ReviewInProgress;
}
