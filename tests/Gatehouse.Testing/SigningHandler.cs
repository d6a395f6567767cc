using Gatehouse.Core.Security;

namespace Gatehouse.Testing;

/// <summary>
/// Signs AWS API calls the way the SDKs do (SigV4 with a test key) before they leave a test's
/// HttpClient: calls that name an operation in <c>X-Amz-Target</c> or use a REST API path
/// (Lambda's dated paths, API Gateway's <c>/v2/</c>). Requests that carry their own
/// <c>Authorization</c> (Bearer tokens, client secrets, deliberately unsigned calls marked with
/// <see cref="Unsigned"/>) and the server's other endpoints pass untouched.
/// </summary>
public sealed class SigningHandler : DelegatingHandler
{
    /// <summary>Put on a request (as an option) to send it without a signature.</summary>
    public static readonly HttpRequestOptionsKey<bool> Unsigned = new("gatehouse-unsigned");

    public SigningHandler(HttpMessageHandler inner) : base(inner)
    {
    }

    public SigningHandler() : this(new HttpClientHandler())
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (ServiceOf(request) is { } service && !request.Headers.Contains("Authorization")
            && !(request.Options.TryGetValue(Unsigned, out var unsigned) && unsigned))
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            SigV4Signer.Sign(request, body, "AKIDGATEHOUSETEST", "gatehouse-test-secret", "us-east-1", service, DateTimeOffset.UtcNow);
        }
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static string? ServiceOf(HttpRequestMessage request)
    {
        if (request.Headers.TryGetValues("X-Amz-Target", out var targets))
            return targets.First().StartsWith("Logs_", StringComparison.Ordinal) ? "logs" : "cognito-idp";
        var path = request.RequestUri!.AbsolutePath;
        if (path.StartsWith("/20", StringComparison.Ordinal))
            return "lambda";
        if (path.StartsWith("/v2/", StringComparison.Ordinal))
            return "apigateway";
        return null;
    }
}
