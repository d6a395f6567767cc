using System.Diagnostics.CodeAnalysis;

// `gatehouse logs` is a client of a running server, in its own process: "since 10m" means the wall
// clock of the machine it runs on, as the AWS CLI's `logs tail --since` does.
[assembly: SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs", Justification = "A client command's --since is wall-clock time.",
    Scope = "member", Target = "~M:Gatehouse.Functions.Logs.LogsCommand.RunAsync(System.String[],System.IO.TextWriter,System.IO.TextWriter,System.Threading.CancellationToken)~System.Threading.Tasks.Task{System.Int32}")]
