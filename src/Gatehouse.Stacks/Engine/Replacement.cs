namespace Gatehouse.Stacks.Engine;

/// <summary>
/// The properties whose change makes CloudFormation replace a resource ("Update requires:
/// Replacement" in each property's entry of the template reference,
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html).
/// Hand-written for the types Gatehouse provides; every other property is updated in place.
/// </summary>
internal static class Replacement
{
    private static readonly Dictionary<string, string[]> CreateOnly = new(StringComparer.Ordinal)
    {
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html
        ["AWS::IAM::Role"] = ["RoleName", "Path"],
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-function.html
        ["AWS::Lambda::Function"] = ["FunctionName", "PackageType"],
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-permission.html
        ["AWS::Lambda::Permission"] = ["Action", "FunctionName", "Principal", "SourceArn", "SourceAccount", "EventSourceToken", "FunctionUrlAuthType", "PrincipalOrgID"],
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html
        ["AWS::S3::Bucket"] = ["BucketName"],
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ssm-parameter.html
        ["AWS::SSM::Parameter"] = ["Name"],
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html
        ["AWS::Logs::LogGroup"] = ["LogGroupName"],
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cognito-userpoolclient.html
        ["AWS::Cognito::UserPoolClient"] = ["UserPoolId", "GenerateSecret"],
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cognito-userpooldomain.html
        ["AWS::Cognito::UserPoolDomain"] = ["Domain", "UserPoolId"],
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigatewayv2-stage.html
        ["AWS::ApiGatewayV2::Stage"] = ["ApiId", "StageName"],
        ["AWS::ApiGatewayV2::Route"] = ["ApiId"],
        ["AWS::ApiGatewayV2::Integration"] = ["ApiId"],
        ["AWS::ApiGatewayV2::Authorizer"] = ["ApiId"],
    };

    public static bool Required(string type, System.Text.Json.Nodes.JsonObject before, System.Text.Json.Nodes.JsonObject after) =>
        CreateOnly.TryGetValue(type, out var names) &&
        names.Any(n => (before[n]?.ToJsonString() ?? "") != (after[n]?.ToJsonString() ?? ""));
}
