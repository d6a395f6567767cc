using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Functions.Invocation;
using Gatehouse.Functions.Model;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using static Gatehouse.Functions.Operations.FunctionCatalog;

namespace Gatehouse.Functions.Operations;

/// <summary>Invoke: synchronous, Event (queued) and DryRun invocations.</summary>
internal sealed class InvokeOperations : IAwsOperations
{
    private readonly FunctionInvoker _invoker;
    private readonly EventQueue _events;

    public InvokeOperations(FunctionInvoker invoker, EventQueue events)
    {
        _invoker = invoker;
        _events = events;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Lambda.Operations.Invoke, InvokeAsync);

    private async ValueTask<AwsResponse> InvokeAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var type = input.Str("InvocationType") ?? "RequestResponse";
        var payload = request.Payload;
        // The payload quota is a check of the request itself, so Lambda answers it before it looks
        // for the function: an oversized payload to a missing function is RequestTooLargeException,
        // not ResourceNotFoundException (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
        if (type == "Event" && payload.Length > FunctionInvoker.MaxEventPayload)
            throw FunctionErrors.RequestTooLarge(FunctionInvoker.MaxEventPayload);
        if (type != "Event" && type != "DryRun" && payload.Length > FunctionInvoker.MaxSyncPayload)
            throw FunctionErrors.RequestTooLarge(FunctionInvoker.MaxSyncPayload);
        var handle = _invoker.Resolve(request.Context.Account, request.Context.Region, input.Req("FunctionName"), input.Str("Qualifier"), out var executed, out var invokedArn)
            ?? throw FunctionErrors.FunctionNotFound(invokedArn);
        // Lambda refuses a payload that is not JSON before anything runs, whatever the invocation type.
        if (!payload.IsEmpty && payload.Length <= FunctionInvoker.MaxSyncPayload)
            EnsureJson(payload.Span);

        switch (type)
        {
            case "DryRun":
                return new JsonObject { ["StatusCode"] = 204 };
            case "Event":
                await _events.EnqueueAsync(handle.Config, input.Str("Qualifier") ?? QualifierOf(input.Req("FunctionName")), request.Context.RequestId, payload, cancellationToken).ConfigureAwait(false);
                return new JsonObject { ["StatusCode"] = 202 };
        }

        var invocation = new PendingInvocation(request.Context.RequestId, FunctionInvoker.EventBytes(payload), invokedArn)
        {
            WantsLogTail = input.Str("LogType") == "Tail",
            ClientContext = DecodeClientContext(input.Str("ClientContext")),
        };
        if (!FunctionInvoker.TryStart(handle, invocation, out var reason))
            throw FunctionErrors.TooManyRequests(reason!);
        var outcome = await invocation.Completion.ConfigureAwait(false);

        var output = new JsonObject { ["StatusCode"] = 200, ["ExecutedVersion"] = executed };
        if (outcome.Status == FunctionInvocationStatus.FunctionError)
            output["FunctionError"] = "Unhandled";
        if (outcome.LogTail is not null)
            output["LogResult"] = outcome.LogTail;
        return new AwsResponse(output) { Payload = outcome.Payload };
    }

    private static void EnsureJson(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            // One complete value and nothing after it (whitespace aside).
            if (!reader.Read())
                throw FunctionErrors.PayloadNotJson("no JSON value");
            reader.Skip();
            if (reader.Read())
                throw FunctionErrors.PayloadNotJson($"unexpected content after the JSON value at byte {reader.TokenStartIndex}");
        }
        catch (JsonException e)
        {
            throw FunctionErrors.PayloadNotJson(e.Message);
        }
    }

    private static string? QualifierOf(string reference) =>
        Model.FunctionName.TryParse(reference, out var name) ? name.Qualifier : null;

    /// <summary>X-Amz-Client-Context is base64 of a JSON object; the runtime gets the JSON text.</summary>
    private static string? DecodeClientContext(string? encoded)
    {
        if (encoded is null)
            return null;
        try
        {
            var bytes = Convert.FromBase64String(encoded);
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw FunctionErrors.InvalidClientContext();
            // One line: it travels in an HTTP header.
            return document.RootElement.GetRawText().ReplaceLineEndings(" ");
        }
        catch (Exception e) when (e is FormatException or JsonException or DecoderFallbackException)
        {
            throw FunctionErrors.InvalidClientContext();
        }
    }
}
