using Observe.Collectors.Worker;

// The composition lives in WorkerApp so the tests build exactly this host. Start-up problems (no account, bad options,
// an unreachable store) are logged as one line and end the process with exit code 1.
using var host = WorkerApp.Build(args);
return await host.RunWorkerAsync();
