using Gatehouse.Core;
using Gatehouse.Stacks.Model;
using Gatehouse.Storage;

namespace Gatehouse.Stacks;

/// <summary>CloudFormation: loads the stacks at start; a stack an earlier run left mid-operation is failed.</summary>
internal sealed class StacksService(IDatabase database, StackState state, TimeProvider time) : IGatehouseService
{
    private string _status = "starting";

    public string Name => "cloudformation";

    string IGatehouseService.State => _status;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await database.MigrateAsync(EmbeddedMigrations.Load(typeof(StacksService).Assembly, "stacks", database.Provider), cancellationToken).ConfigureAwait(false);
            await state.LoadAsync(cancellationToken).ConfigureAwait(false);
            foreach (var stack in state.Stacks.Where(s => StackStatus.InProgress(s.Status)))
                await FailInterruptedAsync(stack, cancellationToken).ConfigureAwait(false);
            _status = "running";
        }
        catch
        {
            _status = "failed";
            throw;
        }
    }

    /// <summary>
    /// The operation cannot be resumed (its work ran in the earlier process): the stack is left in the
    /// failed state AWS uses when a rollback cannot finish, from which it can be deleted
    /// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-update-rollback-failed).
    /// </summary>
    private async Task FailInterruptedAsync(Stack stack, CancellationToken cancellationToken)
    {
        const string reason = "Gatehouse stopped while the operation was in progress";
        lock (state.Lock)
        {
            stack.Status = stack.Status switch
            {
                StackStatus.DeleteInProgress => StackStatus.DeleteFailed,
                StackStatus.CreateInProgress or StackStatus.RollbackInProgress => StackStatus.RollbackFailed,
                _ => StackStatus.UpdateRollbackFailed,
            };
            stack.StatusReason = reason;
        }
        await state.SaveAsync(stack, cancellationToken).ConfigureAwait(false);
        await state.AddEventAsync(new StackEvent(Guid.NewGuid().ToString(), stack.StackId, stack.StackName, stack.StackName, stack.StackId,
            "AWS::CloudFormation::Stack", stack.Status, reason, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    public Task ResetAsync(CancellationToken cancellationToken) => state.ResetAsync(cancellationToken);
}
