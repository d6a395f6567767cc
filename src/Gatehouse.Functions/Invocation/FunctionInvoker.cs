using System.Collections.Concurrent;
using Gatehouse.Core;
using Gatehouse.Functions.Model;

namespace Gatehouse.Functions.Invocation;

/// <summary>
/// Runs functions: the Invoke API and the HTTP API gateway's Lambda integrations both come here.
/// The path reads only in-memory snapshots (no store access) and allocates little: the parsed
/// form of a function ARN is cached, since the gateway passes the same ARN for every request.
/// </summary>
internal sealed class FunctionInvoker : IFunctionInvoker
{
    /// <summary>Synchronous request and response limit: 6 MB.</summary>
    public const int MaxSyncPayload = 6 * 1024 * 1024;

    /// <summary>Asynchronous (Event) request limit: 1 MB, per the current Invoke documentation.</summary>
    public const int MaxEventPayload = 1024 * 1024;

    private static readonly byte[] EmptyEvent = "{}"u8.ToArray();
    private static readonly byte[] TooLargeError = """{"errorType":"RequestTooLargeException","errorMessage":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}"""u8.ToArray();

    private readonly FunctionRegistry _registry;
    private readonly ConcurrentDictionary<string, FunctionName> _parsed = new(StringComparer.Ordinal);

    public FunctionInvoker(FunctionRegistry registry) => _registry = registry;

    /// <summary>Finds the version a reference names; null when there is no such function, version or alias.</summary>
    public FunctionVersionHandle? Resolve(string account, string region, string reference, string? qualifier, out string? executedVersion, out string invokedArn)
    {
        if (!_parsed.TryGetValue(reference, out var name))
        {
            if (!FunctionName.TryParse(reference, out name))
            {
                executedVersion = null;
                invokedArn = reference;
                return null;
            }
            if (_parsed.Count < 10_000)
                _parsed.TryAdd(reference, name);
        }
        if (qualifier is not null && name.Qualifier is not null && qualifier != name.Qualifier)
            throw FunctionErrors.QualifierMismatch();
        var effective = qualifier ?? name.Qualifier;
        var entry = _registry.Find(name.Account ?? account, name.Region ?? region, name.Name);
        if (entry is null)
        {
            executedVersion = null;
            invokedArn = effective is null
                ? AwsIds.LambdaFunctionArn(name.Region ?? region, name.Account ?? account, name.Name)
                : AwsIds.LambdaFunctionArn(name.Region ?? region, name.Account ?? account, name.Name, effective);
            return null;
        }
        var handle = entry.Resolve(effective, out executedVersion);
        invokedArn = effective is null ? handle?.Config.FunctionArn ?? AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name)
            : AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name, effective);
        return handle;
    }

    /// <summary>Starts an invocation on the version's pool; false with a reason when throttled.</summary>
    public static bool TryStart(FunctionVersionHandle handle, PendingInvocation invocation, out string? throttleReason) =>
        handle.Pool.TryRun(invocation, out throttleReason);

    public static ReadOnlyMemory<byte> EventBytes(ReadOnlyMemory<byte> payload) =>
        payload.IsEmpty ? EmptyEvent : payload;

    public async ValueTask<FunctionInvocationResult> InvokeAsync(FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        FunctionVersionHandle? handle;
        string? executed;
        string invokedArn;
        try
        {
            handle = Resolve(invocation.Account, invocation.Region, invocation.FunctionName, invocation.Qualifier, out executed, out invokedArn);
        }
        catch (AwsException)
        {
            return new FunctionInvocationResult(FunctionInvocationStatus.NotFound, ReadOnlyMemory<byte>.Empty);
        }
        if (handle is null)
            return new FunctionInvocationResult(FunctionInvocationStatus.NotFound, ReadOnlyMemory<byte>.Empty);
        if (invocation.Payload.Length > MaxSyncPayload)
            return new FunctionInvocationResult(FunctionInvocationStatus.FunctionError, TooLargeError, "Unhandled", executed);

        var pending = new PendingInvocation(AwsIds.NewRequestId(), EventBytes(invocation.Payload), invokedArn);
        if (!TryStart(handle, pending, out _))
            return new FunctionInvocationResult(FunctionInvocationStatus.Throttled, ReadOnlyMemory<byte>.Empty, null, executed);
        var outcome = await pending.Completion.ConfigureAwait(false);
        return new FunctionInvocationResult(outcome.Status, outcome.Payload,
            outcome.Status == FunctionInvocationStatus.FunctionError ? "Unhandled" : null, executed);
    }
}
