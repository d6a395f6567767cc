using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Gatehouse.Core;

/// <summary>Identifiers and ARNs in the formats AWS uses, made in one place.</summary>
public static partial class AwsIds
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string LowerAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A user pool id: <c>us-east-1_</c> followed by 9 alphanumerics.</summary>
    public static string NewUserPoolId(string region) => region + "_" + Random(Alphanumeric, 9);

    /// <summary>An app client id: 26 lowercase alphanumerics.</summary>
    public static string NewClientId() => Random(LowerAlphanumeric, 26);

    /// <summary>An app client secret: 51 lowercase alphanumerics, as Cognito generates.</summary>
    public static string NewClientSecret() => Random(LowerAlphanumeric, 51);

    /// <summary>
    /// An API Gateway resource id: lowercase alphanumerics, 10 for an API, 7 for a route or integration,
    /// 6 for an authorizer or deployment (the lengths AWS answers with).
    /// </summary>
    public static string NewApiGatewayId(int length) => Random(LowerAlphanumeric, length);

    public static string NewRequestId() => Guid.NewGuid().ToString();

    public static string NewUuid() => Guid.NewGuid().ToString();

    public static string LambdaFunctionArn(string region, string account, string name) =>
        $"arn:aws:lambda:{region}:{account}:function:{name}";

    public static string LambdaFunctionArn(string region, string account, string name, string qualifier) =>
        $"arn:aws:lambda:{region}:{account}:function:{name}:{qualifier}";

    public static string UserPoolArn(string region, string account, string poolId) =>
        $"arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}";

    public static string ApiArn(string region, string apiId) =>
        $"arn:aws:apigateway:{region}::/apis/{apiId}";

    public static string LogGroupArn(string region, string account, string name) =>
        $"arn:aws:logs:{region}:{account}:log-group:{name}";

    public static bool IsRegion(string value) => RegionPattern().IsMatch(value);

    /// <summary>Random characters from an alphabet, without modulo bias.</summary>
    public static string Random(string alphabet, int length) =>
        RandomNumberGenerator.GetString(alphabet, length);

    [GeneratedRegex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")]
    private static partial Regex RegionPattern();
}
