using ExitKit.Import;
using ExitKit.Schema;

namespace ExitKit.Connectors.SqlSuccessor.Tests;

public sealed class ImportPipelineTests(DemoPackage demo) : IClassFixture<DemoPackage>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tables_are_imported_parents_first_in_batches_of_the_chosen_size()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using var successor = new RecordingSuccessor(database.Connect());
        var progress = new List<ImportProgress>();

        var result = await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions { BatchSize = 333, Tables = ["messages", "interactions", "queues"] },
            new SynchronousProgress<ImportProgress>(progress.Add), Token);

        Assert.Equal(["interactions", "messages", "queues"], result.Tables.Select(table => table.Table));
        Assert.Equal(["interactions", "messages", "queues"], successor.Batches.Select(batch => batch.Table).Distinct());
        Assert.All(successor.Batches, batch => Assert.InRange(batch.Rows, 1, 333));
        Assert.Equal(result.TotalRows, successor.Batches.Sum(batch => batch.Rows));
        Assert.All(result.Tables, table => Assert.Equal(demo.Package.Manifest.FindTable(table.Table)!.Rows, table.Rows));
        Assert.Contains(progress, update => update is { Table: "messages", Done: true } && update.Rows == update.TotalRows);
    }

    [Fact]
    public async Task A_table_the_package_does_not_hold_is_refused_before_anything_is_written()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using var successor = database.Connect();

        var unknown = await Assert.ThrowsAsync<ExitKitException>(() =>
            ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions { Tables = ["interactions", "tickets"] }, cancellationToken: Token));

        Assert.Contains("no neutral table named 'tickets'", unknown.Message, StringComparison.Ordinal);
        Assert.False(await database.ExistsAsync());
    }

    [Fact]
    public async Task A_successor_that_loses_rows_from_its_answer_fails_the_import_instead_of_being_believed()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using var successor = new RecordingSuccessor(database.Connect(), dropLastResult: true);

        var error = await Assert.ThrowsAsync<ExitKitException>(() =>
            ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions { Tables = ["queues"] }, cancellationToken: Token));

        Assert.Equal(FailureKind.Incomplete, error.Kind);
        Assert.Contains("table queues", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_successor_that_breaks_mid_import_stops_it_with_its_message_and_keeps_what_it_committed()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using var successor = new RecordingSuccessor(database.Connect(), failOnBatch: 3);

        var error = await Assert.ThrowsAsync<ExitKitException>(() =>
            ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions { BatchSize = 100, Tables = ["interactions"] }, cancellationToken: Token));

        Assert.Equal(FailureKind.Incomplete, error.Kind);
        Assert.Contains("importing table interactions after 200 rows: the connection was lost", error.Message, StringComparison.Ordinal);
        Assert.Contains("run the import again", error.Message, StringComparison.Ordinal);
        Assert.Equal(200, await database.CountAsync("interactions"));
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private sealed class RecordingSuccessor(ISuccessorConnector inner, bool dropLastResult = false, int failOnBatch = 0) : ISuccessorConnector
    {
        public List<(string Table, int Rows)> Batches { get; } = [];

        public Task PrepareAsync(IReadOnlyList<TableSchema> tables, bool dryRun, CancellationToken cancellationToken = default) =>
            inner.PrepareAsync(tables, dryRun, cancellationToken);

        public async Task<IReadOnlyList<RowImportResult>> ImportAsync(TableSchema table, IReadOnlyList<object?[]> rows, bool dryRun,
            CancellationToken cancellationToken = default)
        {
            Batches.Add((table.Name, rows.Count));
            if (Batches.Count == failOnBatch)
            {
                throw new IOException("the connection was lost");
            }
            var results = await inner.ImportAsync(table, rows, dryRun, cancellationToken);
            return dropLastResult ? results.Take(results.Count - 1).ToArray() : results;
        }

        public IAsyncEnumerable<object?[]> ReadBackAsync(TableSchema table, CancellationToken cancellationToken = default) =>
            inner.ReadBackAsync(table, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
