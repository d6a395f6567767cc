using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Access.Model;

/// <summary>
/// The AWS managed policies templates commonly attach (<c>arn:aws:iam::aws:policy/…</c>): GetPolicy,
/// GetPolicyVersion and ListPolicies (Scope=AWS/All) answer them, roles attach them. Their statements
/// follow the documents AWS publishes in the managed policy reference
/// (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html); nothing is
/// enforced, so they are shown, never evaluated. Ids are stable per name.
/// </summary>
internal static class AwsManagedPolicies
{
    private static readonly DateTimeOffset Created = new(2015, 4, 9, 15, 3, 43, TimeSpan.Zero);

    public static readonly FrozenDictionary<string, ManagedPolicy> ByArn = new[]
    {
        Make("AdministratorAccess", "/", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"""),
        Make("PowerUserAccess", "/", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"}]}"""),
        Make("ReadOnlyAccess", "/", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*:Describe*","*:Get*","*:List*"],"Resource":"*"}]}"""),
        Make("AWSLambdaBasicExecutionRole", "/service-role/",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"""),
        Make("AWSLambdaVPCAccessExecutionRole", "/service-role/",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents","ec2:CreateNetworkInterface","ec2:DescribeNetworkInterfaces","ec2:DescribeSubnets","ec2:DeleteNetworkInterface","ec2:AssignPrivateIpAddresses","ec2:UnassignPrivateIpAddresses"],"Resource":"*"}]}"""),
        Make("AWSLambdaDynamoDBExecutionRole", "/service-role/",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:DescribeStream","dynamodb:GetRecords","dynamodb:GetShardIterator","dynamodb:ListStreams","logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"""),
        Make("AWSLambdaSQSQueueExecutionRole", "/service-role/",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes","logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"""),
        Make("AWSLambdaKinesisExecutionRole", "/service-role/",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kinesis:DescribeStream","kinesis:DescribeStreamSummary","kinesis:GetRecords","kinesis:GetShardIterator","kinesis:ListShards","kinesis:ListStreams","kinesis:SubscribeToShard","logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"""),
        Make("AWSLambdaRole", "/service-role/", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:InvokeFunction"],"Resource":["*"]}]}"""),
        Make("AWSXRayDaemonWriteAccess", "/",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["xray:PutTraceSegments","xray:PutTelemetryRecords","xray:GetSamplingRules","xray:GetSamplingTargets","xray:GetSamplingStatisticSummaries"],"Resource":["*"]}]}"""),
        Make("AWSXrayWriteOnlyAccess", "/",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["xray:PutTraceSegments","xray:PutTelemetryRecords","xray:GetSamplingRules","xray:GetSamplingTargets","xray:GetSamplingStatisticSummaries"],"Resource":["*"]}]}"""),
        Make("CloudWatchLogsFullAccess", "/", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:*"],"Resource":"*"}]}"""),
        Make("AmazonS3FullAccess", "/", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}"""),
        Make("AmazonS3ReadOnlyAccess", "/", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}"""),
        Make("AmazonSSMReadOnlyAccess", "/", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:Describe*","ssm:Get*","ssm:List*"],"Resource":"*"}]}"""),
        Make("AmazonCognitoPowerUser", "/", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cognito-identity:*","cognito-idp:*","cognito-sync:*","iam:ListRoles","iam:ListOpenIdConnectProviders","iam:GetRole","iam:ListSAMLProviders","iam:GetSAMLProvider","kinesis:ListStreams","lambda:GetPolicy","lambda:ListFunctions","sns:GetSMSSandboxAccountStatus","sns:ListPlatformApplications","ses:ListIdentities","ses:GetIdentityVerificationAttributes","mobiletargeting:GetApps","acm:ListCertificates"],"Resource":"*"}]}"""),
        Make("AmazonAPIGatewayPushToCloudWatchLogs", "/service-role/",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:DescribeLogGroups","logs:DescribeLogStreams","logs:PutLogEvents","logs:GetLogEvents","logs:FilterLogEvents"],"Resource":"*"}]}"""),
    }.ToFrozenDictionary(p => p.Arn, StringComparer.Ordinal);

    public static bool IsAwsManaged(string arn) => arn.StartsWith("arn:aws:iam::aws:policy/", StringComparison.Ordinal);

    private static ManagedPolicy Make(string name, string path, string document) => new()
    {
        PolicyName = name,
        PolicyId = "ANPA" + StableId(name),
        Arn = $"arn:aws:iam::aws:policy{path}{name}",
        Path = path,
        CreateDate = Created,
        UpdateDate = Created,
        DefaultVersionId = "v1",
        Versions = [new PolicyVersion("v1", document, Created)],
    };

    /// <summary>17 characters of AWS's id alphabet, the same for a name on every server.</summary>
    private static string StableId(string name)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        var id = new StringBuilder(17);
        for (var i = 0; i < 17; i++)
            id.Append(alphabet[hash[i] % 32]);
        return id.ToString();
    }
}
