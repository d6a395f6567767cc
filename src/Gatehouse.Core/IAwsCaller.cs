using System.Text.Json.Nodes;

namespace Gatehouse.Core;

/// <summary>
/// Calls one operation of one of Gatehouse's AWS services in process, by the model's member names,
/// exactly as the service's handler answers it over the wire: the input is validated against the
/// model first, so a bad value is refused with the service's own error and wording. This is how
/// CloudFormation's resource providers create what a template declares — through the owning
/// service's public operations, never its tables, as AWS's providers call the service APIs
/// (https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-develop.html).
/// </summary>
public interface IAwsCaller
{
    /// <summary>
    /// The operation's output by member names, as the service's handler wrote it (blobs are base64
    /// strings, as in awsJson). Failures are thrown as <see cref="AwsException"/>.
    /// </summary>
    /// <param name="model">The model name, e.g. <c>cognito-idp</c>, <c>lambda</c>, <c>s3</c>.</param>
    ValueTask<JsonObject> CallAsync(string model, string operation, JsonObject input, AwsRequestContext context, CancellationToken cancellationToken);
}
