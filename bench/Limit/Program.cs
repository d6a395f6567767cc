using System.Net;
using System.Text;

// The machine's limit for the benchmark: a bare ASP.NET Core endpoint that answers GET /hello with
// the body the seed's function returns, on the same Kestrel settings Gatehouse uses (slim builder,
// workstation non-concurrent GC, no server header). It doubles as the backend of the HTTP_PROXY
// route, so "gateway overhead alone" is measured against the same process.
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

await app.StartAsync();
Console.WriteLine("ready on " + app.Urls.First());
await app.WaitForShutdownAsync();
