namespace Gatehouse.Functions.Model;

/// <summary>
/// A function reference as callers write it: a name, a partial ARN (<c>123456789012:function:f</c>)
/// or a full ARN, each optionally with <c>:qualifier</c>.
/// </summary>
internal readonly record struct FunctionName(string Name, string? Qualifier, string? Account, string? Region)
{
    public static bool TryParse(string text, out FunctionName result)
    {
        result = default;
        if (string.IsNullOrEmpty(text))
            return false;
        // An API Gateway integration URI wraps the function ARN:
        // arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations
        const string functionsMarker = "/functions/";
        if (text.StartsWith("arn:aws:apigateway:", StringComparison.Ordinal)
            && text.IndexOf(functionsMarker, StringComparison.Ordinal) is var at and >= 0
            && text.EndsWith("/invocations", StringComparison.Ordinal))
        {
            var inner = text[(at + functionsMarker.Length)..^"/invocations".Length];
            return inner.StartsWith("arn:", StringComparison.Ordinal) && TryParse(inner, out result);
        }
        if (!text.Contains(':', StringComparison.Ordinal))
        {
            result = new FunctionName(text, null, null, null);
            return true;
        }
        var parts = text.Split(':');
        if (parts.Length is 7 or 8 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function")
        {
            result = new FunctionName(parts[6], parts.Length == 8 ? parts[7] : null, parts[4], parts[3]);
            return parts[6].Length > 0;
        }
        if (parts.Length is 3 or 4 && parts[1] == "function" && parts[0].Length == 12)
        {
            result = new FunctionName(parts[2], parts.Length == 4 ? parts[3] : null, parts[0], null);
            return parts[2].Length > 0;
        }
        if (parts.Length == 2)
        {
            result = new FunctionName(parts[0], parts[1], null, null);
            return parts[0].Length > 0 && parts[1].Length > 0;
        }
        return false;
    }
}
