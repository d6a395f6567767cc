namespace Gatehouse.Core;

/// <summary>
/// How other services (the HTTP API gateway) run a function without knowing how functions are
/// stored or executed. Implemented by the functions service.
/// </summary>
public interface IFunctionInvoker
{
    ValueTask<FunctionInvocationResult> InvokeAsync(FunctionInvocation invocation, CancellationToken cancellationToken);
}

/// <param name="FunctionName">A name, a partial or full ARN (possibly with a qualifier).</param>
/// <param name="Qualifier">A version or alias, or null for $LATEST (or the ARN's own qualifier).</param>
public sealed record FunctionInvocation(
    string Account,
    string Region,
    string FunctionName,
    string? Qualifier,
    ReadOnlyMemory<byte> Payload);

public enum FunctionInvocationStatus
{
    /// <summary>The handler returned; <see cref="FunctionInvocationResult.Payload"/> is its result.</summary>
    Success,

    /// <summary>The handler failed, timed out or crashed; the payload is the runtime's error JSON.</summary>
    FunctionError,

    /// <summary>No such function, version or alias.</summary>
    NotFound,

    /// <summary>Concurrency limit reached.</summary>
    Throttled,

    /// <summary>The function exists but cannot run (e.g. a failed state).</summary>
    NotReady,
}

public readonly record struct FunctionInvocationResult(
    FunctionInvocationStatus Status,
    ReadOnlyMemory<byte> Payload,
    string? FunctionError = null,
    string? ExecutedVersion = null);
