using System.Globalization;
using System.Text.Json;
using ScottPlot;
using ScottPlot.TickGenerators;

// Renders a benchmark run's charts with ScottPlot: for each scenario group, the throughput of every
// point (a bar per server and concurrency; points that could not run are listed with their reason)
// and the latency distribution (percentile curves on a log scale); plus start and cold-start times.
// Prints the path of each PNG it writes.
//
// Usage: Gatehouse.Bench.Charts <results.json> <output folder> <name prefix>
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Gatehouse.Bench.Charts <results.json> <output folder> <name prefix>");
    return 2;
}

using var json = JsonDocument.Parse(File.ReadAllText(args[0]));
var doc = json.RootElement;
var output = args[1];
var prefix = args[2];
var written = new List<string>();

var groups = new (string Key, string Title)[]
{
    ("signin", "Sign-ins and refreshes"),
    ("hello", "GET /hello: JWT authorizer, no authorizer, HTTP_PROXY, bare limit"),
    ("invoke", "Lambda Invoke, warm"),
};

foreach (var (key, title) in groups)
{
    var points = doc.GetProperty("points").EnumerateArray()
        .Where(p => p.GetProperty("group").GetString() == key)
        .Select(Point.From)
        .ToList();
    if (points.Count == 0)
        continue;
    written.Add(Charts.Throughput(points, $"{title}: throughput", Path.Combine(output, $"{prefix}-{key}-throughput.png")));
    // One latency chart per concurrency, so each stays readable.
    foreach (var connections in points.Where(p => p.Distribution.Length > 0).Select(p => p.Connections).Distinct())
    {
        var same = points.Where(p => p.Connections == connections).ToList();
        written.Add(Charts.Latency(same, $"{title}: latency, {connections} connection{(connections == 1 ? "" : "s")}",
            Path.Combine(output, $"{prefix}-{key}-latency-c{connections}.png")));
    }
}

if (Charts.Cold(doc, Path.Combine(output, $"{prefix}-cold-start.png")) is { } cold)
    written.Add(cold);
if (Charts.Start(doc, Path.Combine(output, $"{prefix}-start.png")) is { } start)
    written.Add(start);

foreach (var path in written)
    Console.WriteLine(path);
return 0;

/// <summary>One measured point of the results file, as the charts need it.</summary>
internal sealed record Point(string Target, string Key, int Connections, string Status, string? Reason, double Rps, double[][] Distribution)
{
    public string Label => $"{Target} · {Key} · {Connections} conn";

    public static Point From(JsonElement p)
    {
        var median = p.TryGetProperty("median", out var m) && m.ValueKind == JsonValueKind.Object ? m : (JsonElement?)null;
        var ok = p.GetProperty("status").GetString() is "ok" or "failed";
        return new Point(
            p.GetProperty("target").GetString()!,
            p.GetProperty("key").GetString()!,
            p.GetProperty("connections").GetInt32(),
            p.GetProperty("status").GetString()!,
            p.TryGetProperty("reason", out var r) ? r.GetString() : null,
            ok && median is { } md ? md.GetProperty("rps").GetDouble() : 0,
            ok && median is { } mdd
                ? mdd.GetProperty("distribution").EnumerateArray().Select(e => e.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray()
                : []);
    }
}

internal static class Charts
{
    private static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        return plot;
    }

    private static readonly string[] Servers = ["gatehouse", "limit", "serverless-offline", "moto", "cognito-local"];

    /// <summary>One color per server, the same in every chart.</summary>
    private static Color ColorOf(string target)
    {
        var index = Array.FindIndex(Servers, s => target.StartsWith(s, StringComparison.Ordinal));
        return new ScottPlot.Palettes.Category10().GetColor(index < 0 ? Servers.Length : index);
    }

    private static string Short(double v) => v >= 10_000
        ? (v / 1000).ToString("0.#", CultureInfo.InvariantCulture) + "k"
        : v.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Throughput(List<Point> points, string title, string path)
    {
        var plot = NewPlot();
        var bars = new List<Bar>();
        var labels = new List<string>();
        var positions = new List<double>();
        var top = Math.Max(1, points.Max(p => p.Rps));
        // Top to bottom in the results' order.
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var position = points.Count - 1 - i;
            positions.Add(position);
            labels.Add(p.Label);
            if (p.Status is "ok" or "failed")
            {
                bars.Add(new Bar
                {
                    Position = position,
                    Value = p.Rps,
                    FillColor = ColorOf(p.Target),
                    Label = Short(p.Rps) + " req/s" + (p.Status == "failed" ? " (errors)" : ""),
                });
            }
            else
            {
                var text = plot.Add.Text((p.Status == "cannot" ? "cannot: " : "not available: ") + Clip(p.Reason, 90), top * 0.01, position);
                text.LabelFontSize = 11;
                text.LabelFontColor = Colors.Gray;
                text.LabelAlignment = Alignment.MiddleLeft;
            }
        }
        if (bars.Count > 0)
        {
            var barPlot = plot.Add.Bars(bars);
            barPlot.Horizontal = true;
            barPlot.ValueLabelStyle.FontSize = 12;
        }
        plot.Axes.Left.TickGenerator = new NumericManual(positions.ToArray(), labels.ToArray());
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.SetLimitsX(0, top * 1.25);
        plot.Axes.SetLimitsY(-0.7, points.Count - 0.3);
        plot.Grid.YAxisStyle.MajorLineStyle.Width = 0;
        plot.Title(title);
        plot.XLabel("requests per second (median of the repetitions; higher is better)");
        plot.SavePng(path, 1200, 140 + 34 * points.Count);
        return path;
    }

    /// <summary>
    /// Latency against percentile, the percentile on a "nines" scale (50, 90, 99, 99.9 evenly spaced)
    /// and the latency on a log scale, so the median and the tail both read.
    /// </summary>
    public static string Latency(List<Point> points, string title, string path)
    {
        var plot = NewPlot();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var p in points.Where(p => p.Distribution.Length > 0))
        {
            var samples = p.Distribution.Where(d => d[0] < 100 && d[1] > 0).ToArray();
            var xs = samples.Select(d => Nines(d[0])).ToArray();
            var ys = samples.Select(d => Math.Log10(d[1])).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            // A color per line; the pattern tells Gatehouse (solid) from the limit (dotted) and peers (dashed).
            line.Color = palette.GetColor(index++);
            line.LineWidth = 2;
            line.LinePattern = p.Target.StartsWith("gatehouse", StringComparison.Ordinal) ? LinePattern.Solid
                : p.Target.StartsWith("limit", StringComparison.Ordinal) ? LinePattern.Dotted : LinePattern.Dashed;
            line.MarkerSize = 5;
            line.LegendText = $"{p.Target} · {p.Key}";
        }
        double[] ticks = [50, 90, 99, 99.9, 99.99];
        plot.Axes.Bottom.TickGenerator = new NumericManual(
            ticks.Select(Nines).ToArray(),
            ticks.Select(t => t.ToString(CultureInfo.InvariantCulture) + " %").ToArray());
        plot.Axes.Left.TickGenerator = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Math.Pow(10, y).ToString(y < 0 ? "0.###" : "#,0", CultureInfo.InvariantCulture),
        };
        plot.Grid.MinorLineColor = Colors.Black.WithOpacity(0.05);
        plot.Axes.SetLimitsX(-0.1, Nines(99.99) + 0.1);
        plot.Title(title);
        plot.XLabel("percentile of requests");
        plot.YLabel("latency (ms, log scale)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 1200, 700);
        return path;
    }

    private static double Nines(double percentile) => -Math.Log10(1 - Math.Min(percentile, 99.99) / 100);

    public static string? Cold(JsonElement doc, string path)
    {
        var rows = doc.GetProperty("cold").EnumerateArray().ToList();
        if (rows.Count == 0)
            return null;
        var plot = NewPlot();
        var bars = new List<Bar>();
        var labels = new List<string>();
        var top = Math.Max(1, rows.Where(r => r.GetProperty("status").GetString() == "ok")
            .Select(r => r.GetProperty("median").GetProperty("total_ms").GetDouble()).DefaultIfEmpty(1).Max());
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var target = r.GetProperty("target").GetString()!;
            var position = rows.Count - 1 - i;
            labels.Add($"{target} · {r.GetProperty("runtime").GetString()}");
            if (r.GetProperty("status").GetString() == "ok")
            {
                var ms = r.GetProperty("median").GetProperty("total_ms").GetDouble();
                bars.Add(new Bar { Position = position, Value = ms, FillColor = ColorOf(target), Label = ms.ToString("#,0", CultureInfo.InvariantCulture) + " ms" });
            }
            else
            {
                var text = plot.Add.Text("not available: " + Clip(r.TryGetProperty("reason", out var reason) ? reason.GetString() : null, 90), top * 0.01, position);
                text.LabelFontSize = 11;
                text.LabelFontColor = Colors.Gray;
                text.LabelAlignment = Alignment.MiddleLeft;
            }
        }
        if (bars.Count > 0)
        {
            var barPlot = plot.Add.Bars(bars);
            barPlot.Horizontal = true;
        }
        plot.Axes.Left.TickGenerator = new NumericManual(Enumerable.Range(0, rows.Count).Select(i => (double)(rows.Count - 1 - i)).ToArray(), labels.ToArray());
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.SetLimitsX(0, top * 1.3);
        plot.Axes.SetLimitsY(-0.7, rows.Count - 0.3);
        plot.Grid.YAxisStyle.MajorLineStyle.Width = 0;
        plot.Title("Cold start: create -> first response (median; lower is better)");
        plot.XLabel("milliseconds");
        plot.SavePng(path, 1000, 140 + 40 * rows.Count);
        return path;
    }

    public static string? Start(JsonElement doc, string path)
    {
        if (!doc.TryGetProperty("start", out var start) || start.ValueKind != JsonValueKind.Object)
            return null;
        var runs = start.GetProperty("runs").EnumerateArray().ToList();
        var plot = NewPlot();
        var ready = plot.Add.Bars(runs.Select((r, i) => new Bar
        {
            Position = i + 1,
            Value = r.GetProperty("ready_ms").GetDouble(),
            FillColor = ColorOf("gatehouse"),
            Label = r.GetProperty("ready_ms").GetDouble().ToString("#,0", CultureInfo.InvariantCulture) + " ms · "
                + r.GetProperty("idle_rss_mib").GetDouble().ToString("#,0", CultureInfo.InvariantCulture) + " MiB idle",
        }).ToList());
        ready.ValueLabelStyle.FontSize = 11;
        var goal = plot.Add.HorizontalLine(1000);
        goal.LinePattern = LinePattern.Dashed;
        goal.Color = Colors.Red;
        goal.LegendText = "goal: 1 s";
        plot.Axes.SetLimitsY(0, Math.Max(1100, runs.Max(r => r.GetProperty("ready_ms").GetDouble()) * 1.2));
        plot.Axes.Bottom.TickGenerator = new NumericManual(
            Enumerable.Range(1, runs.Count).Select(i => (double)i).ToArray(),
            Enumerable.Range(1, runs.Count).Select(i => "start " + i.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Title("Gatehouse: process start -> ready line (and idle RSS 1 s later)");
        plot.YLabel("milliseconds");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 500);
        return path;
    }

    private static string Clip(string? text, int length) =>
        text is null ? "" : text.Length <= length ? text : text[..(length - 1)] + "…";
}
