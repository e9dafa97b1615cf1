using System.Data;
using System.Data.Common;

namespace Observe.Store.Internal;

/// <summary>
/// Typed parameters for SQL shared by both engines. The type is always set, so PostgreSQL knows a null parameter's
/// type and SQLite stores numbers with the right affinity.
/// </summary>
internal static class DbExtensions
{
    public static DbCommand Command(this DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    public static DbParameter Add(this DbCommand command, string name, DbType type, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    public static DbParameter AddText(this DbCommand command, string name, string? value) => command.Add(name, DbType.String, value);

    public static DbParameter AddInt32(this DbCommand command, string name, int? value) => command.Add(name, DbType.Int32, value);

    public static DbParameter AddInt64(this DbCommand command, string name, long? value) => command.Add(name, DbType.Int64, value);

    public static DbParameter AddDouble(this DbCommand command, string name, double? value) => command.Add(name, DbType.Double, value);

    public static DbParameter AddBool(this DbCommand command, string name, bool value) => command.Add(name, DbType.Boolean, value);

    public static void Set(this DbParameter parameter, object? value) => parameter.Value = value ?? DBNull.Value;

    public static async Task<int> ExecuteAsync(this DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(transaction, sql);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs the query and maps every row, in order; the reader is closed before the list is returned.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(this DbCommand command, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    public static string? GetNullableString(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static double? GetNullableDouble(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);

    public static long? GetNullableInt64(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static int? GetNullableInt32(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    public static DateTimeOffset GetInstant(this DbDataReader reader, int ordinal) => StoreTime.FromMs(reader.GetInt64(ordinal));

    public static DateTimeOffset? GetNullableInstant(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : StoreTime.FromMs(reader.GetInt64(ordinal));
}
