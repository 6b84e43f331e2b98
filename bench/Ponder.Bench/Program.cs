using BenchmarkDotNet.Running;
using Ponder.Bench;

if (args.Length > 0 && args[0] == "raw") RawMatMul.Run(args);
else if (args.Length > 0 && args[0] == "grammar") GrammarMaskTiming.Run(args);
else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
