using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Identity.Model;
using E = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Errors;

namespace Gatehouse.Identity.Triggers;

/// <summary>
/// Runs a pool's Lambda triggers (its <c>LambdaConfig</c>) as real functions through the functions
/// service, with the event Cognito sends
/// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html):
/// <c>version</c>, <c>triggerSource</c>, <c>region</c>, <c>userPoolId</c>, <c>userName</c>,
/// <c>callerContext</c>, <c>request</c> and an empty <c>response</c> for the function to fill in.
/// Cognito waits five seconds for a trigger. A function error fails the operation with
/// <c>UserLambdaValidationException</c> ("{Trigger} failed with error {message}."), an answer that is
/// not a JSON object with <c>InvalidLambdaResponseException</c>, a function that cannot be run or
/// does not answer in time with <c>UnexpectedLambdaException</c>.
/// </summary>
internal sealed class UserPoolTriggers
{
    /// <summary>How long Cognito waits for a trigger.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly IFunctionInvoker? _functions;

    public UserPoolTriggers(IFunctionInvoker? functions) => _functions = functions;

    /// <summary>The function ARN configured for <paramref name="trigger"/> (a LambdaConfig member), or null.</summary>
    public static string? FunctionOf(UserPool pool, string trigger) =>
        pool.Settings["LambdaConfig"] is JsonObject config && config[trigger] is JsonValue arn && arn.GetValueKind() == JsonValueKind.String
            ? arn.GetValue<string>()
            : null;

    /// <summary>
    /// The token-generation trigger and the event version it takes: <c>PreTokenGenerationConfig</c>
    /// (LambdaVersion V1_0, V2_0 or V3_0) over the older <c>PreTokenGeneration</c> (V1_0).
    /// </summary>
    public static (string Arn, int Version)? TokenGenerationOf(UserPool pool)
    {
        if (pool.Settings["LambdaConfig"] is not JsonObject config)
            return null;
        if (config["PreTokenGenerationConfig"] is JsonObject v2 && v2["LambdaArn"] is JsonValue arn && arn.GetValueKind() == JsonValueKind.String)
        {
            var version = (v2["LambdaVersion"] as JsonValue)?.GetValue<string>() switch
            {
                "V2_0" => 2,
                "V3_0" => 3,
                _ => 1,
            };
            return (arn.GetValue<string>(), version);
        }
        return FunctionOf(pool, "PreTokenGeneration") is { } v1 ? (v1, 1) : null;
    }

    public bool Has(UserPool pool, string trigger) => _functions is not null && FunctionOf(pool, trigger) is not null;

    /// <summary>Invokes the trigger and returns the <c>response</c> object of its answer.</summary>
    /// <param name="label">The trigger's name in error messages (PreSignUp, PostConfirmation, …).</param>
    public async Task<JsonObject> InvokeAsync(UserPool pool, string functionArn, string label, string triggerSource, string version,
        string? userName, string? clientId, JsonObject request, CancellationToken cancellationToken)
    {
        if (_functions is null)
            throw new AwsException(E.UnexpectedLambdaException, $"{label} invocation failed: this server runs no functions.");
        var callerContext = new JsonObject { ["awsSdkVersion"] = "aws-sdk-unknown-unknown", ["clientId"] = clientId ?? "CLIENT_ID_NOT_APPLICABLE" };
        var evt = new JsonObject
        {
            ["version"] = version,
            ["triggerSource"] = triggerSource,
            ["region"] = pool.Region,
            ["userPoolId"] = pool.Id,
            ["userName"] = userName,
            ["callerContext"] = callerContext,
            ["request"] = request,
            ["response"] = new JsonObject(),
        };
        var (account, region) = AccountAndRegion(functionArn, pool);
        FunctionInvocationResult result;
        try
        {
            // Cognito stops waiting after five seconds; the function itself runs on to its own timeout, as on AWS.
            result = await _functions.InvokeAsync(new FunctionInvocation(account, region, functionArn, null,
                JsonSerializer.SerializeToUtf8Bytes(evt)), CancellationToken.None).AsTask().WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new AwsException(E.UnexpectedLambdaException, $"{label} invocation failed due to error Socket timeout while invoking Lambda function.");
        }
        switch (result.Status)
        {
            case FunctionInvocationStatus.Success:
                break;
            case FunctionInvocationStatus.FunctionError:
                throw new AwsException(E.UserLambdaValidationException, $"{label} failed with error {ErrorMessage(result.Payload)}.");
            case FunctionInvocationStatus.NotFound:
                throw new AwsException(E.UnexpectedLambdaException, $"{label} invocation failed due to error ResourceNotFoundException.");
            case FunctionInvocationStatus.Throttled:
                throw new AwsException(E.UnexpectedLambdaException, $"{label} invocation failed due to error TooManyRequestsException.");
            default:
                throw new AwsException(E.UnexpectedLambdaException, $"{label} invocation failed due to error ResourceConflictException.");
        }
        JsonNode? answer;
        try
        {
            answer = JsonNode.Parse(result.Payload.Span);
        }
        catch (JsonException)
        {
            throw new AwsException(E.InvalidLambdaResponseException, "Unrecognizable lambda output");
        }
        if (answer is not JsonObject answered)
            throw new AwsException(E.InvalidLambdaResponseException, "Unrecognizable lambda output");
        return answered["response"] as JsonObject ?? new JsonObject();
    }

    /// <summary>
    /// The pre sign-up trigger (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html):
    /// it may refuse the sign-up (its error reaches the caller) or confirm the user and verify their
    /// contacts at once. Runs before anything is stored.
    /// </summary>
    public async Task<(bool AutoConfirm, bool AutoVerifyEmail, bool AutoVerifyPhone)> PreSignUpAsync(UserPool pool, string? clientId, string username,
        IReadOnlyList<KeyValuePair<string, string>> attributes, IReadOnlyDictionary<string, string>? metadata,
        IReadOnlyList<KeyValuePair<string, string>>? validationData, string triggerSource, CancellationToken ct)
    {
        if (FunctionOf(pool, "PreSignUp") is not { } arn)
            return (false, false, false);
        var userAttributes = new JsonObject();
        foreach (var (name, value) in attributes)
            userAttributes[name] = value;
        var request = new JsonObject { ["userAttributes"] = userAttributes, ["validationData"] = new JsonObject() };
        foreach (var (name, value) in validationData ?? [])
            request["validationData"]![name] = value;
        if (metadata is { Count: > 0 })
            request["clientMetadata"] = Map(metadata);
        var response = await InvokeAsync(pool, arn, "PreSignUp", triggerSource, "1", username, clientId, request, ct).ConfigureAwait(false);
        static bool Flag(JsonNode? node) => node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.True;
        return (Flag(response["autoConfirmUser"]), Flag(response["autoVerifyEmail"]), Flag(response["autoVerifyPhone"]));
    }

    private static string ErrorMessage(ReadOnlyMemory<byte> payload)
    {
        try
        {
            if (JsonNode.Parse(payload.Span) is JsonObject error && error["errorMessage"] is JsonValue message && message.GetValueKind() == JsonValueKind.String)
                return message.GetValue<string>();
        }
        catch (JsonException)
        {
        }
        return "Unhandled";
    }

    private static (string Account, string Region) AccountAndRegion(string functionArn, UserPool pool)
    {
        var parts = functionArn.Split(':');
        return parts.Length >= 7 && parts[0] == "arn" ? (parts[4], parts[3]) : (pool.Account, pool.Region);
    }

    /// <summary>A user's attributes as the trigger events carry them (<c>sub</c> included, <c>cognito:user_status</c> added).</summary>
    public static JsonObject Attributes(User user)
    {
        var attributes = new JsonObject();
        foreach (var (name, value) in user.Attributes)
            attributes[name] = value;
        attributes["cognito:user_status"] = user.Status;
        return attributes;
    }

    public static JsonObject Map(IReadOnlyDictionary<string, string>? values)
    {
        var map = new JsonObject();
        foreach (var (key, value) in values ?? new Dictionary<string, string>())
            map[key] = value;
        return map;
    }
}
