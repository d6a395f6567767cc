using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core.Security;

namespace Gatehouse.Quickstart;

/// <summary>
/// Calls Gatehouse's own AWS APIs over HTTP, exactly as a client would, so the quickstart exercises
/// the same path as the AWS CLI and never reaches into a service's internals.
/// </summary>
internal sealed class LocalAwsClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _region;
    private readonly string _accessKeyId = "gatehouse-quickstart";
    private readonly string _secret = "gatehouse-quickstart";

    /// <param name="keys">The strict mode's keys: the calls are signed with the first one.</param>
    public LocalAwsClient(Uri endpoint, string region, AccessKeys? keys = null)
    {
        if (keys is not null && keys.TryGetSecret(keys.FirstAccessKeyId, out var secret))
        {
            _accessKeyId = keys.FirstAccessKeyId;
            _secret = secret;
        }
        _http = new HttpClient { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(60) };
        _region = region;
    }

    /// <summary>An awsJson1.1 call (Cognito: <c>AWSCognitoIdentityProviderService</c>).</summary>
    public async Task<JsonObject> JsonAsync(string targetPrefix, string signingName, string operation, JsonObject input)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(input.ToJsonString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", targetPrefix + "." + operation);
        Sign(request, signingName);
        return await SendAsync(request, operation).ConfigureAwait(false);
    }

    /// <summary>A restJson1 call (Lambda, API Gateway v2).</summary>
    public async Task<JsonObject> RestAsync(HttpMethod method, string path, string signingName, string operation, JsonObject? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        Sign(request, signingName);
        return await SendAsync(request, operation).ConfigureAwait(false);
    }

    /// <summary>A plain GET of a JSON document (discovery, JWKS).</summary>
    public async Task<JsonObject> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await SendAsync(request, "GET " + path).ConfigureAwait(false);
    }

    private void Sign(HttpRequestMessage request, string signingName)
    {
        // Gatehouse accepts any key by default (the scope tells it the region and the service); in
        // strict mode the quickstart signs with the server's own first key.
        var body = request.Content?.ReadAsByteArrayAsync().GetAwaiter().GetResult() ?? [];
        if (!request.RequestUri!.IsAbsoluteUri)
            request.RequestUri = new Uri(_http.BaseAddress!, request.RequestUri);
        SigV4Signer.Sign(request, body, _accessKeyId, _secret, _region, signingName, DateTimeOffset.UtcNow);
    }

    private async Task<JsonObject> SendAsync(HttpRequestMessage request, string operation)
    {
        using var response = await _http.SendAsync(request).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var code = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.First().Split(':')[0] : response.StatusCode.ToString();
            var json = text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null;
            var message = (json?["message"] ?? json?["Message"])?.GetValue<string>() ?? text;
            throw new LocalAwsException(operation, code, message);
        }
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!.AsObject();
    }

    public void Dispose() => _http.Dispose();
}

internal sealed class LocalAwsException(string operation, string code, string message)
    : Exception($"{operation} failed: {code}: {message}")
{
    public string Code { get; } = code;
}
