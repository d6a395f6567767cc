using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Gatehouse.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Gateway.Runtime;

internal static class EventJson
{
    // Events are read by functions, never embedded in HTML (Json.Relaxed). The event writers' structure
    // is fixed and tested; skipping the writer's checks saves time per request.
    public static readonly JsonWriterOptions EventWriterOptions = Json.Relaxed with { SkipValidation = true };
}

/// <summary>
/// Writes the Lambda proxy integration event (payload format 2.0 or 1.0) for a request, field by
/// field as API Gateway does: lower-cased, comma-joined headers, cookies split out (2.0), decoded
/// query parameters, path parameters, stage variables, the body (base64 unless textual), and the
/// request context with the authorizer's output.
/// </summary>
internal static class EventBuilder
{
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public static void WriteV2(GatewayRequest request, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, EventJson.EventWriterOptions);
        writer.WriteStartObject();
        WriteV2Body(writer, request, authorizerEvent: null);
        writer.WriteEndObject();
    }

    /// <summary>The 2.0 authorizer event: the request event plus type, routeArn and identitySource, without body.</summary>
    public static void WriteAuthorizerV2(GatewayRequest request, string routeArn, string[] identitySource, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, EventJson.EventWriterOptions);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "REQUEST"u8);
        writer.WriteString("routeArn"u8, routeArn);
        writer.WriteStartArray("identitySource"u8);
        foreach (var value in identitySource)
            writer.WriteStringValue(value);
        writer.WriteEndArray();
        WriteV2Body(writer, request, authorizerEvent: true);
        writer.WriteEndObject();
    }

    private static void WriteV2Body(Utf8JsonWriter writer, GatewayRequest request, bool? authorizerEvent)
    {
        var http = request.Http.Request;
        var stage = request.Stage!;
        var match = request.Match!.Value;
        writer.WriteString("version"u8, "2.0"u8);
        writer.WriteString("routeKey"u8, match.Route.Key.Text);
        writer.WriteString("rawPath"u8, request.RawPath);
        writer.WriteString("rawQueryString"u8, request.RawQueryString);

        var cookies = http.Headers.Cookie;
        if (cookies.Count > 0)
        {
            writer.WriteStartArray("cookies"u8);
            foreach (var header in cookies)
            {
                foreach (var cookie in (header ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    writer.WriteStringValue(cookie);
            }
            writer.WriteEndArray();
        }

        writer.WriteStartObject("headers"u8);
        foreach (var (name, values) in http.Headers)
        {
            if (name.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
                continue;
            writer.WriteString(LowerName(name), values.ToString());
        }
        WriteForwardedHeaders(writer, request);
        writer.WriteEndObject();

        if (http.Query.Count > 0)
        {
            writer.WriteStartObject("queryStringParameters"u8);
            foreach (var (name, values) in http.Query)
                writer.WriteString(name, values.ToString());
            writer.WriteEndObject();
        }
        WritePathParameters(writer, match, nullWhenEmpty: false);
        WriteStageVariables(writer, stage, nullWhenEmpty: false);

        writer.WriteStartObject("requestContext"u8);
        writer.WriteString("accountId"u8, request.Api.Account);
        writer.WriteString("apiId"u8, request.Api.ApiId);
        if (request.Jwt is { } jwt)
        {
            writer.WriteStartObject("authorizer"u8);
            writer.WriteStartObject("jwt"u8);
            writer.WritePropertyName("claims"u8);
            writer.WriteRawValue(jwt.ClaimsJson, skipInputValidation: true);
            WriteScopes(writer, match.Route, jwt);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        else if (request.LambdaContext is { } context)
        {
            writer.WriteStartObject("authorizer"u8);
            writer.WritePropertyName("lambda"u8);
            writer.WriteRawValue(context, skipInputValidation: true);
            writer.WriteEndObject();
        }
        writer.WriteString("domainName"u8, request.DomainName);
        writer.WriteString("domainPrefix"u8, DomainPrefix(request.DomainName));
        writer.WriteStartObject("http"u8);
        writer.WriteString("method"u8, http.Method);
        writer.WriteString("path"u8, request.RawPath);
        writer.WriteString("protocol"u8, request.Protocol);
        writer.WriteString("sourceIp"u8, request.SourceIp);
        writer.WriteString("userAgent"u8, http.Headers.UserAgent.ToString());
        writer.WriteEndObject();
        writer.WriteString("requestId"u8, request.RequestId);
        writer.WriteString("routeKey"u8, match.Route.Key.Text);
        writer.WriteString("stage"u8, stage.Name);
        writer.WriteString("time"u8, FormatTime(request.Time));
        writer.WriteNumber("timeEpoch"u8, request.Time.ToUnixTimeMilliseconds());
        writer.WriteEndObject();

        if (authorizerEvent is null)
        {
            var isBase64 = WriteBody(writer, request, nullWhenEmpty: false);
            writer.WriteBoolean("isBase64Encoded"u8, isBase64);
        }
    }

    public static void WriteV1(GatewayRequest request, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, EventJson.EventWriterOptions);
        writer.WriteStartObject();
        WriteV1Body(writer, request, authorizer: null);
        writer.WriteEndObject();
    }

    /// <summary>The 1.0 authorizer event: type, methodArn, identitySource and authorizationToken plus the 1.0 request fields.</summary>
    public static void WriteAuthorizerV1(GatewayRequest request, string methodArn, string[] identitySource, string? authorizationToken, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, EventJson.EventWriterOptions);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "REQUEST"u8);
        writer.WriteString("methodArn"u8, methodArn);
        writer.WriteString("identitySource"u8, string.Join(',', identitySource));
        if (authorizationToken is null) writer.WriteNull("authorizationToken"u8);
        else writer.WriteString("authorizationToken"u8, authorizationToken);
        WriteV1Body(writer, request, authorizer: true);
        writer.WriteEndObject();
    }

    private static void WriteV1Body(Utf8JsonWriter writer, GatewayRequest request, bool? authorizer)
    {
        var http = request.Http.Request;
        var stage = request.Stage!;
        var match = request.Match!.Value;
        var resource = match.Route.Key.IsDefault ? "$default" : match.Route.Key.Path;
        writer.WriteString("version"u8, "1.0"u8);
        writer.WriteString("resource"u8, resource);
        writer.WriteString("path"u8, request.RawPath);
        writer.WriteString("httpMethod"u8, http.Method);

        writer.WriteStartObject("headers"u8);
        foreach (var (name, values) in http.Headers)
            writer.WriteString(LowerName(name), values.Count > 1 ? values[^1] : values.ToString());
        WriteForwardedHeaders(writer, request);
        writer.WriteEndObject();
        writer.WriteStartObject("multiValueHeaders"u8);
        foreach (var (name, values) in http.Headers)
            WriteArray(writer, LowerName(name), values);
        WriteForwardedHeaders(writer, request, asArrays: true);
        writer.WriteEndObject();

        if (http.Query.Count > 0)
        {
            writer.WriteStartObject("queryStringParameters"u8);
            foreach (var (name, values) in http.Query)
                writer.WriteString(name, values.Count > 1 ? values[^1] : values.ToString());
            writer.WriteEndObject();
            writer.WriteStartObject("multiValueQueryStringParameters"u8);
            foreach (var (name, values) in http.Query)
                WriteArray(writer, name, values);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("queryStringParameters"u8);
            writer.WriteNull("multiValueQueryStringParameters"u8);
        }

        writer.WriteStartObject("requestContext"u8);
        writer.WriteString("accountId"u8, request.Api.Account);
        writer.WriteString("apiId"u8, request.Api.ApiId);
        if (request.Jwt is { } jwt)
        {
            writer.WriteStartObject("authorizer"u8);
            writer.WritePropertyName("claims"u8);
            writer.WriteRawValue(jwt.ClaimsJson, skipInputValidation: true);
            WriteScopes(writer, match.Route, jwt);
            writer.WriteEndObject();
        }
        else if (request.LambdaContext is { } context)
        {
            // 1.0 puts the Lambda authorizer's context members directly under authorizer.
            writer.WritePropertyName("authorizer"u8);
            writer.WriteRawValue(context, skipInputValidation: true);
        }
        writer.WriteString("domainName"u8, request.DomainName);
        writer.WriteString("domainPrefix"u8, DomainPrefix(request.DomainName));
        writer.WriteString("extendedRequestId"u8, request.RequestId);
        writer.WriteString("httpMethod"u8, http.Method);
        writer.WriteStartObject("identity"u8);
        foreach (var name in IdentityNulls)
            writer.WriteNull(name);
        writer.WriteString("sourceIp"u8, request.SourceIp);
        writer.WriteNull("user"u8);
        writer.WriteString("userAgent"u8, http.Headers.UserAgent.ToString());
        writer.WriteNull("userArn"u8);
        writer.WriteEndObject();
        writer.WriteString("path"u8, request.RawPath);
        writer.WriteString("protocol"u8, request.Protocol);
        writer.WriteString("requestId"u8, request.RequestId);
        writer.WriteString("requestTime"u8, FormatTime(request.Time));
        writer.WriteNumber("requestTimeEpoch"u8, request.Time.ToUnixTimeMilliseconds());
        writer.WriteNull("resourceId"u8);
        writer.WriteString("resourcePath"u8, resource);
        writer.WriteString("stage"u8, stage.Name);
        writer.WriteEndObject();

        WritePathParameters(writer, match, nullWhenEmpty: true);
        WriteStageVariables(writer, stage, nullWhenEmpty: true);
        if (authorizer is null)
        {
            var isBase64 = WriteBody(writer, request, nullWhenEmpty: true);
            writer.WriteBoolean("isBase64Encoded"u8, isBase64);
        }
    }

    private static readonly string[] IdentityNulls =
        ["accessKey", "accountId", "caller", "cognitoAuthenticationProvider", "cognitoAuthenticationType", "cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId"];

    private static void WriteScopes(Utf8JsonWriter writer, RouteRuntime route, JwtPrincipal jwt)
    {
        // Observed: null unless the route asks for scopes; then the token's scopes.
        if (route.Scopes.Length == 0)
        {
            writer.WriteNull("scopes"u8);
            return;
        }
        writer.WriteStartArray("scopes"u8);
        foreach (var scope in jwt.Scopes)
            writer.WriteStringValue(scope);
        writer.WriteEndArray();
    }

    /// <summary>The request headers API Gateway adds on its way to the integration.</summary>
    private static void WriteForwardedHeaders(Utf8JsonWriter writer, GatewayRequest request, bool asArrays = false)
    {
        var headers = request.Http.Request.Headers;
        if (!headers.ContainsKey("X-Forwarded-For"))
            Write(writer, "x-forwarded-for"u8, request.SourceIp, asArrays);
        if (!headers.ContainsKey("X-Forwarded-Port"))
            Write(writer, "x-forwarded-port"u8, request.Http.Connection.LocalPort.ToString(CultureInfo.InvariantCulture), asArrays);
        if (!headers.ContainsKey("X-Forwarded-Proto"))
            Write(writer, "x-forwarded-proto"u8, request.Http.Request.Scheme, asArrays);

        static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string value, bool asArray)
        {
            if (!asArray)
            {
                writer.WriteString(name, value);
                return;
            }
            writer.WriteStartArray(name);
            writer.WriteStringValue(value);
            writer.WriteEndArray();
        }
    }

    private static void WritePathParameters(Utf8JsonWriter writer, RouteMatch match, bool nullWhenEmpty)
    {
        if (match.PathParameters.Length == 0)
        {
            if (nullWhenEmpty)
                writer.WriteNull("pathParameters"u8);
            return;
        }
        writer.WriteStartObject("pathParameters"u8);
        foreach (var (name, value) in match.PathParameters)
            writer.WriteString(name, value);
        writer.WriteEndObject();
    }

    private static void WriteStageVariables(Utf8JsonWriter writer, StageRuntime stage, bool nullWhenEmpty)
    {
        if (stage.Variables.Count == 0)
        {
            if (nullWhenEmpty)
                writer.WriteNull("stageVariables"u8);
            return;
        }
        writer.WriteStartObject("stageVariables"u8);
        foreach (var (name, value) in stage.Variables)
            writer.WriteString(name, value);
        writer.WriteEndObject();
    }

    /// <summary>Writes <c>body</c> (text or base64) and says whether it is base64-encoded.</summary>
    private static bool WriteBody(Utf8JsonWriter writer, GatewayRequest request, bool nullWhenEmpty)
    {
        var body = request.Body.Span;
        if (body.IsEmpty)
        {
            if (nullWhenEmpty)
                writer.WriteNull("body"u8);
            return false;
        }
        if (IsText(request.Http.Request.ContentType) && System.Text.Unicode.Utf8.IsValid(body))
        {
            writer.WriteString("body"u8, body);
            return false;
        }
        writer.WriteBase64String("body"u8, body);
        return true;
    }

    /// <summary>Content types API Gateway passes as text; everything else (even a missing type) is base64.</summary>
    public static bool IsText(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
            return false;
        var type = contentType.AsSpan();
        var semicolon = type.IndexOf(';');
        if (semicolon >= 0)
            type = type[..semicolon];
        type = type.Trim();
        return type.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/javascript", StringComparison.OrdinalIgnoreCase);
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, StringValues values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
            writer.WriteStringValue(value);
        writer.WriteEndArray();
    }

    private static string DomainPrefix(string domainName)
    {
        var dot = domainName.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? domainName : domainName[..dot];
    }

    /// <summary><c>26/Nov/2024:03:23:00 +0000</c>, with English month names whatever the culture.</summary>
    public static string FormatTime(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{utc.Day:00}/{Months[utc.Month - 1]}/{utc.Year:0000}:{utc.Hour:00}:{utc.Minute:00}:{utc.Second:00} +0000");
    }

    /// <summary>Header names as API Gateway hands them on: lower-case (without allocating when they already are).</summary>
    private static string LowerName(string name)
    {
        foreach (var c in name)
        {
            if (char.IsAsciiLetterUpper(c))
                return LowerNames.GetOrAdd(name);
        }
        return name;
    }

    private static class LowerNames
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

        public static string GetOrAdd(string name)
        {
            if (Cache.TryGetValue(name, out var lower))
                return lower;
            lower = name.ToLowerInvariant();
            // Bounded: header names are chosen by clients, so only remember a modest number.
            if (Cache.Count < 1024)
                Cache.TryAdd(name, lower);
            return lower;
        }
    }
}
