namespace Observe.Collectors.Worker;

/// <summary>The worker cannot start: bad configuration or an unusable store. The message names the problem.</summary>
public sealed class WorkerStartupException(string message, Exception? innerException = null) : Exception(message, innerException);
