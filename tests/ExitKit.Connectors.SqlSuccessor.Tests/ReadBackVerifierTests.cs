using System.Runtime.CompilerServices;
using ExitKit.Import;
using ExitKit.Packaging;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Connectors.SqlSuccessor.Tests;

public sealed class ReadBackVerifierTests(DemoPackage demo) : IClassFixture<DemoPackage>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite", 2_000_000)]
    [InlineData("sqlite", 97)]
    [InlineData("postgresql", 2_000_000)]
    public async Task Read_back_names_rows_missing_extra_and_different_with_the_columns_that_differ(string provider, int maxRowsInMemory)
    {
        await using var database = SuccessorDatabase.Create(provider);
        await using var successor = database.Connect();
        await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions(), cancellationToken: Token);
        var interactions = await demo.RowsAsync("interactions");
        var (deleted, changed) = ((string)interactions[3][1]!, (string)interactions[7][1]!);
        await database.ExecuteAsync($"DELETE FROM {database.Table("interactions")} WHERE source_id = '{deleted}'");
        await database.ExecuteAsync($"UPDATE {database.Table("interactions")} SET status = 'tampered', duration_seconds = 1 WHERE source_id = '{changed}'");
        await database.ExecuteAsync($"INSERT INTO {database.Table("skills")} (source_system, source_id, name) VALUES ('sample', 'sk-smuggled', 'Smuggled')");

        var result = await ReadBackVerifier.VerifyAsync(demo.Package, successor, new ReadBackOptions { MaxRowsInMemory = maxRowsInMemory }, cancellationToken: Token);

        Assert.False(result.Equal);
        var interactionsBack = result.Tables.Single(table => table.Table == "interactions");
        Assert.Equal(deleted, Assert.Single(interactionsBack.Missing).SourceId);
        var difference = Assert.Single(interactionsBack.Different);
        Assert.Equal(changed, difference.Key.SourceId);
        Assert.Equal(["status", "duration_seconds"], difference.Columns);
        Assert.Equal(interactions.Count - 2, interactionsBack.Matching);
        Assert.Equal(interactions.Count - 1, interactionsBack.SuccessorRows);
        Assert.Equal("sk-smuggled", Assert.Single(result.Tables.Single(table => table.Table == "skills").Extra).SourceId);
        Assert.All(result.Tables.Where(table => table.Table is not ("interactions" or "skills")), table => Assert.True(table.Equal));
        // Tables that read back equal are read once; the others once more, for the few rows of the buckets that differ.
        Assert.All(result.Tables.Where(table => table.Equal), table => Assert.Equal(1, table.Passes));
        Assert.Equal(2, interactionsBack.Passes);
    }

    [Fact]
    public async Task Read_back_of_a_table_that_differs_everywhere_holds_at_most_MaxRowsInMemory_rows_a_pass_and_names_them_all()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using var successor = database.Connect();
        await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions(), cancellationToken: Token);
        await database.ExecuteAsync($"UPDATE {database.Table("interactions")} SET status = 'tampered'");
        var interactions = await demo.RowsAsync("interactions");

        var result = await ReadBackVerifier.VerifyAsync(demo.Package, successor,
            new ReadBackOptions { Tables = ["interactions"], MaxRowsInMemory = 97, MaxRowsListed = 10_000 }, cancellationToken: Token);

        var back = Assert.Single(result.Tables);
        Assert.Equal(interactions.Count, back.DifferentCount);
        Assert.Equal(0, back.Matching);
        Assert.Equal(interactions.Count, back.Different.Count);
        Assert.All(back.Different, difference => Assert.Equal(["status"], difference.Columns));
        Assert.Equal(interactions.Select(row => (string)row[1]!).Order(), back.Different.Select(difference => difference.Key.SourceId).Order());
        // One read for the bucket sums, then every row differs: ceil(rows / 97) passes of at most about 97 package rows each.
        Assert.Equal(1 + (interactions.Count + 96) / 97, back.Passes);
    }

    [Fact]
    public async Task Read_back_of_an_equal_table_larger_than_MaxRowsInMemory_reads_it_once()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using var successor = database.Connect();
        await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions(), cancellationToken: Token);

        var result = await ReadBackVerifier.VerifyAsync(demo.Package, successor, new ReadBackOptions { MaxRowsInMemory = 10 }, cancellationToken: Token);

        Assert.True(result.Equal);
        var messages = result.Tables.Single(table => table.Table == "messages");
        Assert.True(messages.PackageRows > 1_000);
        Assert.Equal(messages.PackageRows, messages.Matching);
        Assert.All(result.Tables, table => Assert.Equal(1, table.Passes));
    }

    [Fact]
    public async Task Read_back_of_a_successor_that_holds_a_row_twice_is_not_equal_and_names_the_row_extra()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using var imported = database.Connect();
        await ImportPipeline.RunAsync(demo.Package, imported, new ImportOptions(), cancellationToken: Token);
        var messages = await demo.RowsAsync("messages");
        var twice = (string)messages[42][1]!;
        await using var successor = new AlteredReadBack(database.Connect(), "messages",
            rows => rows.SelectMany(row => (string)row[1]! == twice ? new[] { row, (object?[])row.Clone() } : [row]));

        var result = await ReadBackVerifier.VerifyAsync(demo.Package, successor, new ReadBackOptions(), cancellationToken: Token);

        Assert.False(result.Equal);
        var back = result.Tables.Single(table => table.Table == "messages");
        Assert.Equal(messages.Count + 1, back.SuccessorRows);
        Assert.Equal(messages.Count, back.Matching);
        Assert.Equal(1, back.ExtraCount);
        Assert.Equal(twice, Assert.Single(back.Extra).SourceId);
        Assert.Equal(0, back.MissingCount + back.DifferentCount);
        Assert.All(result.Tables.Where(table => table.Table != "messages"), table => Assert.True(table.Equal));
    }

    [Fact]
    public async Task Read_back_names_a_row_changed_in_one_column_with_that_column_and_a_missing_and_an_extra_row()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using var imported = database.Connect();
        await ImportPipeline.RunAsync(demo.Package, imported, new ImportOptions(), cancellationToken: Token);
        var messages = await demo.RowsAsync("messages");
        var (changed, missing) = ((string)messages[5][1]!, (string)messages[6][1]!);
        var body = NeutralSchema.Messages.OrdinalOf("body");
        await using var successor = new AlteredReadBack(database.Connect(), "messages", rows => rows
            .Where(row => (string)row[1]! != missing)
            .Select(row =>
            {
                if ((string)row[1]! != changed)
                {
                    return row;
                }
                // Same count in every bucket, one character changed: only the sums of the row hashes can tell.
                var altered = (object?[])row.Clone();
                altered[body] = (string)altered[body]! + ".";
                return altered;
            })
            .Append(Extra(messages[7])));

        var result = await ReadBackVerifier.VerifyAsync(demo.Package, successor, new ReadBackOptions(), cancellationToken: Token);

        var back = result.Tables.Single(table => table.Table == "messages");
        Assert.False(back.Equal);
        var difference = Assert.Single(back.Different);
        Assert.Equal(changed, difference.Key.SourceId);
        Assert.Equal(["body"], difference.Columns);
        Assert.Equal(missing, Assert.Single(back.Missing).SourceId);
        Assert.Equal("m-smuggled", Assert.Single(back.Extra).SourceId);
        Assert.Equal(messages.Count - 2, back.Matching);
        Assert.Equal(messages.Count, back.SuccessorRows);
        Assert.Equal((1, 1, 1), (back.MissingCount, back.ExtraCount, back.DifferentCount));

        static object?[] Extra(object?[] model)
        {
            var extra = (object?[])model.Clone();
            extra[1] = "m-smuggled";
            return extra;
        }
    }

    [Fact]
    public async Task Read_back_of_a_successor_whose_content_changed_without_a_change_of_count_is_not_equal()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using var successor = database.Connect();
        await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions(), cancellationToken: Token);
        // Two rows swap their subjects: every key is there once, every bucket keeps its count.
        var interactions = await demo.RowsAsync("interactions");
        var subject = NeutralSchema.Interactions.OrdinalOf("subject");
        var (first, second) = (interactions.First(row => row[subject] is not null), interactions.Last(row => row[subject] is not null));
        Assert.NotEqual(first[subject], second[subject]);
        await database.ExecuteAsync($"UPDATE {database.Table("interactions")} SET subject = '{Quoted(second[subject])}' WHERE source_id = '{first[1]}'");
        await database.ExecuteAsync($"UPDATE {database.Table("interactions")} SET subject = '{Quoted(first[subject])}' WHERE source_id = '{second[1]}'");

        var result = await ReadBackVerifier.VerifyAsync(demo.Package, successor, new ReadBackOptions { Tables = ["interactions"] }, cancellationToken: Token);

        var back = Assert.Single(result.Tables);
        Assert.False(back.Equal);
        Assert.Equal(new[] { (string)first[1]!, (string)second[1]! }.Order(), back.Different.Select(difference => difference.Key.SourceId).Order());
        Assert.All(back.Different, difference => Assert.Equal(["subject"], difference.Columns));

        static string Quoted(object? text) => ((string)text!).Replace("'", "''", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_back_reads_the_package_and_the_successor_at_the_same_time()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using var imported = database.Connect();
        await ImportPipeline.RunAsync(demo.Package, imported, new ImportOptions(), cancellationToken: Token);
        // Opening the package's interactions waits until the successor's read-back of them has begun, and the successor waits
        // before its first row until the package's have been opened: read one after the other, each would wait for the other.
        var meeting = new Meeting("interactions");
        var package = await ExitPackage.OpenAsync(new MeetingStore(new LocalPackageStore(demo.Folder), meeting), Token);
        await using var successor = new MeetingSuccessor(database.Connect(), meeting);

        var result = await ReadBackVerifier.VerifyAsync(package, successor, new ReadBackOptions(), cancellationToken: Token);

        Assert.True(result.Equal);
        Assert.True(meeting.Met);
    }

    [Fact]
    public async Task Read_back_reports_the_successor_failing_while_the_package_is_read_not_the_stop_of_the_package()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using var imported = database.Connect();
        await ImportPipeline.RunAsync(demo.Package, imported, new ImportOptions(), cancellationToken: Token);
        await using var successor = new AlteredReadBack(database.Connect(), "messages",
            rows => rows.Select((row, index) => index < 100 ? row : throw new IOException("the connection was lost")));

        var error = await Assert.ThrowsAsync<ExitKitException>(() =>
            ReadBackVerifier.VerifyAsync(demo.Package, successor, new ReadBackOptions(), cancellationToken: Token));

        Assert.Equal(FailureKind.Incomplete, error.Kind);
        Assert.Contains("reading table messages back: the connection was lost", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_back_of_a_successor_that_holds_nothing_reports_every_row_missing()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using var successor = database.Connect();

        var result = await ReadBackVerifier.VerifyAsync(demo.Package, successor, new ReadBackOptions { MaxRowsListed = 10 }, cancellationToken: Token);

        Assert.False(result.Equal);
        Assert.Equal(demo.TotalRows, result.Tables.Sum(table => table.MissingCount));
        Assert.All(result.Tables, table => Assert.True(table.Missing.Count <= 10));
        Assert.False(await database.ExistsAsync());
    }

    [Fact]
    public void Row_digest_tells_apart_null_empty_and_moved_values()
    {
        var table = NeutralSchema.Interactions;
        var row = table.NewRow();
        row[0] = "sample";
        row[1] = "i-1";
        var empty = (object?[])row.Clone();
        empty[table.OrdinalOf("subject")] = "";
        var listed = (object?[])row.Clone();
        listed[table.OrdinalOf("tags")] = new[] { "a", "b" };
        var joined = (object?[])row.Clone();
        joined[table.OrdinalOf("tags")] = new[] { "ab" };

        var digests = new[] { row, empty, listed, joined }.Select(values => Convert.ToHexString(RowDigest.Of(table, values))).ToArray();

        Assert.Equal(4, digests.Distinct().Count());
        Assert.Equal(digests[2], Convert.ToHexString(RowDigest.Of(table, (object?[])listed.Clone())));
    }
}

/// <summary>A successor whose read-back of one table is altered (a row held twice, lost, changed or added behind ExitKit's back).</summary>
internal sealed class AlteredReadBack(ISuccessorConnector inner, string table, Func<IEnumerable<object?[]>, IEnumerable<object?[]>> alter) : ISuccessorConnector
{
    public Task PrepareAsync(IReadOnlyList<TableSchema> tables, bool dryRun, CancellationToken cancellationToken = default) =>
        inner.PrepareAsync(tables, dryRun, cancellationToken);

    public Task<IReadOnlyList<RowImportResult>> ImportAsync(TableSchema table, IReadOnlyList<object?[]> rows, bool dryRun,
        CancellationToken cancellationToken = default) => inner.ImportAsync(table, rows, dryRun, cancellationToken);

    public async IAsyncEnumerable<object?[]> ReadBackAsync(TableSchema schema, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (schema.Name != table)
        {
            await foreach (var row in inner.ReadBackAsync(schema, cancellationToken))
            {
                yield return row;
            }
            yield break;
        }
        // Test tables are small: read them whole, then alter.
        var rows = await inner.ReadBackAsync(schema, cancellationToken).ToListAsync(cancellationToken);
        foreach (var row in alter(rows))
        {
            yield return row;
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>The package's and the successor's side of one table's read-back, each waiting until the other has begun.</summary>
internal sealed class Meeting(string table)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TaskCompletionSource _package = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _successor = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Table { get; } = table;
    public bool Met => _package.Task.IsCompleted && _successor.Task.IsCompleted;

    public Task PackageBeginsAsync(CancellationToken cancellationToken) => BeginAsync(_package, _successor, "the successor's read-back", cancellationToken);

    public Task SuccessorBeginsAsync(CancellationToken cancellationToken) => BeginAsync(_successor, _package, "the package's read", cancellationToken);

    private async Task BeginAsync(TaskCompletionSource mine, TaskCompletionSource theirs, string other, CancellationToken cancellationToken)
    {
        mine.TrySetResult();
        try
        {
            await theirs.Task.WaitAsync(Patience, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{other} of {Table} did not begin within {Patience.TotalSeconds} s: the two sides are not read at the same time");
        }
    }
}

/// <summary>A package store whose first opening of a table's data meets the successor (<see cref="Meeting"/>).</summary>
internal sealed class MeetingStore(IPackageStore inner, Meeting meeting) : IPackageStore
{
    public string Location => inner.Location;

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        if (path.StartsWith($"data/{meeting.Table}/", StringComparison.Ordinal))
        {
            await meeting.PackageBeginsAsync(cancellationToken);
        }
        return await inner.OpenReadAsync(path, cancellationToken);
    }

    public Task<PendingFile> CreateAsync(string path, CancellationToken cancellationToken = default) => inner.CreateAsync(path, cancellationToken);
    public Task MoveAsync(string fromPath, string toPath, CancellationToken cancellationToken = default) => inner.MoveAsync(fromPath, toPath, cancellationToken);
    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => inner.ExistsAsync(path, cancellationToken);
    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);
    public IAsyncEnumerable<StoredFile> ListAsync(string prefix = "", CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);
}

/// <summary>A successor whose read-back of one table meets the package's side of it (<see cref="Meeting"/>) before its first row.</summary>
internal sealed class MeetingSuccessor(ISuccessorConnector inner, Meeting meeting) : ISuccessorConnector
{
    public Task PrepareAsync(IReadOnlyList<TableSchema> tables, bool dryRun, CancellationToken cancellationToken = default) =>
        inner.PrepareAsync(tables, dryRun, cancellationToken);

    public Task<IReadOnlyList<RowImportResult>> ImportAsync(TableSchema table, IReadOnlyList<object?[]> rows, bool dryRun,
        CancellationToken cancellationToken = default) => inner.ImportAsync(table, rows, dryRun, cancellationToken);

    public async IAsyncEnumerable<object?[]> ReadBackAsync(TableSchema schema, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (schema.Name == meeting.Table)
        {
            await meeting.SuccessorBeginsAsync(cancellationToken);
        }
        await foreach (var row in inner.ReadBackAsync(schema, cancellationToken))
        {
            yield return row;
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
