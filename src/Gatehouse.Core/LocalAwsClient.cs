using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core.Security;

namespace Gatehouse.Core;

/// <summary>
/// Calls Gatehouse's own AWS APIs over HTTP, exactly as a client would, so the quickstart and the
/// <c>logs</c> command exercise the same path as the AWS CLI and never reach into a service's internals.
/// Requests are SigV4-signed (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html)
/// with the key it is given: any key by default, one of the server's keys under <c>--auth sigv4</c>.
/// </summary>
/// <param name="handler">The connection handler (one that trusts the server's own TLS certificate); null for the default.</param>
public sealed class LocalAwsClient(Uri endpoint, string region, string accessKeyId, string secretKey, TimeSpan timeout, TimeProvider? time = null, HttpMessageHandler? handler = null) : IDisposable
{
    private readonly HttpClient _http = new(handler ?? new HttpClientHandler()) { BaseAddress = endpoint, Timeout = timeout };
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>An awsJson1.1 call (Cognito: <c>AWSCognitoIdentityProviderService</c>).</summary>
    public async Task<JsonObject> JsonAsync(string targetPrefix, string signingName, string operation, JsonObject input, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _http.BaseAddress)
        {
            Content = new StringContent(input.ToJsonString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", targetPrefix + "." + operation);
        Sign(request, signingName);
        return await SendAsync(request, operation, cancellationToken).ConfigureAwait(false);
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
        SigV4Signer.Sign(request, body, accessKeyId, secretKey, region, signingName, _time.GetUtcNow());
    }

    private async Task<JsonObject> SendAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken = default)
    {
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var code = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.First().Split(':')[0] : response.StatusCode.ToString();
            var json = text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null;
            var message = (json?["message"] ?? json?["Message"])?.GetValue<string>() ?? text;
            throw new LocalAwsException(operation, code, message) { Status = (int)response.StatusCode, Body = text };
        }
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!.AsObject();
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>An AWS error answer to a <see cref="LocalAwsClient"/> call.</summary>
public sealed class LocalAwsException(string operation, string code, string message)
    : Exception($"{operation} failed: {code}: {message}")
{
    /// <summary>The AWS error code (x-amzn-ErrorType).</summary>
    public string Code { get; } = code;

    /// <summary>The HTTP status of the answer.</summary>
    public int Status { get; init; }

    /// <summary>The answer's body as sent.</summary>
    public string Body { get; init; } = "";
}
