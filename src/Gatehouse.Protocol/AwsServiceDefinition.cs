namespace Gatehouse.Protocol;

/// <summary>
/// What a service gives the protocol layer: which model it speaks, the handlers it implements, and
/// the error names its AWS counterpart uses for protocol-level failures. Operations in the model
/// without a handler answer with a clean "not implemented" error naming the operation.
/// </summary>
public sealed class AwsServiceDefinition
{
    public AwsServiceDefinition(string modelName) => ModelName = modelName;

    /// <summary>The generated model's name, e.g. <c>cognito-idp</c>.</summary>
    public string ModelName { get; }

    public Dictionary<string, AwsOperationHandler> Handlers { get; } = new(StringComparer.Ordinal);

    /// <summary>Error for input that breaks the model's constraints (required, length, pattern, enum, range).</summary>
    public string ValidationErrorCode { get; init; } = "ValidationException";

    /// <summary>Error for a body that is not JSON or has members of the wrong type.</summary>
    public string SerializationErrorCode { get; init; } = "SerializationException";

    /// <summary>Error for an unexpected failure inside a handler.</summary>
    public string InternalErrorCode { get; init; } = "InternalFailure";

    /// <summary>Error for a request body larger than <see cref="MaxRequestBytes"/>.</summary>
    public string TooLargeErrorCode { get; init; } = "RequestEntityTooLargeException";

    public long MaxRequestBytes { get; init; } = 1024 * 1024;

    /// <summary>Whether restJson body errors carry <c>"Type": "User"</c> (Lambda's style).</summary>
    public bool ErrorBodyHasType { get; init; }

    /// <summary>Maps an operation to its handler; an operation maps once (two classes claiming it is a bug).</summary>
    public AwsServiceDefinition Map(string operation, AwsOperationHandler handler)
    {
        if (!Handlers.TryAdd(operation, handler))
            throw new InvalidOperationException($"{ModelName} {operation} is mapped twice.");
        return this;
    }
}
