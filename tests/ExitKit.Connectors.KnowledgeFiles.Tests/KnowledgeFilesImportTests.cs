using ExitKit.Import;
using ExitKit.Schema;

namespace ExitKit.Connectors.KnowledgeFiles.Tests;

public sealed class KnowledgeFilesImportTests(DemoPackage demo) : IClassFixture<DemoPackage>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static ImportOptions Knowledge(bool dryRun = false, int batchSize = 5_000) =>
        new() { Tables = DemoPackage.KnowledgeTables, DryRun = dryRun, BatchSize = batchSize };

    private static ReadBackOptions KnowledgeBack => new() { Tables = DemoPackage.KnowledgeTables };

    [Fact]
    public async Task The_knowledge_base_reads_back_equal_in_every_row_and_column()
    {
        using var output = new OutputFolder();
        await using var successor = output.Connect();

        var imported = await ImportPipeline.RunAsync(demo.Package, successor, Knowledge(), cancellationToken: Token);
        var readBack = await ReadBackVerifier.VerifyAsync(demo.Package, successor, KnowledgeBack, cancellationToken: Token);

        Assert.True(imported.Complete, string.Join("; ", imported.Tables.SelectMany(table => table.Failures).Select(failure => $"{failure.SourceId}: {failure.Reason}")));
        Assert.Equal(demo.KnowledgeRows, imported.Tables.Sum(table => table.Created));
        Assert.All(imported.Tables, table => Assert.Empty(table.ColumnsNotHeld));
        Assert.All(readBack.Tables, table => Assert.True(table.Equal, $"{table.Table}: {table.MissingCount} missing, {table.ExtraCount} extra, {table.DifferentCount} different"));
        Assert.Equal(demo.KnowledgeRows, readBack.Tables.Sum(table => table.Matching));
        // And value by value, independently of the verifier's hashing.
        foreach (var table in new[] { NeutralSchema.KbSections, NeutralSchema.KbArticles, NeutralSchema.KbAttachments })
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

    private static bool SameValue(object? expected, object? actual) => (expected, actual) switch
    {
        (string[] left, string[] right) => left.SequenceEqual(right, StringComparer.Ordinal),
        (DateTimeOffset left, DateTimeOffset right) => left.UtcTicks == right.UtcTicks && right.Offset == TimeSpan.Zero,
        _ => Equals(expected, actual) && expected?.GetType() == actual?.GetType(),
    };

    [Fact]
    public async Task Articles_go_per_locale_and_section_latest_version_as_the_page_older_ones_in_history_attachments_beside()
    {
        using var output = new OutputFolder();
        await using var successor = output.Connect();

        await ImportPipeline.RunAsync(demo.Package, successor, Knowledge(), cancellationToken: Token);

        var files = output.Files();
        // kb-0000 has two versions in each locale and an image shared by both locales; it is filed under "Tracking a parcel".
        Assert.Contains("en-gb/orders-and-delivery/_index.md", files);
        Assert.Contains("en-gb/orders-and-delivery/tracking-a-parcel/_index.md", files);
        Assert.Contains("fr-fr/commandes-et-livraison/suivre-un-colis/_index.md", files);
        Assert.Contains("en-gb/orders-and-delivery/tracking-a-parcel/where-is-my-parcel-1.md", files);
        Assert.Contains("en-gb/orders-and-delivery/tracking-a-parcel/where-is-my-parcel-1.history/v1.md", files);
        Assert.Contains("en-gb/orders-and-delivery/tracking-a-parcel/where-is-my-parcel-1.files/screenshot.png", files);
        Assert.Contains("fr-fr/commandes-et-livraison/suivre-un-colis/where-is-my-parcel-1-fr.files/screenshot.png", files);
        Assert.Contains(".exitkit-import.json", files);
        Assert.DoesNotContain(files, file => file.StartsWith(".exitkit-tmp/", StringComparison.Ordinal));

        var page = output.Read("en-gb/orders-and-delivery/tracking-a-parcel/where-is-my-parcel-1.md");
        Assert.StartsWith("---\nexitkit_table: kb_articles\ntitle: \"Where is my parcel (1)\"\nsource_system: \"sample\"\nsource_id: \"kb-0000/en-gb/2\"\n", page, StringComparison.Ordinal);
        Assert.Contains("version: 2\n", page, StringComparison.Ordinal);
        Assert.Contains("labels: [\"self-service\", \"top-10\"]\n", page, StringComparison.Ordinal);
        Assert.Contains("attachments:\n- path: \"where-is-my-parcel-1.files/screenshot.png\"\n", page, StringComparison.Ordinal);
        // The body is the package's HTML, unchanged after the front matter: Markdown allows HTML.
        Assert.EndsWith("\n---\n<h1>Where is my parcel (1)</h1><p>Step-by-step help for customers. Version 2.</p><ol><li>Open your account.</li><li>Choose Orders.</li><li>Follow the prompts.</li></ol>",
            page, StringComparison.Ordinal);
        Assert.Contains("version: 1\n", output.Read("en-gb/orders-and-delivery/tracking-a-parcel/where-is-my-parcel-1.history/v1.md"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Running_the_import_again_creates_nothing_and_keeps_every_file_and_successor_id()
    {
        using var output = new OutputFolder();
        var ids = new Dictionary<string, string?>();
        await using (var successor = output.Connect())
        {
            await ImportPipeline.RunAsync(demo.Package, successor, Knowledge(), cancellationToken: Token);
        }
        var stamps = output.Files().ToDictionary(file => file, file => File.GetLastWriteTimeUtc(Path.Combine(output.Root, file)));
        await using (var successor = output.Connect())
        {
            var again = await ImportPipeline.RunAsync(demo.Package, successor, Knowledge(), cancellationToken: Token);

            Assert.True(again.Complete);
            Assert.Equal(demo.KnowledgeRows, again.Tables.Sum(table => table.Skipped));
            Assert.Equal(0, again.Tables.Sum(table => table.Created + table.Updated));
        }
        Assert.Equal(stamps.Keys.Where(file => file != ".exitkit-import.json"), output.Files().Where(file => file != ".exitkit-import.json"));
        Assert.All(stamps.Where(pair => pair.Key != ".exitkit-import.json"),
            pair => Assert.Equal(pair.Value, File.GetLastWriteTimeUtc(Path.Combine(output.Root, pair.Key))));
    }

    [Fact]
    public async Task An_import_killed_at_random_points_and_run_again_leaves_no_duplicate_and_no_missing_row()
    {
        using var output = new OutputFolder();
        var random = new Random(20261124);
        var kills = 0;
        for (var attempt = 0; attempt < 6; attempt++)
        {
            using var kill = CancellationTokenSource.CreateLinkedTokenSource(Token);
            await using var successor = new KillingSuccessor(output.Connect(), kill, afterRows: random.Next(1, (int)demo.KnowledgeRows), random);
            try
            {
                await ImportPipeline.RunAsync(demo.Package, successor, Knowledge(batchSize: 7), cancellationToken: kill.Token);
            }
            catch (OperationCanceledException) when (kill.IsCancellationRequested)
            {
                kills++;
            }
        }
        Assert.True(kills >= 4, $"only {kills} of 6 runs were killed");

        await using (var successor = output.Connect())
        {
            var finished = await ImportPipeline.RunAsync(demo.Package, successor, Knowledge(batchSize: 7), cancellationToken: Token);
            var readBack = await ReadBackVerifier.VerifyAsync(demo.Package, successor, KnowledgeBack, cancellationToken: Token);

            Assert.True(finished.Complete);
            Assert.True(finished.Tables.Sum(table => table.Skipped) > 0, "the last run should have found rows the killed runs had written");
            Assert.All(readBack.Tables, table => Assert.True(table.Equal, $"{table.Table}: {table.MissingCount} missing, {table.ExtraCount} extra, {table.DifferentCount} different"));
        }
        var markdown = output.Files().Count(file => file.EndsWith(".md", StringComparison.Ordinal));
        Assert.Equal(demo.Package.Manifest.FindTable("kb_sections")!.Rows + demo.Package.Manifest.FindTable("kb_articles")!.Rows, markdown);
        Assert.False(Directory.Exists(Path.Combine(output.Root, ".exitkit-tmp")), "temporary files were left behind");
    }

    [Fact]
    public async Task A_dry_run_writes_nothing_and_says_what_would_be_created()
    {
        using var output = new OutputFolder();
        await using var successor = output.Connect();

        var dry = await ImportPipeline.RunAsync(demo.Package, successor, Knowledge(dryRun: true), cancellationToken: Token);

        Assert.True(dry.DryRun);
        Assert.True(dry.Complete);
        Assert.Equal(demo.KnowledgeRows, dry.Tables.Sum(table => table.Created));
        Assert.False(Directory.Exists(output.Root));
    }

    [Fact]
    public async Task A_dry_run_over_an_earlier_import_says_what_would_be_updated_and_skipped_and_changes_nothing()
    {
        using var output = new OutputFolder();
        await using var successor = output.Connect();
        await ImportPipeline.RunAsync(demo.Package, successor, Knowledge(), cancellationToken: Token);
        const string page = "en-gb/orders-and-delivery/tracking-a-parcel/where-is-my-parcel-1.md";
        var edited = output.Read(page).Replace("Step-by-step", "Edited by hand", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(output.Root, page), edited, Token);
        File.Delete(Path.Combine(output.Root, "en-gb/orders-and-delivery/_index.md"));

        var dry = await ImportPipeline.RunAsync(demo.Package, successor, Knowledge(dryRun: true), cancellationToken: Token);

        var articles = dry.Tables.Single(table => table.Table == "kb_articles");
        Assert.Equal((1L, articles.Rows - 1), (articles.Updated, articles.Skipped));
        var sections = dry.Tables.Single(table => table.Table == "kb_sections");
        Assert.Equal((0L, 1L, sections.Rows - 1), (sections.Updated, sections.Created, sections.Skipped));
        Assert.Equal(edited, output.Read(page));
        Assert.False(File.Exists(Path.Combine(output.Root, "en-gb/orders-and-delivery/_index.md")));
    }

    [Fact]
    public async Task Read_back_names_a_page_edited_by_hand_a_duplicate_and_a_missing_attachment()
    {
        using var output = new OutputFolder();
        await using var successor = output.Connect();
        await ImportPipeline.RunAsync(demo.Package, successor, Knowledge(), cancellationToken: Token);
        const string folder = "en-gb/orders-and-delivery/tracking-a-parcel/";
        var page = Path.Combine(output.Root, folder + "where-is-my-parcel-1.md");
        await File.WriteAllTextAsync(page, (await File.ReadAllTextAsync(page, Token)).Replace("Version 2.", "Version 3.", StringComparison.Ordinal), Token);
        File.Copy(Path.Combine(output.Root, folder + "_index.md"), Path.Combine(output.Root, folder + "copy-of-index.md"));
        File.Delete(Path.Combine(output.Root, "fr-fr/commandes-et-livraison/suivre-un-colis/where-is-my-parcel-1-fr.files/screenshot.png"));

        var readBack = await ReadBackVerifier.VerifyAsync(demo.Package, successor, KnowledgeBack, cancellationToken: Token);

        var articles = readBack.Tables.Single(table => table.Table == "kb_articles");
        var different = Assert.Single(articles.Different);
        Assert.Equal(("sample", "kb-0000/en-gb/2"), (different.Key.SourceSystem, different.Key.SourceId));
        Assert.Equal(["body"], different.Columns);
        var sections = readBack.Tables.Single(table => table.Table == "kb_sections");
        Assert.Equal(1, sections.ExtraCount);
        Assert.Equal("sec-tracking/en-gb", Assert.Single(sections.Extra).SourceId);
        var attachments = readBack.Tables.Single(table => table.Table == "kb_attachments");
        var image = Assert.Single(attachments.Different);
        Assert.Equal("kb-0000-img1", image.Key.SourceId);
        Assert.Equal(["size_bytes", "sha256"], image.Columns);
        Assert.False(readBack.Equal);
    }

    [Fact]
    public async Task An_attachment_whose_file_the_package_lacks_is_refused_by_key_with_the_reason_and_the_rest_arrive()
    {
        var damaged = demo.CopyTo(Path.Combine(Directory.CreateTempSubdirectory("exitkit-kb-damaged-").FullName, "p"));
        try
        {
            var package = await Packaging.ExitPackage.OpenAsync(new Storage.LocalPackageStore(damaged), Token);
            var image = (await demo.RowsAsync("kb_attachments"))[0];
            // Every image of the sample is the same tiny PNG, so removing its artefact leaves every attachment without its file.
            File.Delete(Path.Combine(damaged, ((string)image[NeutralSchema.KbAttachments.OrdinalOf("artefact_path")]!).Replace('/', Path.DirectorySeparatorChar)));
            using var output = new OutputFolder();
            await using var successor = output.Connect();

            var imported = await ImportPipeline.RunAsync(package, successor, Knowledge(), cancellationToken: Token);
            var readBack = await ReadBackVerifier.VerifyAsync(package, successor, KnowledgeBack, cancellationToken: Token);

            Assert.False(imported.Complete);
            var attachments = imported.Tables.Single(table => table.Table == "kb_attachments");
            Assert.Equal(attachments.Rows, attachments.Failed);
            Assert.All(attachments.Failures, failure => Assert.Contains("could not be read from the package", failure.Reason, StringComparison.Ordinal));
            Assert.Contains(attachments.Failures, failure => failure.SourceId == (string)image[1]!);
            Assert.All(imported.Tables.Where(table => table.Table != "kb_attachments"), table => Assert.True(table.Complete));
            Assert.Equal(attachments.Rows, readBack.Tables.Single(table => table.Table == "kb_attachments").MissingCount);
            Assert.DoesNotContain(output.Files(), file => file.EndsWith(".png", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(damaged)!, recursive: true);
        }
    }

    [Fact]
    public async Task Tables_outside_the_knowledge_base_are_refused_before_anything_is_written_saying_which_to_select()
    {
        using var output = new OutputFolder();
        await using var successor = output.Connect();

        var refused = await Assert.ThrowsAsync<ExitKitException>(() =>
            ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions { Tables = ["interactions", "kb_articles"] }, cancellationToken: Token));

        Assert.Contains("also selects interactions", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--tables kb_articles", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output.Root));
    }
}

/// <summary>A successor whose import is killed (its token cancelled) once a given number of rows has been handed to it, at a random moment within the batch.</summary>
internal sealed class KillingSuccessor(ISuccessorConnector inner, CancellationTokenSource kill, int afterRows, Random random) : ISuccessorConnector
{
    private long _rows;

    public Task AttachPackageAsync(IImportSource package, CancellationToken cancellationToken = default) => inner.AttachPackageAsync(package, cancellationToken);

    public Task PrepareAsync(IReadOnlyList<TableSchema> tables, bool dryRun, CancellationToken cancellationToken = default) =>
        inner.PrepareAsync(tables, dryRun, cancellationToken);

    public Task<IReadOnlyList<RowImportResult>> ImportAsync(TableSchema table, IReadOnlyList<object?[]> rows, bool dryRun,
        CancellationToken cancellationToken = default)
    {
        _rows += rows.Count;
        if (_rows >= afterRows && !kill.IsCancellationRequested)
        {
            var delay = TimeSpan.FromMilliseconds(random.Next(0, 5));
            _ = Task.Run(async () =>
            {
                await Task.Delay(delay, CancellationToken.None);
                await kill.CancelAsync();
            }, CancellationToken.None);
        }
        return inner.ImportAsync(table, rows, dryRun, cancellationToken);
    }

    public IAsyncEnumerable<object?[]> ReadBackAsync(TableSchema table, CancellationToken cancellationToken = default) => inner.ReadBackAsync(table, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
