using System.Text.Json.Nodes;
using Gatehouse.Stacks.Templates;

namespace Gatehouse.Stacks.Transforms.Serverless;

/// <summary>
/// What a function's <c>Policies</c> entries become on its generated role: AWS managed policy names
/// turned into ARNs, inline statements kept as inline policies, and SAM policy templates
/// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html)
/// expanded for the templates listed here; any other template is refused by name.
/// </summary>
internal static class SamPolicies
{
    /// <summary>
    /// AWS managed policies whose ARN carries a path (the rest are <c>arn:aws:iam::aws:policy/NAME</c>);
    /// SAM looks these up in IAM, which here has no AWS managed policies to list.
    /// </summary>
    private static readonly Dictionary<string, string> ManagedPaths = new(StringComparer.Ordinal)
    {
        ["AWSLambdaBasicExecutionRole"] = "service-role/",
        ["AWSLambdaVPCAccessExecutionRole"] = "service-role/",
        ["AWSLambdaRole"] = "service-role/",
        ["AWSLambdaDynamoDBExecutionRole"] = "service-role/",
        ["AWSLambdaKinesisExecutionRole"] = "service-role/",
        ["AWSLambdaSQSQueueExecutionRole"] = "service-role/",
        ["AWSLambdaMSKExecutionRole"] = "service-role/",
        ["AWSLambdaENIManagementAccess"] = "service-role/",
    };

    public static string ManagedArn(string name) =>
        name.StartsWith("arn:", StringComparison.Ordinal) ? name : $"arn:aws:iam::aws:policy/{ManagedPaths.GetValueOrDefault(name, "")}{name}";

    /// <summary>Statements of a policy template with its parameters bound, or null for an unknown template.</summary>
    public static JsonArray? Template(string name, JsonObject parameters)
    {
        JsonNode Param(string parameter) =>
            parameters[parameter]?.DeepClone() ?? throw new TemplateException($"Policy template {name} needs the parameter {parameter}.");
        JsonObject Sub(string format, string variable, string parameter) =>
            new() { ["Fn::Sub"] = new JsonArray(format, new JsonObject { [variable] = Param(parameter) }) };
        JsonObject Allow(JsonNode resource, params string[] actions) =>
            new() { ["Action"] = new JsonArray([.. actions.Select(a => (JsonNode?)a)]), ["Effect"] = "Allow", ["Resource"] = resource };
        const string S3Bucket = "arn:${AWS::Partition}:s3:::${bucketName}";
        string[] s3Read = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"];
        return name switch
        {
            "SSMParameterReadPolicy" or "SSMParameterWithSlashPrefixReadPolicy" =>
            [
                Allow("*", "ssm:DescribeParameters"),
                Allow(Sub(name == "SSMParameterReadPolicy"
                        ? "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${parameterName}"
                        : "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${parameterName}", "parameterName", "ParameterName"),
                    "ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"),
            ],
            "S3ReadPolicy" =>
            [
                Allow(new JsonArray(Sub(S3Bucket, "bucketName", "BucketName"), Sub(S3Bucket + "/*", "bucketName", "BucketName")), s3Read),
            ],
            "S3CrudPolicy" =>
            [
                Allow(new JsonArray(Sub(S3Bucket, "bucketName", "BucketName"), Sub(S3Bucket + "/*", "bucketName", "BucketName")),
                    "s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl",
                    "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteObject"),
            ],
            "S3WritePolicy" =>
            [
                Allow(new JsonArray(Sub(S3Bucket, "bucketName", "BucketName"), Sub(S3Bucket + "/*", "bucketName", "BucketName")),
                    "s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"),
            ],
            "LambdaInvokePolicy" =>
            [
                Allow(Sub("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${functionName}*", "functionName", "FunctionName"),
                    "lambda:InvokeFunction"),
            ],
            _ => null,
        };
    }
}
