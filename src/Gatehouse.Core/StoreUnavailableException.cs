namespace Gatehouse.Core;

/// <summary>Why the store cannot take a write.</summary>
public enum StoreCondition
{
    Ok,
    Full,
    ReadOnly,
}

/// <summary>
/// The store refused a write because its disk is full or read-only. Nothing of the write was kept,
/// and the service applies nothing to memory. The protocol layer answers 503 ServiceUnavailable
/// (the common error of every AWS API, e.g.
/// https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html), with a message that names the
/// condition and never the path.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException(StoreCondition condition, Exception? inner = null)
        : base(MessageOf(condition), inner) => Condition = condition;

    public StoreCondition Condition { get; }

    /// <summary>The name /health shows: <c>ok</c>, <c>full</c> or <c>read-only</c>.</summary>
    public static string NameOf(StoreCondition condition) => condition switch
    {
        StoreCondition.Full => "full",
        StoreCondition.ReadOnly => "read-only",
        _ => "ok",
    };

    private static string MessageOf(StoreCondition condition) => condition == StoreCondition.Full
        ? "Gatehouse's data store is full: the change was not saved. Free disk space and retry."
        : "Gatehouse's data store is read-only: the change was not saved. Reads are still served.";
}
