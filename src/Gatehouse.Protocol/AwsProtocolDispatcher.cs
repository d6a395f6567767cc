using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Core.Security;
using Gatehouse.Protocol.Model;
using Gatehouse.Protocol.Serialization;
using Gatehouse.Protocol.Serialization.Query;
using Gatehouse.Protocol.Signing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol;

/// <summary>
/// The one place that speaks AWS's wire protocols: finds the service and operation of a request,
/// reads and validates its input against the model, calls the service's handler, and writes the
/// result or the error as that protocol does. Every operation of every model answers: with its
/// handler, or with an AWS-shaped "not implemented" error that names it.
/// </summary>
public sealed partial class AwsProtocolDispatcher
{
    /// <summary>The models Gatehouse serves, whether or not a service implements them yet.</summary>
    public static readonly string[] ModelNames = ["cognito-idp", "apigatewayv2", "lambda", "logs", "s3", "sts", "ssm", "iam", "cloudformation"];

    private readonly Dictionary<string, AwsServiceDefinition> _definitions;
    private readonly ConcurrentDictionary<string, Lazy<ServiceEntry>> _entries = new(StringComparer.Ordinal);
    private readonly GatehouseOptions _options;
    private readonly ISignatureVerifier _verifier;
    private readonly ServedHosts _hosts;
    private readonly ILogger _logger;

    public AwsProtocolDispatcher(IEnumerable<AwsServiceDefinition> definitions, GatehouseOptions options, ISignatureVerifier verifier, ServedHosts hosts, ILogger<AwsProtocolDispatcher> logger)
    {
        _definitions = definitions.ToDictionary(d => d.ModelName, StringComparer.Ordinal);
        _options = options;
        _verifier = verifier;
        _hosts = hosts;
        _logger = logger;
        foreach (var name in ModelNames)
            _entries[name] = new Lazy<ServiceEntry>(() => CreateEntry(name));
    }

    private ServiceEntry CreateEntry(string name)
    {
        var model = ServiceModel.LoadEmbedded(name);
        var definition = _definitions.GetValueOrDefault(name) ?? DefaultDefinition(name);
        return model.Protocol switch
        {
            WireProtocol.RestJson1 => new ServiceEntry(model, definition, new RestRouter(model)),
            // restXml: the namespace its payloads declare is the one its answers are written in.
            WireProtocol.RestXml => new ServiceEntry(model, definition, new RestRouter(model, routeByRequiredMembers: true))
            {
                XmlNamespace = model.Shapes.Values.SelectMany(s => s.Members).Select(m => m.XmlNamespace).FirstOrDefault(n => n is not null),
            },
            _ => new ServiceEntry(model, definition, null),
        };
    }

    private static AwsServiceDefinition DefaultDefinition(string name) => name switch
    {
        "cognito-idp" => new AwsServiceDefinition(name) { ValidationErrorCode = "InvalidParameterException", InternalErrorCode = "InternalErrorException" },
        "lambda" => new AwsServiceDefinition(name) { ValidationErrorCode = "ValidationException", SerializationErrorCode = "InvalidRequestContentException", InternalErrorCode = "ServiceException", ErrorBodyHasType = true },
        "apigatewayv2" => new AwsServiceDefinition(name) { ValidationErrorCode = "BadRequestException", SerializationErrorCode = "BadRequestException" },
        "logs" => new AwsServiceDefinition(name) { ValidationErrorCode = "InvalidParameterException", InternalErrorCode = "ServiceUnavailableException" },
        "sts" or "iam" or "cloudformation" => QueryDefinition(name),
        _ => new AwsServiceDefinition(name),
    };

    /// <summary>
    /// The error names of AWS's query services (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html):
    /// a value the model refuses or cannot be read is a <c>ValidationError</c>.
    /// </summary>
    public static AwsServiceDefinition QueryDefinition(string name) =>
        new(name) { ValidationErrorCode = "ValidationError", SerializationErrorCode = "ValidationError", InternalErrorCode = "InternalFailure" };

    /// <summary>Loads every model now (call after the server is ready, to keep start-up short).</summary>
    public void Warm()
    {
        foreach (var entry in _entries.Values)
            _ = entry.Value;
    }

    /// <summary>Operations per model and how many have handlers (for the health endpoint and docs).</summary>
    public IEnumerable<(string Model, int Operations, int Implemented)> Coverage() =>
        _entries.Values.Select(e => e.Value).Select(e =>
            (e.Model.Name, e.Model.Operations.Count, e.Model.Operations.Keys.Count(e.Definition.Handlers.ContainsKey)));

    public ServiceModel Model(string name) => _entries[name].Value.Model;

    /// <summary>The handler a service registered for the operation, or null (for the coverage table).</summary>
    public AwsOperationHandler? Handler(string model, string operation) =>
        _entries.TryGetValue(model, out var entry) ? entry.Value.Definition.Handlers.GetValueOrDefault(operation) : null;

    /// <summary>Whether a service registered a handler for the operation.</summary>
    public bool IsImplemented(string model, string operation) =>
        _entries.TryGetValue(model, out var entry) && entry.Value.Definition.Handlers.ContainsKey(operation);

    /// <summary>
    /// Runs one operation in process (see <see cref="IAwsCaller"/>): the input is validated against
    /// the model as a request's would be, then the service's handler answers it.
    /// </summary>
    internal async ValueTask<JsonObject> CallAsync(string model, string operation, JsonObject input, AwsRequestContext context, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(model, out var lazy))
            throw new ArgumentException($"No model named {model}.", nameof(model));
        var entry = lazy.Value;
        var shape = entry.Model.Operations.GetValueOrDefault(operation)
            ?? throw new ArgumentException($"{model} has no operation {operation}.", nameof(operation));
        if (!entry.Definition.Handlers.TryGetValue(operation, out var handler))
            throw new AwsException("NotImplementedException", $"Gatehouse does not implement {entry.Model.ServiceId} operation {operation} yet.", 501);
        // As parsed from the wire (values read as JSON elements, never as the CLR types a caller
        // built them from), and a copy the handler may keep.
        input = JsonNode.Parse(input.ToJsonString())!.AsObject();
        if (shape.Input is not null && InputValidator.Validate(input, shape.Input) is { } problem)
            throw new AwsException(entry.Definition.ValidationErrorCode, problem, 400);
        var http = new DefaultHttpContext { RequestAborted = cancellationToken };
        http.Request.Host = new HostString(new Uri(_options.EffectivePublicUrl).Authority);
        var response = await handler(new AwsRequest(context, operation, input, ReadOnlyMemory<byte>.Empty, http), cancellationToken).ConfigureAwait(false);
        return JsonNode.Parse(response.Output.ToJsonString())!.AsObject();
    }

    /// <summary>Handles an HTTP request as an AWS API call.</summary>
    public async Task HandleAsync(HttpContext http)
    {
        var requestId = AwsIds.NewRequestId();
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        ServiceEntry? entry = null;
        string operationName = "";
        try
        {
            if (HttpMethods.IsOptions(http.Request.Method) && http.Request.Headers.ContainsKey("Access-Control-Request-Method"))
            {
                AnswerPreflight(http);
                return;
            }
            var authorization = SigV4Authorization.Parse(http.Request.Headers.Authorization) ?? SigV4Authorization.ParseQuery(http.Request.Query);
            entry = Classify(http, authorization);
            if (entry is null)
            {
                await WriteUnroutableAsync(http).ConfigureAwait(false);
                return;
            }
            ReadOnlyMemory<byte>? queryBody = null;
            Dictionary<string, string>? form = null;
            OperationModel operation;
            if (entry.Model.Protocol == WireProtocol.AwsQuery)
            {
                // The operation is named in the form body: read it first.
                queryBody = await AwsRequestReader.ReadBodyAsync(http, entry.Definition).ConfigureAwait(false);
                form = QueryInputReader.ParseForm(http, queryBody.Value, entry.Definition.SerializationErrorCode);
                operation = QueryInputReader.FindOperation(form, entry.Model);
            }
            else
            {
                operation = FindOperation(http, entry);
            }
            operationName = operation.Name;
            var origin = http.Request.Headers.Origin.ToString();
            if (operation.Unsigned)
            {
                // Called straight from single-page apps on any origin, as Cognito allows.
                // When the response starts: error responses are written on a cleared response.
                if (origin.Length > 0)
                    http.Response.OnStarting(static state => { AllowOrigin(((HttpResponse)state).Headers); return Task.CompletedTask; }, http.Response);
            }
            else
            {
                // Every other operation needs a signature, which a web page cannot add to a
                // cross-site request without a preflight — and pages on foreign origins are refused.
                if (authorization is null)
                    throw MissingAuthenticationToken();
                if (!_hosts.IsServedOrigin(origin))
                    throw ForeignOrigin(origin);
            }
            Stream? stream = null;
            long? streamLength = null;
            ReadOnlyMemory<byte> body;
            if (queryBody is { } formBody)
            {
                body = formBody;
            }
            else if (entry.Model.Protocol == WireProtocol.RestXml && HasStreamingInput(operation))
            {
                (stream, streamLength) = OpenStreamingBody(http);
                body = ReadOnlyMemory<byte>.Empty;
            }
            else
            {
                body = await AwsRequestReader.ReadBodyAsync(http, entry.Definition).ConfigureAwait(false);
            }
            if (authorization is not null)
                await _verifier.VerifyAsync(http, authorization, body).ConfigureAwait(false);
            if (!entry.Definition.Handlers.TryGetValue(operation.Name, out var handler))
            {
                throw new AwsException("NotImplementedException",
                    $"Gatehouse does not implement {entry.Model.ServiceId} operation {operation.Name} yet.", 501);
            }

            JsonObject input;
            ReadOnlyMemory<byte> payload;
            try
            {
                (input, payload) = entry.Model.Protocol switch
                {
                    WireProtocol.AwsQuery => (operation.Input is { } inputShape
                        ? QueryInputReader.Read(form!, inputShape, entry.Definition.SerializationErrorCode)
                        : new JsonObject(), ReadOnlyMemory<byte>.Empty),
                    WireProtocol.RestXml => ReadRestXmlInput(http, operation, body, entry.Definition.SerializationErrorCode),
                    _ => AwsRequestReader.ReadInput(http, operation, body, entry.Definition.SerializationErrorCode, httpBindings: entry.Router is not null),
                };
            }
            catch (InvalidOperationException)
            {
                // System.Text.Json refuses, only when a string is read, bytes that are not UTF-8
                // and escapes that leave a lone surrogate: the body is not JSON text (RFC 8259 §8.1).
                throw new AwsException(entry.Definition.SerializationErrorCode, "The request body is not valid UTF-8 JSON text.", 400);
            }
            if (operation.Input is not null && InputValidator.Validate(input, operation.Input) is { } problem)
                throw new AwsException(entry.Definition.ValidationErrorCode, problem, 400);

            var region = authorization?.Region ?? _options.Region;
            var context = new AwsRequestContext(_options.Account, region, requestId) { AccessKeyId = authorization?.AccessKeyId };
            var response = await handler(new AwsRequest(context, operation.Name, input, payload, http) { Body = stream, BodyLength = streamLength }, http.RequestAborted).ConfigureAwait(false);
            await WriteResponseAsync(http, entry, operation, response).ConfigureAwait(false);
        }
        catch (AwsException error)
        {
            await WriteErrorAsync(http, entry, error).ConfigureAwait(false);
        }
        catch (StoreUnavailableException unavailable)
        {
            // The disk is full or read-only; nothing was written. 503 ServiceUnavailable is the
            // common error of every AWS API for a temporary server-side failure
            // (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/CommonErrors.html,
            // https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html); none of the three models
            // declares a shape of its own for it, so the SDKs raise their generic service error with this code.
            LogStoreUnavailable(_logger, entry?.Model.Name ?? "?", operationName, requestId, StoreUnavailableException.NameOf(unavailable.Condition));
            await WriteErrorAsync(http, entry, new AwsException(ServiceUnavailableCode, unavailable.Message, StatusCodes.Status503ServiceUnavailable)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception unexpected)
        {
            LogUnexpected(_logger, entry?.Model.Name ?? "?", operationName, requestId, unexpected);
            var code = entry?.Definition.InternalErrorCode ?? "InternalFailure";
            await WriteErrorAsync(http, entry, new AwsException(code, "An internal error occurred. The request id names it in the server log.", 500)).ConfigureAwait(false);
        }
    }

    /// <summary>The error code of a write the store could not take (disk full or read-only).</summary>
    public const string ServiceUnavailableCode = "ServiceUnavailableException";

    private static AwsException MissingAuthenticationToken() =>
        new("MissingAuthenticationTokenException", "Missing Authentication Token", 403);

    private static AwsException ForeignOrigin(string origin) =>
        new("AccessDeniedException", $"Gatehouse refuses signed operations from web pages on other origins ({Truncate(origin)}).", 403);

    private static void AllowOrigin(IHeaderDictionary headers)
    {
        headers.AccessControlAllowOrigin = "*";
        headers.AccessControlExposeHeaders = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date";
    }

    /// <summary>
    /// A CORS preflight. On <c>/</c> (the awsJson services, whose operation is named only in a header
    /// the preflight does not carry) every origin is allowed, as Cognito does, because browsers call
    /// its unsigned sign-in operations; the actual request of a signed operation from a foreign page
    /// is refused. On a REST path (Lambda, API Gateway) only pages Gatehouse serves are allowed.
    /// </summary>
    private void AnswerPreflight(HttpContext http)
    {
        var origin = http.Request.Headers.Origin.ToString();
        var path = RawPath(http);
        if (path != "/" && !_hosts.IsServedOrigin(origin))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        var headers = http.Response.Headers;
        AllowOrigin(headers);
        headers.AccessControlAllowMethods = path == "/" ? "POST, OPTIONS" : "GET, POST, PUT, PATCH, DELETE, OPTIONS";
        var requested = http.Request.Headers.AccessControlRequestHeaders.ToString();
        if (requested.Length > 0)
            headers.AccessControlAllowHeaders = requested;
        headers.AccessControlMaxAge = "86400";
        http.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>True when the request looks like an AWS API call (used by the server's top-level routing).</summary>
    public bool IsAwsRequest(HttpRequest request) =>
        request.Headers.ContainsKey("X-Amz-Target")
        || request.Headers.Authorization.ToString().StartsWith(SigV4Authorization.Algorithm, StringComparison.Ordinal)
        || RestEntries().Any(e => e.Router!.PathBelongs(RawPath(request.HttpContext)));

    private IEnumerable<ServiceEntry> RestEntries() =>
        _entries.Values.Select(e => e.Value).Where(e => e.Router is not null);

    private ServiceEntry? Classify(HttpContext http, SigV4Authorization? authorization)
    {
        var target = http.Request.Headers["X-Amz-Target"].ToString();
        if (target.Length > 0)
        {
            var dot = target.IndexOf('.', StringComparison.Ordinal);
            var prefix = dot < 0 ? target : target[..dot];
            foreach (var lazy in _entries.Values)
            {
                if (lazy.Value.Model.TargetPrefix == prefix)
                    return lazy.Value;
            }
            throw new AwsException("UnknownOperationException", $"No service answers the target '{Truncate(target)}'.", 400);
        }
        var path = RawPath(http);
        if (authorization is not null)
        {
            var signed = _entries.Values.Select(e => e.Value).Where(e => e.Model.SigningName == authorization.Service).ToList();
            if (signed.Count == 0)
                throw new AwsException("UnrecognizedClientException", $"The service '{Truncate(authorization.Service)}' in the credential scope is not served here.", 400);
            var rest = signed.FirstOrDefault(e => e.Router is not null && e.Router.PathBelongs(path));
            if (rest is not null)
                return rest;
            var json = signed.FirstOrDefault(e => e.Model.Protocol == WireProtocol.AwsJson11);
            if (json is not null)
                throw new AwsException("UnknownOperationException", "The request has no X-Amz-Target header naming the operation.", 400);
            return signed[0];
        }
        return RestEntries().FirstOrDefault(e => e.Router!.PathBelongs(path)) ?? RestXmlEntryForHost(http);
    }

    private static OperationModel FindOperation(HttpContext http, ServiceEntry entry)
    {
        if (entry.Router is null)
        {
            if (!HttpMethods.IsPost(http.Request.Method))
                throw new AwsException("UnknownOperationException", "AWS JSON services are called with POST /.", 400);
            var target = http.Request.Headers["X-Amz-Target"].ToString();
            var name = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
            return entry.Model.Operations.GetValueOrDefault(name)
                ?? throw new AwsException("UnknownOperationException", $"Unknown operation {Truncate(name)}.", 400);
        }
        var query = http.Request.Query;
        string? Query(string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;
        Dictionary<string, string> labels;
        var operation = entry.Model.Protocol switch
        {
            WireProtocol.RestXml => entry.Router.Match(http.Request.Method, RestXmlPath(http), Query, http.Request.Headers.ContainsKey, out labels),
            _ => entry.Router.Match(http.Request.Method, RawPath(http), Query, out labels),
        };
        if (operation is null)
            throw new AwsException("UnknownOperationException", $"No {entry.Model.ServiceId} operation answers {http.Request.Method} {Truncate(http.Request.Path.Value ?? "/")}.", 404);
        http.Items[AwsRequestReader.LabelsKey] = labels;
        return operation;
    }

    private static Task WriteResponseAsync(HttpContext http, ServiceEntry entry, OperationModel operation, AwsResponse response) =>
        entry.Model.Protocol switch
        {
            WireProtocol.AwsQuery => WriteQueryResponseAsync(http, entry, operation, response),
            WireProtocol.RestXml => WriteRestXmlResponseAsync(http, entry, operation, response),
            _ => WriteJsonResponseAsync(http, entry, operation, response),
        };

    /// <summary>Writes an AWS error in the protocol of <paramref name="entry"/> (awsJson when unknown).</summary>
    private static Task WriteErrorAsync(HttpContext http, ServiceEntry? entry, AwsException error)
    {
        if (http.Response.HasStarted)
            return Task.CompletedTask;
        var errorShape = entry?.Model.ErrorShape(error.Code);
        var status = error.StatusCode ?? errorShape?.ErrorStatus ?? (errorShape?.IsFault == true ? 500 : 400);
        var requestId = http.Response.Headers["x-amzn-RequestId"].ToString();
        http.Response.Clear();
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        http.Response.StatusCode = status;
        http.Response.Headers["x-amzn-ErrorType"] = error.Code;
        if (error.Headers is not null)
        {
            foreach (var (name, value) in error.Headers)
                http.Response.Headers[name] = value;
        }
        return entry?.Model.Protocol switch
        {
            WireProtocol.AwsQuery => WriteQueryErrorAsync(http, entry, error, errorShape, status, requestId),
            WireProtocol.RestXml => WriteRestXmlErrorAsync(http, error, status),
            _ => WriteJsonErrorAsync(http, entry, error, errorShape, status),
        };
    }

    /// <summary>
    /// Puts the output members bound to the HTTP message (restJson and restXml) in its headers;
    /// returns the status, which a <c>statusCode</c> member may set.
    /// </summary>
    private static int WriteHttpBindings(HttpResponse httpResponse, Shape shape, JsonObject output, int status)
    {
        foreach (var member in shape.Members)
        {
            if (member.Location is null || !output.TryGetPropertyValue(member.Name, out var value) || value is null)
                continue;
            switch (member.Location)
            {
                case "statusCode":
                    status = value.GetValue<int>();
                    break;
                case "header":
                    httpResponse.Headers[member.WireName] = OutputWriter.ToText(value, member.Shape);
                    break;
                case "headers" when value is JsonObject map:
                    foreach (var (key, item) in map)
                        httpResponse.Headers[member.WireName + key] = item?.ToString();
                    break;
            }
        }
        return status;
    }

    private static Task WriteUnroutableAsync(HttpContext http) =>
        WriteErrorAsync(http, null, new AwsException("UnknownOperationException",
            $"No AWS service of Gatehouse answers {http.Request.Method} {Truncate(http.Request.Path.Value ?? "/")}.", 404));

    /// <summary>The path as it came on the wire, still percent-encoded.</summary>
    public static string RawPath(HttpContext http)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? http.Request.Path.Value ?? "/";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }

    private static string Truncate(string text) => text.Length > 128 ? text[..128] + "…" : text;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Unexpected failure in {Service} {Operation} (request {RequestId})")]
    private static partial void LogUnexpected(ILogger logger, string service, string operation, string requestId, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "{Service} {Operation} (request {RequestId}) not saved: the store is {Condition}")]
    private static partial void LogStoreUnavailable(ILogger logger, string service, string operation, string requestId, string condition);

    private sealed record ServiceEntry(ServiceModel Model, AwsServiceDefinition Definition, RestRouter? Router)
    {
        /// <summary>restXml: the namespace of the service's XML documents.</summary>
        public string? XmlNamespace { get; init; }
    }
}
