using System.Globalization;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol.Model;
using Gatehouse.Protocol.Serialization;
using Gatehouse.Protocol.Serialization.Xml;
using Gatehouse.Protocol.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Protocol;

/// <summary>
/// restXml (S3): the request's path with a virtual-hosted bucket folded in, streaming request
/// bodies, XML bodies by the model's traits, and S3's error document
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
/// </summary>
public sealed partial class AwsProtocolDispatcher
{
    /// <summary>S3's largest single PUT (https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html).</summary>
    public const long MaxSinglePutBytes = 5L * 1024 * 1024 * 1024;

    /// <summary>The path a restXml operation is routed on: <c>/{bucket}{path}</c> for <c>{bucket}.s3.localhost</c>.</summary>
    private static string RestXmlPath(HttpContext http)
    {
        var raw = RawPath(http);
        return VirtualHostBucket(http.Request.Host.Host) is { } bucket ? "/" + bucket + raw : raw;
    }

    /// <summary>
    /// The bucket of a virtual-hosted-style host — <c>{bucket}.s3.localhost</c>,
    /// <c>{bucket}.s3.amazonaws.com</c>, <c>{bucket}.s3.{region}.amazonaws.com</c>
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html) — or null.
    /// </summary>
    public static string? VirtualHostBucket(string host)
    {
        host = host.ToLowerInvariant();
        var at = host.IndexOf(".s3.", StringComparison.Ordinal);
        if (at < 0)
            at = host.IndexOf(".s3-", StringComparison.Ordinal);
        return at > 0 ? host[..at] : null;
    }

    private ServiceEntry? RestXmlEntryForHost(HttpContext http) =>
        VirtualHostBucket(http.Request.Host.Host) is null
            ? null
            : _entries.Values.Select(e => e.Value).FirstOrDefault(e => e.Model.Protocol == WireProtocol.RestXml);

    private static bool HasStreamingInput(OperationModel operation) =>
        operation.Input is { PayloadMember: { } p } input && input.MembersByName[p] is { Streaming: true, Shape.Type: "blob" };

    /// <summary>
    /// The body of a streaming upload, unread: Kestrel's limit lifted to S3's 5 GiB (a larger
    /// declared size is EntityTooLarge before a byte is read), <c>aws-chunked</c> decoded.
    /// </summary>
    private static (Stream Body, long? Length) OpenStreamingBody(HttpContext http)
    {
        var request = http.Request;
        long? decoded = long.TryParse(request.Headers["x-amz-decoded-content-length"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : null;
        var length = decoded ?? request.ContentLength;
        if (length > MaxSinglePutBytes)
        {
            throw new AwsException("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400,
                new JsonObject { ["ProposedSize"] = length.Value.ToString(CultureInfo.InvariantCulture), ["MaxSizeAllowed"] = MaxSinglePutBytes.ToString(CultureInfo.InvariantCulture) });
        }
        var sizeFeature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            // aws-chunked framing adds about 90 bytes per chunk (at least 8 KiB each): 2% covers it.
            sizeFeature.MaxRequestBodySize = MaxSinglePutBytes + MaxSinglePutBytes / 50;
        }
        http.Items[AwsRequestReader.StreamingBodyKey] = true;
        var sha = request.Headers["x-amz-content-sha256"].ToString();
        var chunked = sha.StartsWith("STREAMING-", StringComparison.Ordinal)
            || request.Headers.ContentEncoding.ToString().Contains("aws-chunked", StringComparison.OrdinalIgnoreCase);
        if (!chunked)
            return (request.Body, request.ContentLength);
        return (new AwsChunkedStream(request.Body, request.Headers["x-amz-trailer"].ToString(), decoded), decoded);
    }

    /// <summary>The input by member names: XML payload or body, then URI, query and headers.</summary>
    private static (JsonObject Input, ReadOnlyMemory<byte> Payload) ReadRestXmlInput(HttpContext http, OperationModel operation, ReadOnlyMemory<byte> body, string errorCode)
    {
        var shape = operation.Input;
        if (shape is null)
            return (new JsonObject(), ReadOnlyMemory<byte>.Empty);
        var input = new JsonObject();
        var payload = ReadOnlyMemory<byte>.Empty;
        var payloadMember = shape.PayloadMember is { } p ? shape.MembersByName[p] : null;
        if (payloadMember is not null && payloadMember.Shape.Type is "blob" or "string")
        {
            payload = body;
            // A text payload (S3's bucket policy) is also the member's value, so "required" holds.
            if (payloadMember.Shape.Type == "string" && !body.IsEmpty)
                input[payloadMember.Name] = System.Text.Encoding.UTF8.GetString(body.Span);
        }
        else if (XmlInputReader.Parse(body, errorCode) is { } root)
        {
            if (payloadMember is not null)
            {
                if (XmlInputReader.Read(root, payloadMember.Shape, payloadMember.Name, errorCode) is { } value)
                    input[payloadMember.Name] = value;
            }
            else if (XmlInputReader.Read(root, shape, "", errorCode) is JsonObject members)
            {
                foreach (var (name, value) in members.ToList())
                {
                    members.Remove(name);
                    input[name] = value;
                }
            }
        }
        AwsRequestReader.ReadHttpBindings(http, shape, input, errorCode);
        return (input, payload);
    }

    private static async Task WriteRestXmlResponseAsync(HttpContext http, ServiceEntry entry, OperationModel operation, AwsResponse response)
    {
        var shape = operation.Output;
        var status = response.StatusCode ?? operation.ResponseCode;
        SetS3RequestHeaders(http);
        Member? payloadMember = shape?.PayloadMember is { } p ? shape.MembersByName[p] : null;
        if (shape is not null)
            status = WriteHttpBindings(http.Response, shape, response.Output, status);
        http.Response.StatusCode = status;
        var head = HttpMethods.IsHead(http.Request.Method);
        if (response.PayloadFile is { } file)
        {
            http.Response.ContentLength = file.Length;
            if (!head && file.Length > 0)
                await http.Response.SendFileAsync(file.Path, file.Offset, file.Length, http.RequestAborted).ConfigureAwait(false);
            return;
        }
        byte[]? bytes = null;
        if (response.Payload is { } raw)
        {
            bytes = raw.ToArray();
            if (payloadMember is null || payloadMember.Shape.Type != "blob")
                http.Response.ContentType ??= "application/xml";
        }
        else if (shape is not null && payloadMember is null && shape.Members.Any(m => m.Location is null && response.Output.ContainsKey(m.Name)))
        {
            bytes = XmlOutputWriter.Document(RootName(shape), entry.XmlNamespace, response.Output, shape);
            http.Response.ContentType = "application/xml";
        }
        else if (payloadMember is not null && payloadMember.Shape.Type == "structure" && response.Output[payloadMember.Name] is JsonObject document)
        {
            bytes = XmlOutputWriter.Document(payloadMember.LocationName ?? payloadMember.Shape.Name, payloadMember.XmlNamespace ?? entry.XmlNamespace, document, payloadMember.Shape);
            http.Response.ContentType = "application/xml";
        }
        if (status is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified || bytes is null)
        {
            if (!http.Response.Headers.ContainsKey("Content-Length") && !head)
                http.Response.ContentLength = 0;
            return;
        }
        http.Response.ContentLength = bytes.Length;
        if (!head)
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>S3's names for its result documents (ListObjectsV2Output → ListBucketResult), by the AWS API reference.</summary>
    private static string RootName(Shape output) => output.Name switch
    {
        "ListObjectsV2Output" or "ListObjectsOutput" => "ListBucketResult",
        "ListBucketsOutput" => "ListAllMyBucketsResult",
        "ListObjectVersionsOutput" => "ListVersionsResult",
        "DeleteObjectsOutput" => "DeleteResult",
        "CreateMultipartUploadOutput" => "InitiateMultipartUploadResult",
        "GetBucketVersioningOutput" => "VersioningConfiguration",
        "GetBucketTaggingOutput" or "GetObjectTaggingOutput" => "Tagging",
        _ => output.Name.EndsWith("Output", StringComparison.Ordinal) ? output.Name[..^"Output".Length] + "Result" : output.Name,
    };

    private static void SetS3RequestHeaders(HttpContext http)
    {
        var id = http.Response.Headers["x-amzn-RequestId"].ToString();
        http.Response.Headers["x-amz-request-id"] = id;
        http.Response.Headers["x-amz-id-2"] = id;
    }

    /// <summary>
    /// S3's error: <c>&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;…&lt;RequestId/&gt;&lt;/Error&gt;</c>; a HEAD
    /// request's error has no body (its status code is all a client gets).
    /// </summary>
    private static async Task WriteRestXmlErrorAsync(HttpContext http, AwsException error, int status)
    {
        SetS3RequestHeaders(http);
        http.Response.Headers.Remove("x-amzn-ErrorType");
        // The signature checks' failures under S3's own names and statuses
        // (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
        var (code, message, s3Status) = error.Code switch
        {
            "MissingAuthenticationTokenException" => ("AccessDenied", "Access Denied", 403),
            "InvalidSignatureException" when error.Message.StartsWith("The request signature", StringComparison.Ordinal) =>
                ("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", 403),
            "InvalidSignatureException" => ("AccessDenied", error.Message, 403),
            "UnrecognizedClientException" => ("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403),
            "IncompleteSignatureException" => ("AuthorizationHeaderMalformed", error.Message, 400),
            _ => (error.Code, error.Message, status),
        };
        http.Response.StatusCode = s3Status;
        if (HttpMethods.IsHead(http.Request.Method))
        {
            http.Response.ContentLength = 0;
            return;
        }
        var extra = new List<KeyValuePair<string, string>>();
        if (error.Members is not null)
        {
            foreach (var (name, value) in error.Members)
            {
                if (value is not null)
                    extra.Add(new(name, value.ToString()));
            }
        }
        var requestId = http.Response.Headers["x-amz-request-id"].ToString();
        extra.Add(new("RequestId", requestId));
        extra.Add(new("HostId", requestId));
        var bytes = XmlOutputWriter.Error(code, message, extra);
        http.Response.ContentType = "application/xml";
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes).ConfigureAwait(false);
    }
}
