using System.Security.Cryptography;
using System.Text;
using Gatehouse.Core;

namespace Gatehouse.Gateway.Tests.Support;

/// <summary>A function runner that records what it was asked and answers what the test says.</summary>
internal sealed class FakeFunctionInvoker : IFunctionInvoker
{
    public List<FunctionInvocation> Calls { get; } = [];

    public Func<FunctionInvocation, CancellationToken, Task<FunctionInvocationResult>> Handler { get; set; } =
        (_, _) => Task.FromResult(Ok("""{"statusCode":200,"body":"\"Hello from Lambda!\""}"""));

    public string LastEvent => Encoding.UTF8.GetString(Calls[^1].Payload.Span);

    public async ValueTask<FunctionInvocationResult> InvokeAsync(FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        lock (Calls)
            Calls.Add(invocation);
        return await Handler(invocation, cancellationToken).ConfigureAwait(false);
    }

    public static FunctionInvocationResult Ok(string json) => new(FunctionInvocationStatus.Success, Encoding.UTF8.GetBytes(json));
}

/// <summary>Local user pools as the identity service would expose them.</summary>
internal sealed class FakeIssuerDirectory : ILocalIssuerDirectory
{
    private readonly Dictionary<string, Dictionary<string, RSA>> _issuers = new(StringComparer.Ordinal);

    public int Lookups { get; private set; }

    public void Add(TestIssuer issuer)
    {
        if (!_issuers.TryGetValue(issuer.Issuer, out var keys))
            _issuers[issuer.Issuer] = keys = new Dictionary<string, RSA>(StringComparer.Ordinal);
        keys[issuer.KeyId] = issuer.PublicKey();
    }

    public bool TryGetSigningKey(string issuer, string keyId, out RSA? key, out bool isLocal)
    {
        Lookups++;
        key = null;
        isLocal = _issuers.TryGetValue(issuer, out var keys);
        return isLocal && keys!.TryGetValue(keyId, out key);
    }
}
