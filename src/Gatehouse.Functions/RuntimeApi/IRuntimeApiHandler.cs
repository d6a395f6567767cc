using Gatehouse.Functions.Invocation;

namespace Gatehouse.Functions.RuntimeApi;

/// <summary>What one execution environment does with the Runtime API calls of its runtime.</summary>
internal interface IRuntimeApiHandler
{
    /// <summary>Waits for the next event; null when the environment is shutting down.</summary>
    ValueTask<PendingInvocation?> NextAsync(CancellationToken cancellationToken);

    /// <summary>Ends a pending <see cref="NextAsync"/> with null (its connection is gone); the event, if one comes, waits for the next call.</summary>
    void CancelNext();

    RuntimeReply Respond(string requestId, byte[] body, bool tooLarge);

    RuntimeReply ReportError(string requestId, byte[] body, string? errorType);

    RuntimeReply ReportInitError(byte[] body, string? errorType);
}

/// <summary>How the Runtime API answers a POST (RIE's status codes and bodies).</summary>
internal enum RuntimeReply
{
    Accepted,
    InvalidRequestId,
    InvalidStateTransition,
    PayloadTooLarge,
}
