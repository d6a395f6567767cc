using System.Text.Json.Nodes;
using Gatehouse.Core;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Protocol;

/// <summary>
/// An operation call after the protocol layer has parsed and validated it. <see cref="Input"/> holds
/// the input structure by <b>model member names</b> (whatever the wire used: body, URI, query string
/// or headers), so handlers never see protocol details.
/// </summary>
public sealed class AwsRequest
{
    public AwsRequest(AwsRequestContext context, string operation, JsonObject input, ReadOnlyMemory<byte> payload, HttpContext httpContext)
    {
        Context = context;
        Operation = operation;
        Input = input;
        Payload = payload;
        HttpContext = httpContext;
    }

    public AwsRequestContext Context { get; }
    public string Operation { get; }
    public JsonObject Input { get; }

    /// <summary>The raw body when the input's payload member is a blob (Lambda Invoke); empty otherwise.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    public HttpContext HttpContext { get; }
}

/// <summary>
/// An operation's result by model member names. The protocol layer places members in headers, the
/// status code or the body as the model says, and formats timestamps for the protocol.
/// </summary>
public sealed class AwsResponse
{
    public static AwsResponse Empty => new(new JsonObject());

    public AwsResponse(JsonObject output) => Output = output;

    public JsonObject Output { get; }

    /// <summary>The raw body when the output's payload member is a blob (Lambda Invoke).</summary>
    public ReadOnlyMemory<byte>? Payload { get; init; }

    public static implicit operator AwsResponse(JsonObject output) => new(output);
}

/// <summary>Runs one operation. Expected failures are thrown as <see cref="AwsException"/>.</summary>
public delegate ValueTask<AwsResponse> AwsOperationHandler(AwsRequest request, CancellationToken cancellationToken);
