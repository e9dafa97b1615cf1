using Microsoft.Extensions.Options;

namespace Observe.Store.Internal;

/// <summary>Checks <see cref="StoreOptions"/> at start; every message names the setting as it is configured.</summary>
internal sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    private const string Prefix = StoreOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        var failures = new List<string>();
        var kind = options.ParsedKind;
        if (kind is null)
        {
            failures.Add($"{Prefix}{nameof(StoreOptions.Kind)} '{options.Kind}' is not a store kind; use Sqlite or PostgreSql");
        }

        if (kind == StoreKind.PostgreSql)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                failures.Add($"{Prefix}{nameof(StoreOptions.ConnectionString)} is required when Kind is PostgreSql");
            }
            else if (ConnectionStringError(options.ConnectionString) is { } error)
            {
                failures.Add($"{Prefix}{nameof(StoreOptions.ConnectionString)} is not a valid PostgreSQL connection string: {error}");
            }
        }

        if (kind == StoreKind.Sqlite && string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add($"{Prefix}{nameof(StoreOptions.DataDirectory)} is required when Kind is Sqlite");
        }

        RequirePositive(failures, nameof(StoreOptions.RawRetention), options.RawRetention);
        RequirePositive(failures, nameof(StoreOptions.HourlyRetention), options.HourlyRetention);
        RequirePositive(failures, nameof(StoreOptions.ReportRetention), options.ReportRetention);
        RequirePositive(failures, nameof(StoreOptions.TraceRetention), options.TraceRetention);
        RequirePositive(failures, nameof(StoreOptions.AlertHistoryRetention), options.AlertHistoryRetention);
        if (options.HourlyRetention < options.RawRetention)
        {
            failures.Add(
                $"{Prefix}{nameof(StoreOptions.HourlyRetention)} ({options.HourlyRetention}) must be at least " +
                $"{Prefix}{nameof(StoreOptions.RawRetention)} ({options.RawRetention}): minutes are rolled up into hours");
        }

        if (options.BatchSize <= 0)
        {
            failures.Add($"{Prefix}{nameof(StoreOptions.BatchSize)} must be positive (was {options.BatchSize})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequirePositive(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Prefix}{setting} must be positive (was '{value}')");
        }
    }

    private static string? ConnectionStringError(string connectionString)
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(builder.Host) ? "Host is missing" : null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
