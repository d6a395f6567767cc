using System.Globalization;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Functions.Model;

namespace Gatehouse.Functions.Operations;

/// <summary>A version's configuration in the shape of the model's FunctionConfiguration.</summary>
internal static class FunctionConfigurationJson
{
    public static JsonObject Write(FunctionVersionConfig c, bool qualifiedArn = false, string state = "Active", string lastUpdateStatus = "Successful")
    {
        var o = new JsonObject
        {
            ["FunctionName"] = c.Name,
            ["FunctionArn"] = qualifiedArn || c.Version != "$LATEST" ? AwsIds.LambdaFunctionArn(c.Region, c.Account, c.Name, c.Version) : c.FunctionArn,
            ["Runtime"] = c.Runtime,
            ["Role"] = c.Role,
            ["Handler"] = c.Handler,
            ["CodeSize"] = c.CodeSize,
            ["Description"] = c.Description,
            ["Timeout"] = c.Timeout,
            ["MemorySize"] = c.MemorySize,
            ["LastModified"] = FormatLastModified(c.LastModified),
            ["CodeSha256"] = c.CodeSha256,
            ["Version"] = c.Version,
            ["TracingConfig"] = new JsonObject { ["Mode"] = "PassThrough" },
            ["RevisionId"] = c.RevisionId,
            ["State"] = state,
            ["LastUpdateStatus"] = lastUpdateStatus,
            ["PackageType"] = "Zip",
            ["Architectures"] = new JsonArray([.. c.Architectures.Select(a => (JsonNode)a)]),
            ["EphemeralStorage"] = new JsonObject { ["Size"] = c.EphemeralStorage },
            ["SnapStart"] = new JsonObject { ["ApplyOn"] = "None", ["OptimizationStatus"] = "Off" },
            ["LoggingConfig"] = new JsonObject { ["LogFormat"] = "Text", ["LogGroup"] = c.LogGroup },
            ["RuntimeVersionConfig"] = new JsonObject { ["RuntimeVersionArn"] = RuntimeVersionArn(c.Region, c.Runtime) },
        };
        if (c.Environment.Count > 0)
        {
            var variables = new JsonObject();
            foreach (var (key, value) in c.Environment)
                variables[key] = value;
            o["Environment"] = new JsonObject { ["Variables"] = variables };
        }
        if (state == "Pending")
        {
            o["StateReason"] = "The function is being created.";
            o["StateReasonCode"] = "Creating";
        }
        if (lastUpdateStatus == "InProgress")
        {
            o["LastUpdateStatusReason"] = "The function is being created.";
            o["LastUpdateStatusReasonCode"] = "Creating";
        }
        return o;
    }

    /// <summary>
    /// Lambda names the runtime build a function runs on by an ARN ending in a 64-hex-digit id. Here it
    /// is a hash of the runtime's name: stable across calls and restarts, different per runtime.
    /// </summary>
    private static string RuntimeVersionArn(string region, string runtime) =>
        $"arn:aws:lambda:{region}::runtime:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("gatehouse:" + runtime)))}";

    /// <summary>Lambda's LastModified: a string like 2025-10-14T22:26:11.234+0000.</summary>
    public static string FormatLastModified(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture);
}
