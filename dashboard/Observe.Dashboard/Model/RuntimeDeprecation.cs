namespace Observe.Dashboard.Model;

/// <summary>
/// Lambda runtimes past AWS's deprecation date: AWS stops security patches and, later, blocks creating and then
/// updating such functions. Nobody else flags these, so the Overview counts them.
/// </summary>
public static class RuntimeDeprecation
{
    /// <summary>
    /// Deprecation dates from the "Deprecated runtimes" and "Supported runtimes" tables of
    /// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html. Only dates AWS has published are listed;
    /// extend the table when AWS announces more.
    /// </summary>
    public static IReadOnlyDictionary<string, DateOnly> Dates { get; } = new Dictionary<string, DateOnly>(StringComparer.Ordinal)
    {
        ["nodejs"] = new(2016, 10, 31),
        ["nodejs4.3"] = new(2020, 3, 5),
        ["nodejs6.10"] = new(2019, 8, 12),
        ["nodejs8.10"] = new(2020, 3, 6),
        ["nodejs10.x"] = new(2021, 7, 30),
        ["nodejs12.x"] = new(2023, 3, 31),
        ["nodejs14.x"] = new(2023, 12, 4),
        ["nodejs16.x"] = new(2024, 6, 12),
        ["nodejs18.x"] = new(2025, 9, 1),
        ["nodejs20.x"] = new(2026, 4, 30),
        ["python2.7"] = new(2021, 7, 15),
        ["python3.6"] = new(2022, 7, 18),
        ["python3.7"] = new(2023, 12, 4),
        ["python3.8"] = new(2024, 10, 14),
        ["python3.9"] = new(2025, 12, 15),
        ["dotnetcore1.0"] = new(2019, 7, 30),
        ["dotnetcore2.0"] = new(2019, 5, 30),
        ["dotnetcore2.1"] = new(2022, 1, 5),
        ["dotnetcore3.1"] = new(2023, 4, 3),
        ["dotnet5.0"] = new(2022, 5, 10),
        ["dotnet6"] = new(2024, 12, 20),
        ["dotnet7"] = new(2024, 5, 14),
        ["dotnet8"] = new(2026, 11, 10),
        ["java8"] = new(2024, 1, 8),
        ["go1.x"] = new(2024, 1, 8),
        ["provided"] = new(2024, 1, 8),
        ["ruby2.5"] = new(2021, 7, 30),
        ["ruby2.7"] = new(2023, 12, 7),
        ["ruby3.2"] = new(2026, 3, 31),
    };

    /// <summary>True when the runtime's deprecation date is on or before <paramref name="today"/>. Container images (null) are never flagged.</summary>
    public static bool IsDeprecated(string? runtime, DateOnly today) =>
        runtime is not null && Dates.TryGetValue(runtime, out var date) && date <= today;
}
