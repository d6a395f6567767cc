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

    /// <summary>
    /// The request body, unread, when the input's payload member is a streaming blob (S3's PutObject
    /// and UploadPart): decoded from <c>aws-chunked</c> when the client sent it so, ending with an
    /// <see cref="AwsException"/> if a trailing checksum does not match. Null otherwise.
    /// </summary>
    public Stream? Body { get; init; }

    /// <summary>The decoded length of <see cref="Body"/> when the client declared it.</summary>
    public long? BodyLength { get; init; }
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

    /// <summary>The raw body when the output's payload member is a blob (Lambda Invoke); for restXml
    /// also a body the handler wrote itself (S3's GetBucketLocation answers a bare element).</summary>
    public ReadOnlyMemory<byte>? Payload { get; init; }

    /// <summary>A status other than the operation's own (S3's 206 for a byte range).</summary>
    public int? StatusCode { get; init; }

    /// <summary>A streaming blob payload sent from a file (S3's GetObject): never read into memory.</summary>
    public FilePayload? PayloadFile { get; init; }

    public static implicit operator AwsResponse(JsonObject output) => new(output);
}

/// <summary>Bytes <paramref name="Offset"/>..<paramref name="Offset"/>+<paramref name="Length"/> of a file, sent as the response body.</summary>
public sealed record FilePayload(string Path, long Offset, long Length);

/// <summary>Runs one operation. Expected failures are thrown as <see cref="AwsException"/>.</summary>
public delegate ValueTask<AwsResponse> AwsOperationHandler(AwsRequest request, CancellationToken cancellationToken);
