using System.Net;
using System.Text;

// The machine's limit for the benchmark: a bare ASP.NET Core endpoint that answers GET /hello with
// the body the seed's function returns, on the same Kestrel settings Gatehouse uses (slim builder,
// workstation non-concurrent GC, no server header). It doubles as the backend of the HTTP_PROXY
// route, so "gateway overhead alone" is measured against the same process. PUT/GET /s3/{key} are the
// limit of the S3 scenario: the body read whole into memory, then sent back from it.
//
// Usage: Gatehouse.Bench.Limit [--port N]   (prints "ready on http://127.0.0.1:PORT")
var port = 0;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--port")
        port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port);
});

var app = builder.Build();
// The same bytes the python function's json.dumps('Hello from Lambda!') produces.
var body = Encoding.UTF8.GetBytes("\"Hello from Lambda!\"");
app.MapGet("/hello", (HttpContext http) =>
{
    http.Response.ContentType = "application/json";
    http.Response.ContentLength = body.Length;
    return http.Response.Body.WriteAsync(body).AsTask();
});

var objects = new System.Collections.Concurrent.ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
app.MapPut("/s3/{**key}", async (HttpContext http, string key) =>
{
    using var buffer = new MemoryStream();
    await http.Request.Body.CopyToAsync(buffer);
    objects[key] = buffer.ToArray();
    http.Response.StatusCode = 200;
});
app.MapGet("/s3/{**key}", (HttpContext http, string key) =>
{
    if (!objects.TryGetValue(key, out var bytes))
    {
        http.Response.StatusCode = 404;
        return Task.CompletedTask;
    }
    http.Response.ContentType = "application/octet-stream";
    http.Response.ContentLength = bytes.Length;
    return http.Response.Body.WriteAsync(bytes).AsTask();
});

await app.StartAsync();
Console.WriteLine("ready on " + app.Urls.First());
await app.WaitForShutdownAsync();
