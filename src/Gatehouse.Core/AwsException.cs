using System.Text.Json.Nodes;

namespace Gatehouse.Core;

/// <summary>
/// An AWS error as the client should see it: the exception name from the service model, the
/// message, and optionally the HTTP status (otherwise taken from the model) and extra members of
/// the error shape (for example <c>reasonCode</c> or <c>resourceType</c>). This is the one
/// exception type that crosses into the protocol layer, which turns it into the wire error.
/// </summary>
public sealed class AwsException : Exception
{
    public AwsException(string code, string message, int? statusCode = null, JsonObject? members = null)
        : base(message)
    {
        Code = code;
        StatusCode = statusCode;
        Members = members;
    }

    /// <summary>The bare exception name, e.g. <c>UserNotFoundException</c>.</summary>
    public string Code { get; }

    /// <summary>HTTP status; null means "as the service model says for this error".</summary>
    public int? StatusCode { get; }

    /// <summary>Extra members of the error shape, by model member name.</summary>
    public JsonObject? Members { get; }

    /// <summary>Headers to add to the error response (e.g. <c>Retry-After</c>).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}
