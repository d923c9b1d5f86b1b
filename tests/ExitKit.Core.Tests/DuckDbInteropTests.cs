using System.Globalization;
using DuckDB.NET.Data;
using ExitKit.Connectors;
using ExitKit.Schema;
using ExitKit.Testing;

namespace ExitKit.Core.Tests;

/// <summary>Every table ExitKit writes, read by an independent reader (DuckDB), equals the rows that went in.</summary>
public sealed class DuckDbInteropTests(DemoPackageFixture package) : IClassFixture<DemoPackageFixture>
{
    public static TheoryData<string> Tables() => [.. NeutralSchema.Tables.Select(table => table.Name)];

    private static async Task<List<object?[]>> SourceRowsAsync(TableSchema table)
    {
        await using var source = SamplePackages.Source(2_000);
        var rows = new List<object?[]>();
        await foreach (var row in source.ReadTableAsync(table, ExportRequest.Everything, null, new RecordingExportContext(), TestContext.Current.CancellationToken))
        {
            rows.Add(row.Values);
        }
        return [.. rows.OrderBy(row => (string)row[1]!, StringComparer.Ordinal)];
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public async Task DuckDB_reads_every_value_of_every_table_as_it_went_in(string tableName)
    {
        var table = NeutralSchema.Get(tableName);
        var expected = await SourceRowsAsync(table);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM read_parquet('{package.Folder}/data/{tableName}/*.parquet') ORDER BY source_id COLLATE \"binary\"";
        using var reader = command.ExecuteReader();
        Assert.Equal(table.Columns.Select(column => column.Name), Enumerable.Range(0, reader.FieldCount).Select(reader.GetName));
        var index = 0;
        while (reader.Read())
        {
            var row = expected[index++];
            for (var ordinal = 0; ordinal < table.Columns.Count; ordinal++)
            {
                var column = table.Columns[ordinal];
                object? actual = reader.IsDBNull(ordinal) ? null : column.Type switch
                {
                    ColumnType.Timestamp => new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc)),
                    ColumnType.TextList => reader.GetFieldValue<List<string>>(ordinal).ToArray(),
                    ColumnType.Integer => reader.GetInt64(ordinal),
                    ColumnType.Number => reader.GetDouble(ordinal),
                    ColumnType.Boolean => reader.GetBoolean(ordinal),
                    _ => reader.GetString(ordinal),
                };
                var want = row[ordinal] switch
                {
                    DateTimeOffset time => new DateTimeOffset(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero),
                    null when column.Type == ColumnType.TextList => Array.Empty<string>(),
                    var value => value,
                };
                Assert.True(Equals(want, actual) || (want is string[] list && actual is string[] read && list.SequenceEqual(read)),
                    $"{tableName}.{column.Name} of {row[1]}: expected {Show(want)}, DuckDB read {Show(actual)}");
            }
        }
        Assert.Equal(expected.Count, index);
    }

    private static string Show(object? value) => value switch
    {
        null => "NULL",
        string[] list => "[" + string.Join(",", list) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    [Theory]
    [InlineData("2024-03-10 12:00:00+00")]
    [InlineData("2025-01-01 00:00:00+00")]
    [InlineData("2026-10-31 23:59:59.999+00")]
    public async Task DuckDB_filtered_queries_on_time_columns_agree_with_the_rows(string boundary)
    {
        var cut = DateTimeOffset.Parse(boundary, CultureInfo.InvariantCulture);
        foreach (var (tableName, column) in new[] { ("interactions", "started_at"), ("messages", "sent_at"), ("surveys", "answered_at") })
        {
            var table = NeutralSchema.Get(tableName);
            var ordinal = table.OrdinalOf(column);
            var expected = (await SourceRowsAsync(table)).Count(row => (DateTimeOffset)row[ordinal]! >= cut);
            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM read_parquet('{package.Folder}/data/{tableName}/*.parquet') WHERE {column} >= TIMESTAMPTZ '{boundary}'";
            Assert.Equal((long)expected, Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void DuckDB_joins_messages_to_interactions_and_counts_nulls_like_the_manifest()
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT count(*) FILTER (WHERE i.source_id IS NULL), count(*), count(*) FILTER (WHERE m.sentiment IS NULL)
            FROM read_parquet('{package.Folder}/data/messages/*.parquet') m
            LEFT JOIN read_parquet('{package.Folder}/data/interactions/*.parquet') i ON i.source_id = m.interaction_id
            """;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(0L, reader.GetInt64(0));
        Assert.Equal(package.Result.Manifest.FindTable("messages")!.Rows, reader.GetInt64(1));
        Assert.True(reader.GetInt64(2) > 0, "email messages carry no sentiment, so some sentiments are NULL");
    }
}
