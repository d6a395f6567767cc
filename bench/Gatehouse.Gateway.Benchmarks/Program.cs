using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Gatehouse.Gateway.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Gatehouse.Gateway.Benchmarks.DataPlaneBenchmarks).Assembly).Run(args);
