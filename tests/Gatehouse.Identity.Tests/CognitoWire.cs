using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests;

/// <summary>An answer on the wire: HTTP status, the error name (when it failed) and the JSON body.</summary>
internal sealed record WireResult(int Status, string? ErrorType, JsonNode Body)
{
    public string? Message => Body["message"]?.GetValue<string>();

    public JsonNode Ok()
    {
        Assert.True(Status == 200, $"Expected 200, got {Status}: {Body.ToJsonString()}");
        return Body;
    }

    public void Fails(string error, string? message = null)
    {
        Assert.True(Status is >= 400 and < 500, $"Expected a client error, got {Status}: {Body.ToJsonString()}");
        Assert.Equal(error, Body["__type"]?.GetValue<string>());
        Assert.Equal(error, ErrorType?.TrimEnd(':'));
        if (message is not null)
            Assert.Equal(message, Message);
    }
}

/// <summary>
/// Calls Cognito operations as the SDKs do: POST / with X-Amz-Target and an awsJson1.1 body, signed
/// (the server's client signs every operation; unsigned calls are covered by the browser-client tests). Used where the AWS CLI would only add
/// process start-up time to what is being checked (the wire answer).
/// </summary>
internal sealed class CognitoWire : IDisposable
{
    private readonly HttpClient _http;

    public CognitoWire(GatehouseProcess server) => _http = server.CreateClient();

    public Task<WireResult> CallAsync(string operation, JsonObject body) => CallRawAsync(operation, body.ToJsonString());

    public async Task<WireResult> CallRawAsync(string operation, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AWSCognitoIdentityProviderService." + operation);
        request.Content = new StringContent(body, Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject();
        var errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.First() : null;
        return new WireResult((int)response.StatusCode, errorType, json);
    }

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    /// <summary>Creates a pool (optionally with email sign-in) and returns its id.</summary>
    public async Task<string> CreatePoolAsync(bool emailSignIn = false, JsonObject? extra = null)
    {
        var body = extra ?? new JsonObject();
        body["PoolName"] = "pool-" + Guid.NewGuid().ToString("N")[..8];
        if (emailSignIn)
            body["UsernameAttributes"] = new JsonArray("email");
        return (await CallAsync("CreateUserPool", body)).Ok()["UserPool"]!["Id"]!.GetValue<string>();
    }

    public async Task<JsonNode> CreateClientAsync(string poolId, JsonObject? extra = null, params string[] flows)
    {
        var body = extra ?? new JsonObject();
        body["UserPoolId"] = poolId;
        body["ClientName"] = "app";
        if (flows.Length > 0)
            body["ExplicitAuthFlows"] = new JsonArray(flows.Select(f => (JsonNode)f).ToArray());
        return (await CallAsync("CreateUserPoolClient", body)).Ok()["UserPoolClient"]!;
    }

    /// <summary>Creates a confirmed user with a permanent password.</summary>
    public async Task CreateConfirmedUserAsync(string poolId, string username, string password, params (string Name, string Value)[] attributes)
    {
        var create = new JsonObject
        {
            ["UserPoolId"] = poolId,
            ["Username"] = username,
            ["MessageAction"] = "SUPPRESS",
            ["UserAttributes"] = new JsonArray(attributes.Select(a => (JsonNode)new JsonObject { ["Name"] = a.Name, ["Value"] = a.Value }).ToArray()),
        };
        (await CallAsync("AdminCreateUser", create)).Ok();
        (await CallAsync("AdminSetUserPassword", new JsonObject
        {
            ["UserPoolId"] = poolId,
            ["Username"] = username,
            ["Password"] = password,
            ["Permanent"] = true,
        })).Ok();
    }

    public Task<WireResult> AdminPasswordSignInAsync(string poolId, string clientId, string username, string password, string? secretHash = null)
    {
        var parameters = new JsonObject { ["USERNAME"] = username, ["PASSWORD"] = password };
        if (secretHash is not null)
            parameters["SECRET_HASH"] = secretHash;
        return CallAsync("AdminInitiateAuth", new JsonObject
        {
            ["UserPoolId"] = poolId,
            ["ClientId"] = clientId,
            ["AuthFlow"] = "ADMIN_USER_PASSWORD_AUTH",
            ["AuthParameters"] = parameters,
        });
    }

    public void Dispose() => _http.Dispose();
}

internal static class Jwt
{
    public static JsonObject Payload(string token) =>
        (JsonObject)JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1]))!;

    public static JsonObject Header(string token) =>
        (JsonObject)JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[0]))!;
}
