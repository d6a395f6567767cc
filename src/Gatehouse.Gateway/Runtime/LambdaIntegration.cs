using System.Collections.Frozen;
using Gatehouse.Core;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Gateway.Runtime;

/// <summary>
/// The Lambda proxy integration: the request body (API Gateway's 10 MB limit), the event in payload
/// format 1.0 or 2.0 (Lambda's 6 MB quota), the synchronous invocation bounded by the integration
/// timeout, and the function's answer mapped to the HTTP response.
/// </summary>
internal sealed class LambdaIntegration(IFunctionInvoker? invoker, TimeProvider time)
{
    /// <summary>
    /// Lambda's quota for a synchronous invocation payload, 6 MB (6,291,456 bytes; "Invocation
    /// payload (request and response)", https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
    /// A body under the gateway's limit can still make a larger event (base64, headers, escapes).
    /// </summary>
    public const int MaxEventBytes = 6 * 1024 * 1024;

    private readonly IFunctionInvoker? _invoker = invoker;
    private readonly TimeProvider _time = time;

    public async Task<DataPlane.Refusal?> InvokeAsync(GatewayRequest request, LambdaIntegrationRuntime integration)
    {
        var http = request.Http;
        if (_invoker is not { } invoker || integration.Function is not { } function)
        {
            request.IntegrationError = _invoker is null ? "The functions service is not available." : "The integration URI does not name a function.";
            return new(GatewayResponse.InternalServerError);
        }
        var (body, unreadable) = await RequestBody.ReadAsync(http).ConfigureAwait(false);
        if (unreadable is { } refusal)
            return new(refusal);
        request.Body = body;

        // The event lives in a pooled buffer until the function has answered.
        using var buffer = new PooledBufferWriter(4096 + body.Length * 4 / 3);
        if (integration.PayloadV2)
            EventBuilder.WriteV2(request, buffer);
        else
            EventBuilder.WriteV1(request, buffer);
        if (buffer.WrittenMemory.Length > MaxEventBytes)
        {
            request.IntegrationError = "The Lambda event is over the 6 MB invocation payload quota.";
            return new(GatewayResponse.RequestTooLarge);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        FunctionInvocationResult result;
        // As on AWS, the gateway stops waiting at the integration timeout but the invocation runs on;
        // it is only cancelled when the client goes away.
        var invocation = invoker.InvokeAsync(new FunctionInvocation(request.Api.Account, function.Region, function.FunctionArn, null, buffer.WrittenMemory), http.RequestAborted);
        if (invocation.IsCompletedSuccessfully)
        {
            result = invocation.Result;
        }
        else
        {
            try
            {
                result = await invocation.AsTask().WaitAsync(integration.Timeout, _time, http.RequestAborted).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The invocation still holds the event: it must not go back to the pool.
                buffer.Abandon();
                request.IntegrationError = "The Lambda function did not answer within the integration timeout.";
                return new(GatewayResponse.ServiceUnavailable);
            }
        }
        request.IntegrationLatencyMs = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (result.Status != FunctionInvocationStatus.Success)
        {
            request.IntegrationStatus = result.Status == FunctionInvocationStatus.FunctionError ? 200 : 500;
            request.IntegrationError = "The Lambda function returned an error: " + (result.FunctionError ?? result.Status.ToString());
            return new(GatewayResponse.InternalServerError);
        }
        request.IntegrationStatus = 200;
        var mapped = LambdaResponseMapper.Map(result.Payload, integration.PayloadV2);
        if (mapped is null)
        {
            request.IntegrationError = "The Lambda function returned a response API Gateway cannot map.";
            return new(GatewayResponse.InternalServerError);
        }
        await WriteMappedAsync(http, mapped).ConfigureAwait(false);
        request.ResponseLength = mapped.Body.Length;
        return null;
    }

    private static readonly FrozenSet<string> SkippedResponseHeaders = new[]
    {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "apigw-requestid",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static Task WriteMappedAsync(HttpContext http, MappedResponse mapped)
    {
        var response = http.Response;
        response.StatusCode = mapped.StatusCode;
        foreach (var (name, value) in mapped.Headers)
        {
            if (SkippedResponseHeaders.Contains(name))
                continue;
            response.Headers.Append(name, value);
        }
        response.ContentLength = mapped.Body.Length;
        return mapped.Body.IsEmpty ? Task.CompletedTask : response.Body.WriteAsync(mapped.Body).AsTask();
    }
}
