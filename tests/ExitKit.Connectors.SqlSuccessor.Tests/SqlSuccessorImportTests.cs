using ExitKit.Import;
using ExitKit.Packaging;
using ExitKit.Storage;

namespace ExitKit.Connectors.SqlSuccessor.Tests;

public sealed class SqlSuccessorImportTests(DemoPackage demo) : IClassFixture<DemoPackage>
{
    public static TheoryData<string> Providers => ["sqlite", "postgresql", "sqlserver"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Demo_package_reads_back_equal_in_every_row_and_column(string provider)
    {
        await using var database = SuccessorDatabase.Create(provider);
        await using var successor = database.Connect();

        var imported = await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions { BatchSize = 1_000 }, cancellationToken: Token);
        var readBack = await ReadBackVerifier.VerifyAsync(demo.Package, successor, new ReadBackOptions(), cancellationToken: Token);

        Assert.True(imported.Complete);
        Assert.Equal(demo.TotalRows, imported.Tables.Sum(table => table.Created));
        Assert.Equal(demo.Package.Manifest.Tables.Select(table => table.Name).Order(), imported.Tables.Select(table => table.Table).Order());
        Assert.All(readBack.Tables, table => Assert.True(table.Equal, $"{table.Table}: {table.MissingCount} missing, {table.ExtraCount} extra, {table.DifferentCount} different"));
        Assert.Equal(demo.TotalRows, readBack.Tables.Sum(table => table.Matching));
        // One pass: the sums of both sides agreed at once (PostgreSQL's encoded read-back included), no bucket read again.
        Assert.All(readBack.Tables, table => Assert.Equal(1, table.Passes));
        Assert.Equal(demo.TotalRows, await database.CountAsync("exitkit_id_map"));
        // And value by value, independently of the verifier's hashing.
        foreach (var table in Schema.NeutralSchema.Tables)
        {
            var held = new Dictionary<string, object?[]>(StringComparer.Ordinal);
            await foreach (var row in successor.ReadBackAsync(table, Token))
            {
                held.Add((string)row[1]!, row);
            }
            var rows = await demo.RowsAsync(table.Name);
            Assert.Equal(rows.Count, held.Count);
            foreach (var row in rows)
            {
                var back = held[(string)row[1]!];
                for (var ordinal = 0; ordinal < row.Length; ordinal++)
                {
                    Assert.True(SameValue(row[ordinal], back[ordinal]), $"{table.Name} {row[1]} {table.Columns[ordinal].Name}: {row[ordinal]} read back as {back[ordinal]}");
                }
            }
        }
    }

    // Text-array syntax in every form: separators, quotes, escapes, braces, the word NULL, empty and non-ASCII elements.
    private static readonly string[] AwkwardTags = ["a,b", "quote\"d", "back\\slash", "{braces}", "NULL", "", "ümlaut 🎧"];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Edge_values_read_back_as_they_went_in(string provider)
    {
        await using var database = SuccessorDatabase.Create(provider);
        await using var successor = database.Connect();
        var table = Schema.NeutralSchema.Interactions;
        var rows = await EdgeRowsAsync();
        await successor.PrepareAsync([table], dryRun: false, Token);

        var results = await successor.ImportAsync(table, rows, dryRun: false, Token);

        Assert.All(results, result => Assert.Equal(ImportOutcome.Created, result.Outcome));
        await AssertHeldAsync(successor, table, rows);
    }

    // The same values as the import hands them to a successor that loads columns (PostgreSQL): bytes and ticks from the
    // package's Parquet, not the rows' objects. An import of them again must find every row unchanged.
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Edge_values_imported_from_a_package_read_back_as_they_went_in(string provider)
    {
        await using var database = SuccessorDatabase.Create(provider);
        var table = Schema.NeutralSchema.Interactions;
        var rows = await EdgeRowsAsync();
        var folder = Directory.CreateTempSubdirectory("exitkit-edge-package-").FullName;
        try
        {
            var store = new LocalPackageStore(folder);
            using (var writer = await PackageWriter.OpenAsync(store, new PackageWriter.Options { Source = new SourceInfo("test", "Test Vendor", "test", "1.0.0") }, Token))
            {
                await using (var tableWriter = await writer.OpenTableAsync(table, null, Token))
                {
                    foreach (var row in rows)
                    {
                        await tableWriter.AddAsync(new SourceRow(row), Token);
                    }
                    await tableWriter.CompleteAsync(Token);
                }
                await writer.SealAsync(Token);
            }
            var package = await ExitPackage.OpenAsync(store, Token);
            await using var successor = database.Connect();

            var first = await ImportPipeline.RunAsync(package, successor, new ImportOptions { BatchSize = 3 }, cancellationToken: Token);
            var again = await ImportPipeline.RunAsync(package, successor, new ImportOptions { BatchSize = 3 }, cancellationToken: Token);

            Assert.Equal(rows.Count, first.Tables.Single().Created);
            Assert.Equal(rows.Count, again.Tables.Single().Skipped);
            // As the package holds them: an absent text list is an empty one there (docs/format.md).
            var packaged = new List<object?[]>();
            await foreach (var row in package.ReadRowsAsync(table.Name, Token))
            {
                packaged.Add(row);
            }
            Assert.Equal(Array.Empty<string>(), packaged.Single(row => (string)row[1]! == "edge-4")[table.OrdinalOf("tags")]);
            await AssertHeldAsync(successor, table, packaged);
            // And read-back agrees in its first pass: its encoding of the successor's values (PostgreSQL's binary COPY) is the package's.
            var readBack = await ReadBackVerifier.VerifyAsync(package, successor, new ReadBackOptions(), cancellationToken: Token);
            Assert.True(readBack.Equal);
            Assert.Equal(1, readBack.Tables.Single().Passes);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<List<object?[]>> EdgeRowsAsync()
    {
        var table = Schema.NeutralSchema.Interactions;
        var template = (await demo.RowsAsync("interactions"))[0];
        object?[] Row(string id, Action<object?[]> change)
        {
            var row = (object?[])template.Clone();
            row[1] = id;
            change(row);
            return row;
        }
        void Set(object?[] row, string column, object? value) => row[table.OrdinalOf(column)] = value;
        return
        [
            // Before PostgreSQL's epoch (2000) and Unix's (1970), with milliseconds: both sides of every epoch round down alike.
            Row("edge-1", row => { Set(row, "started_at", new DateTimeOffset(1999, 12, 31, 23, 59, 59, 999, TimeSpan.Zero)); Set(row, "ended_at", new DateTimeOffset(1969, 7, 20, 20, 17, 40, 1, TimeSpan.Zero)); }),
            Row("edge-2", row => { Set(row, "tags", Array.Empty<string>()); Set(row, "duration_seconds", long.MinValue); Set(row, "subject", ""); }),
            Row("edge-3", row => { Set(row, "tags", AwkwardTags); Set(row, "duration_seconds", long.MaxValue); }),
            Row("edge-4", row => { Set(row, "subject", "tab\tnew\nline \\ 日本語 🎧"); Set(row, "ended_at", null); Set(row, "tags", null); Set(row, "duration_seconds", null); }),
        ];
    }

    private static async Task AssertHeldAsync(ISuccessorConnector successor, Schema.TableSchema table, List<object?[]> rows)
    {
        var held = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        await foreach (var row in successor.ReadBackAsync(table, Token))
        {
            held.Add((string)row[1]!, row);
        }
        Assert.Equal(rows.Count, held.Count);
        foreach (var row in rows)
        {
            var back = held[(string)row[1]!];
            for (var ordinal = 0; ordinal < row.Length; ordinal++)
            {
                Assert.True(SameValue(row[ordinal], back[ordinal]), $"{row[1]} {table.Columns[ordinal].Name}: {row[ordinal]} read back as {back[ordinal]}");
            }
        }
    }

    private static bool SameValue(object? expected, object? actual) => (expected, actual) switch
    {
        (string[] left, string[] right) => left.SequenceEqual(right, StringComparer.Ordinal),
        (DateTimeOffset left, DateTimeOffset right) => left.UtcTicks == right.UtcTicks && right.Offset == TimeSpan.Zero,
        _ => Equals(expected, actual) && expected?.GetType() == actual?.GetType(),
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Rerunning_a_complete_import_creates_nothing_and_the_id_map_holds_every_key_once(string provider)
    {
        await using var database = SuccessorDatabase.Create(provider);
        await using (var successor = database.Connect())
        {
            await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions(), cancellationToken: Token);
        }
        await using (var successor = database.Connect())
        {
            var again = await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions(), cancellationToken: Token);

            Assert.True(again.Complete);
            Assert.Equal(demo.TotalRows, again.Tables.Sum(table => table.Skipped));
            Assert.Equal(0, again.Tables.Sum(table => table.Created + table.Updated));
        }
        Assert.Equal(demo.TotalRows, await database.CountAsync("exitkit_id_map"));
        Assert.Equal(demo.TotalRows, await DistinctMapKeysAsync(database));
        // The map names each row by its table and package key.
        var interaction = (await demo.RowsAsync("interactions"))[0];
        Assert.Equal(1L, Convert.ToInt64(await database.ExecuteAsync(
            $"SELECT COUNT(*) FROM {database.Table("exitkit_id_map")} WHERE table_name = 'interactions' AND source_system = '{interaction[0]}' AND source_id = '{interaction[1]}'"),
            System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<long> DistinctMapKeysAsync(SuccessorDatabase database) => Convert.ToInt64(await database.ExecuteAsync(
        $"SELECT COUNT(*) FROM (SELECT DISTINCT table_name, source_system, source_id FROM {database.Table("exitkit_id_map")}) keys"),
        System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_changed_row_is_updated_and_only_that_row(string provider)
    {
        await using var database = SuccessorDatabase.Create(provider);
        await using var successor = database.Connect();
        await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions(), cancellationToken: Token);
        var first = (await demo.RowsAsync("interactions"))[0];
        await database.ExecuteAsync($"UPDATE {database.Table("interactions")} SET status = 'tampered' WHERE source_id = '{first[1]}'");

        var again = await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions { Tables = ["interactions"] }, cancellationToken: Token);

        var interactions = Assert.Single(again.Tables);
        Assert.Equal(1, interactions.Updated);
        Assert.Equal(interactions.Rows - 1, interactions.Skipped);
        Assert.True((await ReadBackVerifier.VerifyAsync(demo.Package, successor, new ReadBackOptions(), cancellationToken: Token)).Equal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_import_killed_at_random_points_and_run_again_leaves_no_duplicate_and_no_missing_row(string provider)
    {
        await using var database = SuccessorDatabase.Create(provider);
        var random = new Random(20261124);
        var kills = 0;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var kill = CancellationTokenSource.CreateLinkedTokenSource(Token);
            await using var successor = new KillingSuccessor(database.Connect(), kill, afterRows: random.Next(1, (int)demo.TotalRows), random);
            try
            {
                await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions { BatchSize = 700 }, cancellationToken: kill.Token);
            }
            catch (OperationCanceledException) when (kill.IsCancellationRequested)
            {
                kills++;
            }
        }
        Assert.True(kills >= 3, $"only {kills} of 5 runs were killed");

        await using (var successor = database.Connect())
        {
            var finished = await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions { BatchSize = 700 }, cancellationToken: Token);
            var readBack = await ReadBackVerifier.VerifyAsync(demo.Package, successor, new ReadBackOptions(), cancellationToken: Token);

            Assert.True(finished.Complete);
            Assert.True(finished.Tables.Sum(table => table.Skipped) > 0, "the last run should have found rows the killed runs had committed");
            Assert.All(readBack.Tables, table => Assert.True(table.Equal, $"{table.Table}: {table.MissingCount} missing, {table.ExtraCount} extra, {table.DifferentCount} different"));
        }
        Assert.Equal(demo.TotalRows, await database.CountAsync("exitkit_id_map"));
        Assert.Equal(demo.TotalRows, await DistinctMapKeysAsync(database));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_row_the_successor_refuses_is_named_with_its_reason_and_the_import_is_incomplete(string provider)
    {
        await using var database = SuccessorDatabase.Create(provider);
        await using var successor = database.Connect();
        await successor.PrepareAsync([Schema.NeutralSchema.Interactions], dryRun: false, Token);
        // The successor's DBA sized the subject column: the longest subjects of the package no longer fit.
        var interactions = await demo.RowsAsync("interactions");
        var subject = Schema.NeutralSchema.Interactions.OrdinalOf("subject");
        var limit = interactions.Max(row => (row[subject] as string)?.Length ?? 0) - 1;
        var tooLong = interactions.Where(row => (row[subject] as string)?.Length > limit).Select(row => (string)row[1]!).Order().ToArray();
        Assert.NotEmpty(tooLong);
        await database.ExecuteAsync(provider switch
        {
            "sqlite" => $"CREATE TRIGGER subject_sized BEFORE INSERT ON interactions WHEN length(NEW.subject) > {limit} BEGIN SELECT RAISE(ABORT, 'subject is longer than {limit} characters'); END",
            "postgresql" => $"ALTER TABLE {database.Table("interactions")} ALTER COLUMN subject TYPE varchar({limit})",
            _ => $"ALTER TABLE {database.Table("interactions")} ALTER COLUMN subject nvarchar({limit})",
        });

        var result = await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions { BatchSize = 1_000 }, cancellationToken: Token);
        var readBack = await ReadBackVerifier.VerifyAsync(demo.Package, successor, new ReadBackOptions(), cancellationToken: Token);

        Assert.False(result.Complete);
        var outcome = result.Tables.Single(table => table.Table == "interactions");
        Assert.Equal(tooLong.Length, outcome.Failed);
        Assert.Equal(interactions.Count - tooLong.Length, outcome.Created);
        Assert.Equal(tooLong, outcome.Failures.Select(failure => failure.SourceId).Order());
        Assert.All(outcome.Failures, failure => Assert.Matches(provider switch
        {
            "sqlite" => "longer than",
            "postgresql" => "too long",
            _ => "truncated",
        }, failure.Reason));
        Assert.All(result.Tables.Where(table => table.Table != "interactions"), table => Assert.True(table.Complete));
        var interactionsBack = readBack.Tables.Single(table => table.Table == "interactions");
        Assert.False(readBack.Equal);
        Assert.Equal(tooLong, interactionsBack.Missing.Select(key => key.SourceId).Order());
        Assert.Equal(interactions.Count - tooLong.Length, await database.CountAsync("interactions"));
        Assert.Equal(demo.TotalRows - tooLong.Length, await database.CountAsync("exitkit_id_map"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_key_twice_in_one_batch_is_created_then_updated_never_duplicated(string provider)
    {
        await using var database = SuccessorDatabase.Create(provider);
        await using var successor = database.Connect();
        var skills = await demo.RowsAsync("skills");
        var changed = (object?[])skills[0].Clone();
        changed[Schema.NeutralSchema.Skills.OrdinalOf("name")] = "Renamed in the same batch";
        await successor.PrepareAsync([Schema.NeutralSchema.Skills], dryRun: false, Token);

        var results = await successor.ImportAsync(Schema.NeutralSchema.Skills, [.. skills, changed], dryRun: false, Token);

        Assert.Equal([.. Enumerable.Repeat(ImportOutcome.Created, skills.Count), ImportOutcome.Updated], results.Select(result => result.Outcome));
        Assert.Equal(skills.Count, await database.CountAsync("skills"));
        Assert.Equal("Renamed in the same batch", await database.ExecuteAsync($"SELECT name FROM {database.Table("skills")} WHERE source_id = '{skills[0][1]}'"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_dry_run_writes_nothing_and_says_what_would_be_created(string provider)
    {
        await using var database = SuccessorDatabase.Create(provider);
        await using (var successor = database.Connect())
        {
            var dry = await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions { DryRun = true }, cancellationToken: Token);

            Assert.True(dry.DryRun);
            Assert.Equal(demo.TotalRows, dry.Tables.Sum(table => table.Created));
        }
        Assert.False(await database.ExistsAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_dry_run_over_an_earlier_import_says_what_would_be_skipped_updated_and_refused_and_changes_nothing(string provider)
    {
        await using var database = SuccessorDatabase.Create(provider);
        await using var successor = database.Connect();
        await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions { Tables = ["queues", "skills"] }, cancellationToken: Token);
        var queue = (await demo.RowsAsync("queues"))[0];
        await database.ExecuteAsync($"UPDATE {database.Table("queues")} SET name = 'renamed' WHERE source_id = '{queue[1]}'");
        await database.ExecuteAsync($"DELETE FROM {database.Table("skills")} WHERE source_id = 'sk-english'");
        await database.ExecuteAsync(provider switch
        {
            "sqlite" => "CREATE TRIGGER no_language BEFORE INSERT ON skills WHEN NEW.skill_type = 'language' BEGIN SELECT RAISE(ABORT, 'no language skills here'); END",
            "postgresql" => $"ALTER TABLE {database.Table("skills")} ADD CONSTRAINT no_language CHECK (skill_type <> 'language') NOT VALID",
            _ => $"ALTER TABLE {database.Table("skills")} WITH NOCHECK ADD CONSTRAINT no_language CHECK (skill_type <> 'language')",
        });

        var dry = await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions { DryRun = true, Tables = ["queues", "skills", "flows"] }, cancellationToken: Token);

        var queues = dry.Tables.Single(table => table.Table == "queues");
        Assert.Equal((1L, queues.Rows - 1), (queues.Updated, queues.Skipped));
        Assert.Equal(dry.Tables.Single(table => table.Table == "flows").Rows, dry.Tables.Single(table => table.Table == "flows").Created);
        // The deleted language skill would be refused; the other one, held unchanged, is left alone despite the new rule.
        var skills = dry.Tables.Single(table => table.Table == "skills");
        Assert.Equal("sk-english", Assert.Single(skills.Failures).SourceId);
        Assert.Equal(skills.Rows - 1, skills.Skipped);
        Assert.False(dry.Complete);
        Assert.Equal("renamed", await database.ExecuteAsync($"SELECT name FROM {database.Table("queues")} WHERE source_id = '{queue[1]}'"));
        Assert.Empty(await successor.ReadBackAsync(Schema.NeutralSchema.Flows, Token).ToListAsync(Token));
    }
}

/// <summary>A successor whose import is killed (its token cancelled) once a given number of rows has been handed to it, at a random moment within the batch.</summary>
internal sealed class KillingSuccessor(ISuccessorConnector inner, CancellationTokenSource kill, int afterRows, Random random) : ISuccessorConnector
{
    private long _rows;

    public Task PrepareAsync(IReadOnlyList<Schema.TableSchema> tables, bool dryRun, CancellationToken cancellationToken = default) =>
        inner.PrepareAsync(tables, dryRun, cancellationToken);

    public Task<IReadOnlyList<RowImportResult>> ImportAsync(Schema.TableSchema table, IReadOnlyList<object?[]> rows, bool dryRun,
        CancellationToken cancellationToken = default)
    {
        _rows += rows.Count;
        if (_rows >= afterRows && !kill.IsCancellationRequested)
        {
            var delay = TimeSpan.FromMilliseconds(random.Next(0, 15));
            _ = Task.Run(async () =>
            {
                await Task.Delay(delay, CancellationToken.None);
                await kill.CancelAsync();
            }, CancellationToken.None);
        }
        return inner.ImportAsync(table, rows, dryRun, cancellationToken);
    }

    public IAsyncEnumerable<object?[]> ReadBackAsync(Schema.TableSchema table, CancellationToken cancellationToken = default) =>
        inner.ReadBackAsync(table, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
