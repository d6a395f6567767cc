using System.Text;

namespace Gatehouse.Functions.RuntimeApi;

/// <summary>The Runtime API's fixed replies, whole HTTP/1.1 responses encoded once (the bodies are RIE's).</summary>
internal static class RuntimeApiReplies
{
    internal static readonly byte[] AcceptedReply = Reply(202, "Accepted", """{"status":"OK"}""");
    internal static readonly byte[] InvalidRequestIdReply = Reply(400, "Bad Request", """{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}""");
    internal static readonly byte[] InvalidStateReply = Reply(403, "Forbidden", """{"errorMessage":"State transition is not allowed for the runtime in its current state.","errorType":"InvalidStateTransition"}""");
    internal static readonly byte[] TooLargeReply = Reply(413, "Request Entity Too Large", """{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}""");
    internal static readonly byte[] NotFoundReply = Reply(404, "Not Found", """{"errorMessage":"Unknown Runtime API endpoint","errorType":"NotFound"}""");
    internal static readonly byte[] BadRequestReply = Reply(400, "Bad Request", """{"errorMessage":"Malformed request","errorType":"BadRequest"}""");
    internal static readonly byte[] ForbiddenReply = Reply(403, "Forbidden", """{"errorMessage":"This Runtime API belongs to another execution environment.","errorType":"AccessDenied"}""");
    internal static readonly byte[] NextPendingReply = Reply(409, "Conflict", """{"errorMessage":"The runtime is already waiting for the next invocation on another request.","errorType":"InvalidStateTransition"}""");
    internal static readonly byte[] LineTooLongReply = Reply(414, "URI Too Long", """{"errorMessage":"The request line is longer than 8192 bytes.","errorType":"BadRequest"}""");
    internal static readonly byte[] HeadersTooLargeReply = Reply(431, "Request Header Fields Too Large", """{"errorMessage":"A header line is longer than 8192 bytes, or there are more than 64 header lines.","errorType":"BadRequest"}""");
    internal static readonly byte[] ShuttingDownReply = Reply(500, "Internal Server Error", """{"errorMessage":"Internal Server Error","errorType":"InternalServerError"}""");
    internal static readonly byte[] ContinueReply = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();

    private static byte[] Reply(int status, string reason, string json) =>
        Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");
}
