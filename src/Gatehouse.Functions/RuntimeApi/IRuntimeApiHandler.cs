using Gatehouse.Functions.Invocation;

namespace Gatehouse.Functions.RuntimeApi;

/// <summary>What one execution environment does with the Runtime API calls of its runtime.</summary>
internal interface IRuntimeApiHandler
{
    /// <summary>Waits for the next event; null when the environment is shutting down.</summary>
    ValueTask<PendingInvocation?> NextAsync(CancellationToken cancellationToken);

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
