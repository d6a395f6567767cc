namespace Gatehouse.Functions.RuntimeApi;

/// <summary>What one environment's Runtime API allows its connections.</summary>
internal sealed record RuntimeApiLimits
{
    public static readonly RuntimeApiLimits Default = new();

    /// <summary>Connections open at once. Runtime clients use one or two (AWS's aws-lambda-ric: one for
    /// next and results, one for init errors and streamed responses); more are closed.</summary>
    public int MaxConnections { get; init; } = 4;

    /// <summary>How long a new connection may take to send its first request whole (with the secret).</summary>
    public TimeSpan FirstRequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a runtime's connection may wait between requests (or take over one). Between an event
    /// and its result the runtime runs the handler, so this is the function's timeout plus a margin.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(900 + 10);

    /// <summary>How often connections are checked against those bounds.</summary>
    public TimeSpan SweepPeriod { get; init; } = TimeSpan.FromSeconds(1);
}
