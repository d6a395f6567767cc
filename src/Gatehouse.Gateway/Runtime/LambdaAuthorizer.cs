using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Gatehouse.Core;

namespace Gatehouse.Gateway.Runtime;

/// <summary>A Lambda authorizer's decision, as cached by identity.</summary>
internal sealed record LambdaDecision(bool Allowed, byte[]? Context, DateTimeOffset ExpiresAt);

/// <summary>Decisions of one authorizer on one stage, by identity-source values, until their TTL ends.</summary>
internal sealed class LambdaAuthorizerCache
{
    private readonly ConcurrentDictionary<string, LambdaDecision> _decisions = new(StringComparer.Ordinal);

    public bool TryGet(string key, DateTimeOffset now, out LambdaDecision? decision)
    {
        if (_decisions.TryGetValue(key, out decision) && decision.ExpiresAt > now)
            return true;
        decision = null;
        return false;
    }

    public void Set(string key, LambdaDecision decision)
    {
        if (_decisions.Count >= 10_000)
            _decisions.Clear();
        _decisions[key] = decision;
    }

    public void Clear() => _decisions.Clear();
}

internal enum LambdaAuthorizerOutcome
{
    Allowed,
    Unauthorized,
    Forbidden,
    Failed,
}

/// <summary>
/// Runs a REQUEST (Lambda) authorizer: identity sources must all be present (else 401, without
/// invoking), the function gets the 2.0 or 1.0 authorizer event, and its answer — a simple response
/// <c>{"isAuthorized":..,"context":{..}}</c> or an IAM policy — allows (context reaches the
/// integration), denies (403) or is unusable (500). Decisions are cached by identity for the TTL.
/// </summary>
internal static class LambdaAuthorizer
{
    public static async Task<LambdaAuthorizerOutcome> AuthorizeAsync(
        GatewayRequest request, LambdaAuthorizerRuntime authorizer, IFunctionInvoker? invoker, TimeProvider time, CancellationToken cancellationToken)
    {
        var values = new string[authorizer.Sources.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var value = authorizer.Sources[i].Read(request);
            if (string.IsNullOrEmpty(value))
            {
                request.AuthorizerError = "Identity source missing";
                return LambdaAuthorizerOutcome.Unauthorized;
            }
            values[i] = value;
        }
        var now = time.GetUtcNow();
        var cacheKey = authorizer.TtlSeconds > 0 ? string.Join('\n', values) : null;
        if (cacheKey is not null && authorizer.Cache.TryGet(cacheKey, now, out var cached))
            return Apply(request, cached!);
        if (invoker is null)
        {
            request.AuthorizerError = "The functions service is not available.";
            return LambdaAuthorizerOutcome.Failed;
        }

        var stage = request.Stage!;
        var route = request.Match!.Value.Route;
        var routePath = route.Key.IsDefault ? "$default" : route.Key.Path.TrimStart('/');
        var method = route.Key.IsDefault ? "$default" : route.Key.Method;
        var arn = $"arn:aws:execute-api:{request.Api.Region}:{request.Api.Account}:{request.Api.ApiId}/{stage.Name}/{method}/{routePath}";
        var buffer = new ArrayBufferWriter<byte>(2048);
        var v2 = authorizer.PayloadFormatVersion == "2.0";
        if (v2)
            EventBuilder.WriteAuthorizerV2(request, arn, values, buffer);
        else
            EventBuilder.WriteAuthorizerV1(request, arn, values, request.Http.Request.Headers.Authorization.ToString() is { Length: > 0 } token ? token : null, buffer);

        FunctionInvocationResult result;
        try
        {
            result = await invoker.InvokeAsync(new FunctionInvocation(request.Api.Account, authorizer.Function.Region, authorizer.Function.FunctionArn, null, buffer.WrittenMemory), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            request.AuthorizerError = "The authorizer function could not be invoked.";
            return LambdaAuthorizerOutcome.Failed;
        }
        if (result.Status != FunctionInvocationStatus.Success)
        {
            request.AuthorizerError = "The authorizer function failed: " + result.Status;
            return LambdaAuthorizerOutcome.Failed;
        }
        var decision = Read(result.Payload, authorizer.SimpleResponses && v2, now.AddSeconds(authorizer.TtlSeconds));
        if (decision is null)
        {
            request.AuthorizerError = "The authorizer returned an invalid response.";
            return LambdaAuthorizerOutcome.Failed;
        }
        if (cacheKey is not null)
            authorizer.Cache.Set(cacheKey, decision);
        return Apply(request, decision);
    }

    private static LambdaAuthorizerOutcome Apply(GatewayRequest request, LambdaDecision decision)
    {
        if (!decision.Allowed)
        {
            request.AuthorizerError = "Forbidden";
            return LambdaAuthorizerOutcome.Forbidden;
        }
        request.LambdaContext = decision.Context ?? "{}"u8.ToArray();
        return LambdaAuthorizerOutcome.Allowed;
    }

    /// <summary>Reads a simple response or an IAM policy; null when the answer fits neither.</summary>
    internal static LambdaDecision? Read(ReadOnlyMemory<byte> payload, bool simple, DateTimeOffset expiresAt)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return null;
            byte[]? context = null;
            if (root.TryGetProperty("context", out var contextElement) && contextElement.ValueKind == JsonValueKind.Object)
                context = System.Text.Encoding.UTF8.GetBytes(contextElement.GetRawText());
            if (simple)
            {
                if (!root.TryGetProperty("isAuthorized", out var authorized) || authorized.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    return null;
                return new LambdaDecision(authorized.GetBoolean(), context, expiresAt);
            }
            if (!root.TryGetProperty("policyDocument", out var policy) || policy.ValueKind != JsonValueKind.Object
                || !policy.TryGetProperty("Statement", out var statements) || statements.ValueKind != JsonValueKind.Array)
                return null;
            var allowed = false;
            foreach (var statement in statements.EnumerateArray())
            {
                var effect = statement.TryGetProperty("Effect", out var e) ? e.GetString() : null;
                if (effect == "Deny")
                    return new LambdaDecision(false, context, expiresAt);
                if (effect == "Allow")
                    allowed = true;
            }
            return new LambdaDecision(allowed, context, expiresAt);
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
