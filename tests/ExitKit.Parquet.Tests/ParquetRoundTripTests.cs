using DuckDB.NET.Data;
using ExitKit.Schema;

namespace ExitKit.Parquet.Tests;

public sealed class ParquetRoundTripTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("exitkit-parquet-").FullName;

    private static readonly TableSchema Table = new("every_type", DataFamily.Interactions, "One column of each type.",
    [
        new ColumnSchema("source_system", ColumnType.Text, true, "system"),
        new ColumnSchema("source_id", ColumnType.Text, true, "id"),
        new ColumnSchema("optional_text", ColumnType.Text, false, "text"),
        new ColumnSchema("count", ColumnType.Integer, true, "integer"),
        new ColumnSchema("optional_count", ColumnType.Integer, false, "integer"),
        new ColumnSchema("score", ColumnType.Number, false, "number"),
        new ColumnSchema("flag", ColumnType.Boolean, false, "boolean"),
        new ColumnSchema("started_at", ColumnType.Timestamp, true, "time"),
        new ColumnSchema("ended_at", ColumnType.Timestamp, false, "time"),
        new ColumnSchema("extra", ColumnType.Json, false, "json"),
        new ColumnSchema("tags", ColumnType.TextList, false, "list"),
        // Few distinct values, so the writer dictionary-encodes it.
        new ColumnSchema("channel", ColumnType.Text, false, "code"),
    ], timeColumn: "started_at");

    private static readonly DateTimeOffset Start = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static object?[] RowAt(int index) =>
    [
        "test",
        $"id-{index:D6}",
        OptionalTextAt(index),
        (long)index,
        index % 4 == 0 ? null : (long)index * 1_000_000_007L,
        index % 5 == 0 ? null : index / 7.0,
        index % 6 == 0 ? null : index % 2 == 0,
        Start.AddMinutes(index * 17).AddMilliseconds(index % 1000),
        index % 2 == 0 ? null : Start.AddMinutes(index * 17 + 5),
        index % 3 == 1 ? null : $$"""{"n":{{index}}}""",
        (index % 4) switch { 0 => Array.Empty<string>(), 1 => ["a"], 2 => ["b", "c"], _ => null },
        index % 7 == 0 ? null : (index % 3) switch { 0 => "chat", 1 => "voice", _ => "email" },
    ];

    // Empty texts stay apart from nulls, and texts longer than the writer's text chunks (1 Mi chars) come back whole, in any
    // row group, before and after shorter ones.
    private static string? OptionalTextAt(int index) => index switch
    {
        _ when index % 3 == 0 => null,
        _ when index % 11 == 1 => "",
        1_234 or 2_345 => string.Concat(Enumerable.Repeat($"long text {index} ünïcødé ", 80_000)),
        _ => $"text {index} ünïcødé",
    };

    private async Task<string> WriteAsync(int rows, int rowGroupRows)
    {
        var path = Path.Combine(_folder, $"part-{rows}.parquet");
        await using var file = File.Create(path);
        await using var writer = await ParquetPartWriter.CreateAsync(Table, file, new ParquetWriteSettings(RowGroupRows: rowGroupRows),
            TestContext.Current.CancellationToken);
        for (var index = 0; index < rows; index++)
        {
            await writer.AddAsync(RowAt(index), TestContext.Current.CancellationToken);
        }
        await writer.CompleteAsync(TestContext.Current.CancellationToken);
        return path;
    }

    // Column buffers start at 1,024 rows and grow: row groups of 3,000 make them grow twice, and the spare set once more.
    [Theory]
    [InlineData(2_500, 1_000)]
    [InlineData(7_000, 3_000)]
    public async Task Our_reader_returns_every_value_that_went_in(int rows, int rowGroupRows)
    {
        var path = await WriteAsync(rows, rowGroupRows);
        await using var file = File.OpenRead(path);
        var index = 0;
        await foreach (var row in ParquetPartReader.ReadRowsAsync(file, Table, TestContext.Current.CancellationToken))
        {
            var expected = RowAt(index);
            expected[10] ??= Array.Empty<string>();
            Assert.Equal(expected, row);
            index++;
        }
        Assert.Equal(rows, index);
    }

    [Theory]
    [InlineData(2_500, 1_000)]
    [InlineData(7_000, 3_000)]
    public async Task DuckDB_reads_values_types_nulls_and_lists_as_written(int rows, int rowGroupRows)
    {
        var path = await WriteAsync(rows, rowGroupRows);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM read_parquet('{path}') ORDER BY count";
        using var reader = command.ExecuteReader();
        Assert.Equal(typeof(string), reader.GetFieldType(0));
        Assert.Equal(typeof(long), reader.GetFieldType(3));
        Assert.Equal(typeof(double), reader.GetFieldType(5));
        Assert.Equal(typeof(bool), reader.GetFieldType(6));
        var index = 0;
        while (reader.Read())
        {
            var expected = RowAt(index);
            Assert.Equal(expected[1], reader.GetString(1));
            Assert.Equal(expected[2], reader.IsDBNull(2) ? null : reader.GetString(2));
            Assert.Equal(expected[3], reader.GetInt64(3));
            Assert.Equal(expected[4], reader.IsDBNull(4) ? null : reader.GetInt64(4));
            Assert.Equal(expected[5], reader.IsDBNull(5) ? null : reader.GetDouble(5));
            Assert.Equal(expected[6], reader.IsDBNull(6) ? null : reader.GetBoolean(6));
            Assert.Equal(((DateTimeOffset)expected[7]!).UtcDateTime, reader.GetDateTime(7).ToUniversalTime());
            Assert.Equal(expected[9], reader.IsDBNull(9) ? null : reader.GetString(9));
            var tags = reader.IsDBNull(10) ? [] : reader.GetFieldValue<List<string>>(10);
            Assert.Equal((string[]?)expected[10] ?? [], tags);
            index++;
        }
        Assert.Equal(rows, index);
    }

    [Fact]
    public async Task Part_reader_gives_every_value_and_null_count_that_went_in()
    {
        var path = await WriteAsync(2_500, rowGroupRows: 1_000);
        await using var part = await ParquetPart.OpenAsync(File.OpenRead(path), Table, TestContext.Current.CancellationToken);
        Assert.Equal(3, part.RowGroupCount);
        var first = 0;
        for (var rowGroup = 0; rowGroup < part.RowGroupCount; rowGroup++)
        {
            var rows = part.RowCount(rowGroup);
            // Read the columns back to front, as a check asking for columns on demand would.
            foreach (var column in Table.Columns.Reverse())
            {
                var ordinal = Table.OrdinalOf(column.Name);
                var expected = Enumerable.Range(first, rows).Select(index => RowAt(index)[ordinal]).ToList();
                if (column.Type != ColumnType.TextList)
                {
                    Assert.Equal(expected.Count(value => value is null), part.NullCount(rowGroup, column.Name));
                }
                using var values = await part.ReadAsync(rowGroup, column.Name, TestContext.Current.CancellationToken);
                Assert.Equal(rows, values.RowCount);
                for (var row = 0; row < rows; row++)
                {
                    var value = expected[row] ?? (column.Type == ColumnType.TextList ? Array.Empty<string>() : null);
                    Assert.Equal(value, values.GetValue(row));
                    Assert.Equal(value is null, values.IsNull(row));
                    switch (values)
                    {
                        case TextValues texts:
                            Assert.Equal((string?)value ?? "", System.Text.Encoding.UTF8.GetString(texts[row]));
                            break;
                        case TimestampValues times when value is DateTimeOffset instant:
                            Assert.Equal(DateOnly.FromDateTime(instant.UtcDateTime).DayNumber, times.DayNumber(row));
                            break;
                    }
                }
                Assert.Equal(column.Type == ColumnType.TextList ? 0 : expected.Count(value => value is null), values.CountNulls());
            }
            first += rows;
        }
        Assert.Equal(2_500, first);
    }

    [Theory]
    [InlineData("dictionary")]
    [InlineData("snappy")]
    [InlineData("duckdb")]
    [InlineData("duckdb-zstd")]
    public async Task Part_reader_gives_the_texts_of_other_shapes_of_file(string shape)
    {
        // DuckDB with Zstandard writes unique texts PLAIN in several pages a chunk: the part reader's own path, on
        // another writer's pages.
        var rows = shape == "duckdb-zstd" ? 200_000 : 3_000;
        // ExitKit writes plain, Zstandard-compressed pages, which the part reader decodes itself; a dictionary, another
        // codec or another writer's pages go through Parquet.Net. Both must give the same texts.
        var path = Path.Combine(_folder, $"{shape}.parquet");
        var table = new TableSchema("texts", DataFamily.Interactions, "Texts.",
        [
            new ColumnSchema("source_id", ColumnType.Text, true, "id"),
            new ColumnSchema("code", ColumnType.Text, false, "code"),
        ]);
        string Id(int index) => $"id-{index:D6}-é";
        string? Code(int index) => index % 5 == 0 ? null : $"c{index % 3}";
        if (shape.StartsWith("duckdb", StringComparison.Ordinal))
        {
            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                COPY (SELECT 'id-' || lpad(i::VARCHAR, 6, '0') || '-é' AS source_id,
                             CASE WHEN i % 5 = 0 THEN NULL ELSE 'c' || (i % 3)::VARCHAR END AS code
                      FROM range({rows}) t(i) ORDER BY i) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE {rows / 3}{(shape == "duckdb-zstd" ? ", COMPRESSION zstd" : "")})
                """;
            command.ExecuteNonQuery();
        }
        else
        {
            var fields = new global::Parquet.Schema.DataField[]
            {
                new global::Parquet.Schema.DataField<string>("source_id", nullable: false),
                new global::Parquet.Schema.DataField<string>("code", nullable: true),
            };
            var options = new global::Parquet.ParquetOptions
            {
                CompressionMethod = shape == "snappy" ? global::Parquet.CompressionMethod.Snappy : global::Parquet.CompressionMethod.Zstd,
            };
            if (shape == "dictionary")
            {
                options.ColumnEncodingHints["source_id"] = global::Parquet.EncodingHint.Dictionary;
                options.ColumnEncodingHints["code"] = global::Parquet.EncodingHint.Dictionary;
                options.DictionaryEncodingThreshold = 1.0;
            }
            await using var file = File.Create(path);
            await using var writer = await global::Parquet.ParquetWriter.CreateAsync(new global::Parquet.Schema.ParquetSchema(fields), file, options,
                cancellationToken: TestContext.Current.CancellationToken);
            for (var first = 0; first < 3000; first += 1000)
            {
                using var rowGroup = writer.CreateRowGroup();
                await rowGroup.WriteAsync(fields[0], Enumerable.Range(first, 1000).Select(Id).ToArray(), null);
                await rowGroup.WriteAsync(fields[1], Enumerable.Range(first, 1000).Select(Code).ToArray(), null);
            }
        }
        await using var part = await ParquetPart.OpenAsync(File.OpenRead(path), table, TestContext.Current.CancellationToken);
        var index = 0;
        for (var rowGroup = 0; rowGroup < part.RowGroupCount; rowGroup++)
        {
            using var ids = (TextValues)await part.ReadAsync(rowGroup, "source_id", TestContext.Current.CancellationToken);
            using var codes = (TextValues)await part.ReadAsync(rowGroup, "code", TestContext.Current.CancellationToken);
            for (var row = 0; row < ids.RowCount; row++, index++)
            {
                Assert.Equal(Id(index), ids.GetString(row));
                Assert.Equal(Id(index), System.Text.Encoding.UTF8.GetString(ids[row]));
                Assert.Equal(Code(index), codes.GetString(row));
                Assert.Equal(Code(index) is null, codes.IsNull(row));
            }
        }
        Assert.Equal(rows, index);
    }

    [Theory]
    [InlineData("2024-03-10 12:00:00+00")]
    [InlineData("2024-03-20 00:00:00+00")]
    [InlineData("2024-03-01 00:00:00.001+00")]
    public async Task DuckDB_answers_filtered_time_queries_like_the_rows_that_went_in(string boundary)
    {
        var path = await WriteAsync(5_000, rowGroupRows: 500);
        var cut = DateTimeOffset.Parse(boundary, System.Globalization.CultureInfo.InvariantCulture);
        var expected = Enumerable.Range(0, 5_000).Count(index => (DateTimeOffset)RowAt(index)[7]! >= cut);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM read_parquet('{path}') WHERE started_at >= TIMESTAMPTZ '{boundary}'";
        Assert.Equal((long)expected, Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
