namespace Observe.Store.Internal;

/// <summary>
/// One numbered schema step. Applied in its own transaction together with its <c>schema_version</c> row, so a
/// database is always exactly at some version. Version 1 also creates <c>schema_version</c>.
/// </summary>
internal sealed record Migration(int Version, string Description, string Sql);
