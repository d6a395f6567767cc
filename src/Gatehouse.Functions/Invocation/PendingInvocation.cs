using Gatehouse.Core;

namespace Gatehouse.Functions.Invocation;

/// <summary>
/// One invocation on its way through an execution environment. Completed exactly once: by the
/// runtime's response or error, or by the platform (timeout, crash, init failure).
/// </summary>
internal sealed class PendingInvocation
{
    private readonly TaskCompletionSource<InvocationOutcome> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PendingInvocation(string requestId, ReadOnlyMemory<byte> payload, string invokedArn)
    {
        RequestId = requestId;
        Payload = payload;
        InvokedArn = invokedArn;
    }

    public string RequestId { get; }
    public ReadOnlyMemory<byte> Payload { get; }
    public string InvokedArn { get; }

    /// <summary>Decoded client context JSON (sync invokes only).</summary>
    public string? ClientContext { get; init; }

    /// <summary>Whether the caller asked for the log tail (X-Amz-Log-Type: Tail).</summary>
    public bool WantsLogTail { get; init; }

    /// <summary>Absolute deadline in Unix milliseconds, set when the runtime receives the event.</summary>
    public long DeadlineMs { get; set; }

    /// <summary>When the runtime received the event (a TimeProvider timestamp; 0 until then).</summary>
    public long StartedTimestamp { get; set; }

    /// <summary>The log lines of this invocation, kept only when the caller wants the tail.</summary>
    public System.Text.StringBuilder? Log { get; set; }

    public Task<InvocationOutcome> Completion => _completion.Task;

    public bool TryComplete(in InvocationOutcome outcome) => _completion.TrySetResult(outcome);
}

/// <summary>What an invocation produced: the runtime's bytes, or an error JSON with its type.</summary>
internal readonly record struct InvocationOutcome(FunctionInvocationStatus Status, ReadOnlyMemory<byte> Payload, string? LogTail = null);
