using System.Text;

namespace Gatehouse.Quickstart;

/// <summary>What the quickstart prints: the stack's values and the seed's commands, ready to paste.</summary>
internal static class QuickstartReport
{
    public static string Render(SeedStack.Result stack, string endpoint, string region)
    {
        var aws = $"aws --endpoint-url {endpoint}";
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("The seed's stack is ready:");
        Row(text, "Function", $"{SeedStack.FunctionName} (python3.13)  {stack.FunctionArn}");
        Row(text, "User pool ID", stack.UserPoolId);
        Row(text, "Client ID", stack.ClientId);
        Row(text, "Issuer", stack.Issuer);
        Row(text, "Token signing key URL", stack.JwksUrl);
        Row(text, "Login page", stack.LoginUrl ?? "(hosted login pages are not available in this build)");
        Row(text, "API endpoint", stack.ApiEndpoint);
        Row(text, "User", stack.Email + $"  (status {stack.UserStatus})");
        Row(text, "Temporary password", stack.TemporaryPassword ?? "(set when the user was first created)");
        text.AppendLine();
        text.AppendLine("Try it with the AWS CLI v2 (any credentials work):");
        text.AppendLine($"  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION={region}");
        text.AppendLine();
        text.AppendLine("  # 1. First sign-in: the temporary password must be replaced (or use the login page).");
        text.AppendLine($"  {aws} cognito-idp admin-initiate-auth --user-pool-id {stack.UserPoolId} --client-id {stack.ClientId} \\");
        text.AppendLine($"    --auth-flow ADMIN_USER_PASSWORD_AUTH --auth-parameters 'USERNAME={stack.Email},PASSWORD={stack.TemporaryPassword ?? "<temporary password>"}'");
        text.AppendLine($"  {aws} cognito-idp admin-respond-to-auth-challenge --user-pool-id {stack.UserPoolId} --client-id {stack.ClientId} \\");
        text.AppendLine($"    --challenge-name NEW_PASSWORD_REQUIRED --challenge-responses 'USERNAME={stack.Email},NEW_PASSWORD=<new password>' --session '<Session from above>'");
        text.AppendLine();
        text.AppendLine("  # 2. Sign in and call the API through its JWT authorizer.");
        text.AppendLine($"  TOKEN=$({aws} cognito-idp admin-initiate-auth --user-pool-id {stack.UserPoolId} --client-id {stack.ClientId} \\");
        text.AppendLine($"    --auth-flow ADMIN_USER_PASSWORD_AUTH --auth-parameters 'USERNAME={stack.Email},PASSWORD=<new password>' \\");
        text.AppendLine("    --query AuthenticationResult.AccessToken --output text)");
        text.AppendLine($"  curl '{stack.ApiEndpoint}/hello' -H \"Authorization: Bearer $TOKEN\"");
        text.AppendLine("  # -> \"Hello from Lambda!\"");
        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, string value) =>
        text.Append("  ").Append(name.PadRight(24)).AppendLine(value);
}
