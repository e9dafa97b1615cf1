namespace Observe.Instrumentation;

/// <summary>The definition of one embedded metric: its name, unit and storage resolution.</summary>
/// <param name="Name">The metric name in CloudWatch (1 to 255 characters); also the JSON key its values are written under.</param>
/// <param name="Unit">The CloudWatch unit.</param>
/// <param name="HighResolution">True for 1-second storage resolution (billed as a high-resolution metric), false for 60 seconds.</param>
public sealed record EmfMetric(string Name, EmfUnit Unit = EmfUnit.None, bool HighResolution = false);
