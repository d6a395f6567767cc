using Gatehouse.Core;
using Gatehouse.Protocol.Model;
using Gatehouse.Protocol.Serialization.Query;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Protocol;

/// <summary>
/// awsQuery answers (STS, IAM, CloudFormation): the output inside the operation's result element,
/// and the <c>ErrorResponse</c> document
/// (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html).
/// </summary>
public sealed partial class AwsProtocolDispatcher
{
    private static Task WriteQueryResponseAsync(HttpContext http, ServiceEntry entry, OperationModel operation, AwsResponse response) =>
        WriteXmlAsync(http, 200, QueryOutputWriter.WriteResponse(entry.Model, operation, response.Output, http.Response.Headers["x-amzn-RequestId"].ToString()));

    private static Task WriteQueryErrorAsync(HttpContext http, ServiceEntry entry, AwsException error, Shape? errorShape, int status, string requestId)
    {
        // The query services name errors by their error code, e.g. NoSuchEntityException → NoSuchEntity.
        http.Response.Headers.Remove("x-amzn-ErrorType");
        var common = QueryOutputWriter.CommonError(error.Code);
        status = common?.Status ?? status;
        return WriteXmlAsync(http, status, QueryOutputWriter.WriteError(entry.Model, common?.Code ?? errorShape?.ErrorCode ?? error.Code, error.Message, status < 500, requestId));
    }

    private static async Task WriteXmlAsync(HttpContext http, int status, byte[] xml)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = QueryOutputWriter.ContentType;
        http.Response.ContentLength = xml.Length;
        await http.Response.Body.WriteAsync(xml, http.RequestAborted).ConfigureAwait(false);
    }
}
