namespace Observe.Dashboard;

/// <summary>The dashboard cannot start: bad configuration or an unusable store. The message names the problem.</summary>
public sealed class DashboardStartupException(string message, Exception? innerException = null) : Exception(message, innerException);
