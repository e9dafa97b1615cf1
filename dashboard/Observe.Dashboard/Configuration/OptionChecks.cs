using System.Globalization;

namespace Observe.Dashboard.Configuration;

internal static class OptionChecks
{
    public static void Between(List<string> failures, string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{setting} is {value:c}; it must be between {min:c} and {max:c}."));
        }
    }
}
