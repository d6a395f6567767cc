using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Protocol.Tests;

/// <summary>Drives the dispatcher in-process with real HTTP request/response objects.</summary>
internal sealed class ProtocolHarness
{
    public ProtocolHarness(params AwsServiceDefinition[] definitions)
    {
        Dispatcher = new AwsProtocolDispatcher(definitions, new GatehouseOptions(), new Signing.AcceptAnySignature(), new Core.Security.ServedHosts(new GatehouseOptions()), NullLogger<AwsProtocolDispatcher>.Instance);
    }

    public AwsProtocolDispatcher Dispatcher { get; }

    public AwsRequest? LastRequest { get; set; }

    public Task<Reply> CognitoAsync(string operation, string body) =>
        SendAsync("POST", "/", body, ("X-Amz-Target", "AWSCognitoIdentityProviderService." + operation), ("Content-Type", "application/x-amz-json-1.1"));

    public async Task<Reply> SendAsync(string method, string rawTarget, string? body, params (string Name, string Value)[] headers)
    {
        return await SendBytesAsync(method, rawTarget, body is null ? [] : Encoding.UTF8.GetBytes(body), headers);
    }

    public async Task<Reply> SendBytesAsync(string method, string rawTarget, byte[] body, params (string Name, string Value)[] headers)
    {
        var http = new DefaultHttpContext();
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        http.Request.Method = method;
        http.Request.Path = PathString.FromUriComponent(query < 0 ? rawTarget : rawTarget[..query]);
        http.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(rawTarget[query..]);
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = rawTarget;
        // Signed as the SDKs sign (the signature is not checked by default); a test that wants an
        // unsigned request passes an empty Authorization header.
        http.Request.Headers.Authorization = SignedBy(rawTarget);
        foreach (var (name, value) in headers)
            http.Request.Headers[name] = value;
        if (http.Request.Headers.Authorization.ToString().Length == 0)
            http.Request.Headers.Remove("Authorization");
        http.Request.Body = new MemoryStream(body);
        http.Request.ContentLength = body.Length;
        var response = new MemoryStream();
        http.Response.Body = response;
        await Dispatcher.HandleAsync(http);
        return new Reply(http.Response.StatusCode, http.Response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), response.ToArray());
    }

    private static string SignedBy(string rawTarget)
    {
        var service = rawTarget.StartsWith("/2015-03-31", StringComparison.Ordinal) || rawTarget.StartsWith("/2017-", StringComparison.Ordinal) ? "lambda"
            : rawTarget.StartsWith("/v2/", StringComparison.Ordinal) ? "apigateway" : "cognito-idp";
        return $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature={new string('0', 64)}";
    }
}

internal sealed record Reply(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
