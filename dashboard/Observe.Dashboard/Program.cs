using Observe.Dashboard;

// The composition lives in DashboardApp so the tests host exactly what `dotnet run` serves. Start-up problems (bad
// options, an unreachable store) are logged as one line and end the process with a non-zero exit code; disposing the
// app flushes that line from the console logger.
await using var app = DashboardApp.Build(args);
return await app.RunDashboardAsync();

/// <summary>The entry point; public for tooling that looks the program type up.</summary>
public partial class Program;
