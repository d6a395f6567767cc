using System.Globalization;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol.Generated;

namespace Gatehouse.Functions;

/// <summary>
/// The one error catalog of the functions service: every expected failure a caller can see, with
/// AWS's exception name and wording. Call sites never invent codes or messages.
/// </summary>
internal static class FunctionErrors
{
    public static AwsException FunctionNotFound(string arn) =>
        new(Lambda.Errors.ResourceNotFoundException, $"Function not found: {arn}", 404);

    public static AwsException AliasNotFound(string arn) =>
        new(Lambda.Errors.ResourceNotFoundException, $"Alias not found: {arn}", 404);

    public static AwsException FunctionExists(string name) =>
        new(Lambda.Errors.ResourceConflictException, $"Function already exist: {name}", 409);

    public static AwsException AliasExists(string arn) =>
        new(Lambda.Errors.ResourceConflictException, $"Alias already exists: {arn}", 409);

    public static AwsException StatementExists(string sid) =>
        new(Lambda.Errors.ResourceConflictException, $"The statement id ({sid}) provided already exists. Please provide a new statement id, or remove the existing statement.", 409);

    public static AwsException StatementNotFound(string sid) =>
        new(Lambda.Errors.ResourceNotFoundException, $"Statement {sid} is not found in resource policy.", 404);

    public static AwsException NoPolicy(string arn) =>
        new(Lambda.Errors.ResourceNotFoundException, $"The resource you requested does not exist. ({arn})", 404);

    private static AwsException InvalidParameter(string message) =>
        new(Lambda.Errors.InvalidParameterValueException, message, 400);

    public static AwsException FunctionNameInvalid(string name) =>
        InvalidParameter($"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_]+)");

    public static AwsException FunctionReferenceInvalid(string text) => InvalidParameter($"Invalid function name or ARN: {text}");

    public static AwsException ResourceArnInvalid(string arn) => InvalidParameter($"Invalid resource ARN: {arn}");

    public static AwsException MarkerInvalid(string marker) => InvalidParameter($"Invalid marker: {marker}");

    public static AwsException RuntimeAndHandlerRequired() =>
        InvalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.");

    public static AwsException AliasNameInvalid(string name) =>
        InvalidParameter($"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)");

    public static AwsException EnvironmentVariableNameInvalid() =>
        InvalidParameter("1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]");

    public static AwsException EnvironmentTooLarge() =>
        InvalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.");

    public static AwsException CodeShaMismatch(string given, string latest) =>
        InvalidParameter($"CodeSHA256 ({given}) is different from current CodeSHA256 in $LATEST ({latest}). Please try again with the CodeSHA256 in $LATEST.");

    public static AwsException InvalidZip() =>
        new(Lambda.Errors.InvalidParameterValueException, "Could not unzip uploaded file. Please check your file, then try to upload again.", 400);

    /// <summary>A zip that unpacks, but not into a folder: <paramref name="detail"/> says why (a duplicate, a file where a folder is, …).</summary>
    public static AwsException InvalidZip(string detail) =>
        new(Lambda.Errors.InvalidParameterValueException, "Could not unzip uploaded file. Please check your file, then try to upload again. " + detail, 400);

    /// <summary>Lambda's quota on a function's unpacked code (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).</summary>
    public static AwsException UnzippedTooLarge(long limit) =>
        new(Lambda.Errors.InvalidParameterValueException, $"Unzipped size must be smaller than {limit.ToString(CultureInfo.InvariantCulture)} bytes", 400);

    public static AwsException CodeMissing() =>
        new(Lambda.Errors.InvalidParameterValueException, "Please provide a source for function code.", 400);

    public static AwsException UnsupportedCodeSource() =>
        new(Lambda.Errors.InvalidParameterValueException, "Gatehouse accepts function code as a ZipFile or an object of its own S3; container images are not supported.", 400);

    /// <summary>Code named by S3Bucket/S3Key that S3 would not give, in Lambda's wording.</summary>
    public static AwsException CodeFromS3Failed(string s3Code, string s3Message) =>
        new(Lambda.Errors.InvalidParameterValueException, $"Error occurred while GetObject. S3 Error Code: {s3Code}. S3 Error Message: {s3Message}", 400);

    public static AwsException ReservedEnvironmentVariable(string key) =>
        new(Lambda.Errors.InvalidParameterValueException, $"Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {key}", 400);

    public static AwsException RevisionMismatch() =>
        new(Lambda.Errors.PreconditionFailedException, "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id", 412);

    public static AwsException QualifierMismatch() =>
        new(Lambda.Errors.InvalidParameterValueException, "The derived qualifier from the function name does not match the specified qualifier.", 400);

    public static AwsException CannotDeleteLatest() =>
        new(Lambda.Errors.InvalidParameterValueException, "$LATEST version cannot be deleted without deleting the function.", 400);

    public static AwsException VersionInUseByAlias(string version) =>
        new(Lambda.Errors.ResourceConflictException, $"Unable to delete version because the following aliases reference it: {version}", 409);

    public static AwsException AliasMustNameVersion() =>
        new(Lambda.Errors.InvalidParameterValueException, "An alias must point to a published version or $LATEST.", 400);

    public static AwsException UnsupportedRuntime(string runtime) =>
        new(Lambda.Errors.InvalidParameterValueException, $"The runtime parameter of {runtime} is not supported by Gatehouse (it runs python3.x, nodejs*.x, provided.al2 and provided.al2023).", 400);

    public static AwsException RequestTooLarge(int limit) =>
        new(Lambda.Errors.RequestTooLargeException, $"Request must be smaller than {limit.ToString(CultureInfo.InvariantCulture)} bytes for the InvokeFunction operation", 413);

    public static AwsException ReservedConcurrencyTooHigh(int unreserved) =>
        new(Lambda.Errors.InvalidParameterValueException, $"Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{unreserved.ToString(CultureInfo.InvariantCulture)}].", 400);

    public static AwsException PayloadNotJson(string detail) =>
        new(Lambda.Errors.InvalidRequestContentException, "Could not parse request body into json: Could not parse payload into json: " + detail, 400);

    public static AwsException InvalidClientContext() =>
        new(Lambda.Errors.InvalidRequestContentException, "Client context must be a valid Base64-encoded JSON object.", 400);

    public static AwsException TooManyRequests(string reason) =>
        new(Lambda.Errors.TooManyRequestsException, "Rate Exceeded.", 429, new JsonObject { ["Reason"] = reason })
        {
            Headers = new Dictionary<string, string> { ["Retry-After"] = "1" },
        };

}
