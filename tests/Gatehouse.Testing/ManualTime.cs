namespace Gatehouse.Testing;

/// <summary>
/// A clock the test moves, for code that takes a <see cref="TimeProvider"/>: wall time and timestamps
/// both follow <see cref="Now"/>, so nothing a test asserts depends on how fast the machine is.
/// </summary>
public sealed class ManualTime : TimeProvider
{
    public ManualTime() : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public ManualTime(DateTimeOffset start) => Now = start;

    public DateTimeOffset Now { get; set; }

    public void Advance(TimeSpan by) => Now += by;

    public override DateTimeOffset GetUtcNow() => Now;

    public override long GetTimestamp() => Now.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
}
