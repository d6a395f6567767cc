namespace Gatehouse.Gateway.Runtime;

/// <summary>
/// The function an AWS_PROXY integration or a REQUEST authorizer runs: from a Lambda function ARN
/// (optionally qualified) or an <c>arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations</c> URI.
/// </summary>
internal sealed record LambdaTarget(string FunctionArn, string Region, string Account)
{
    private const string InvocationPrefix = ":lambda:path/2015-03-31/functions/";
    private const string InvocationSuffix = "/invocations";

    public static LambdaTarget? TryParse(string uri)
    {
        var arn = uri;
        if (uri.StartsWith("arn:aws:apigateway:", StringComparison.Ordinal))
        {
            var start = uri.IndexOf(InvocationPrefix, StringComparison.Ordinal);
            if (start < 0 || !uri.EndsWith(InvocationSuffix, StringComparison.Ordinal))
                return null;
            arn = uri[(start + InvocationPrefix.Length)..^InvocationSuffix.Length];
        }
        // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
        var parts = arn.Split(':');
        if (parts.Length is not (7 or 8) || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" || parts[6].Length == 0)
            return null;
        if (parts.Length == 8 && parts[7].Length == 0)
            return null;
        return new LambdaTarget(arn, parts[3], parts[4]);
    }
}
