using ExitKit.Import;
using ExitKit.Schema;
using Reply = ExitKit.Connectors.Zendesk.Tests.LocalHttpServer.Reply;

namespace ExitKit.Connectors.Zendesk.Tests;

public sealed class ZendeskSuccessorTests : IDisposable
{
    private static readonly string[] Held = ["interactions", "messages", "kb_articles"];
    private readonly string _folder = Directory.CreateTempSubdirectory("exitkit-zendesk-idmap-").FullName;

    private string IdMap => Path.Combine(_folder, "zendesk-id-map.db");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static ImportOptions Options(bool dryRun = false, int batchSize = 5_000) => new() { Tables = Held, DryRun = dryRun, BatchSize = batchSize };

    private static ReadBackOptions Back => new() { Tables = Held };

    private static string Describe(ImportResult result) =>
        string.Join("; ", result.Tables.SelectMany(table => table.Failures).Select(failure => $"{failure.SourceId}: {failure.Reason}"));

    private static string Describe(ReadBackResult result) =>
        string.Join("; ", result.Tables.Where(table => !table.Equal).Select(table =>
            $"{table.Table}: missing [{string.Join(", ", table.Missing)}] extra [{string.Join(", ", table.Extra)}] different [{string.Join(", ", table.Different.Select(row => $"{row.Key} ({string.Join(", ", row.Columns)})"))}]"));

    [Fact]
    public async Task Tickets_arrive_with_their_comments_and_articles_with_their_translations_and_read_back_equal()
    {
        await using var package = await ImportPackage.BuildAsync();
        await using var account = new FakeZendeskSuccessorAccount();
        await using var successor = account.CreateSuccessor(IdMap);

        var imported = await ImportPipeline.RunAsync(package.Package, successor, Options(), cancellationToken: Token);
        var readBack = await ReadBackVerifier.VerifyAsync(package.Package, successor, Back, cancellationToken: Token);

        Assert.True(imported.Complete, Describe(imported));
        Assert.Equal(package.Rows(Held), imported.Tables.Sum(table => table.Created));
        Assert.True(readBack.Equal, Describe(readBack));
        Assert.Equal(package.Rows(Held), readBack.Tables.Sum(table => table.Matching));
        // What Zendesk was sent, as its documentation describes the import.
        var tickets = account.Tickets;
        Assert.Equal(6, tickets.Count);
        var first = tickets.Single(ticket => ticket.ExternalId == "legacy-desk/T-001");
        Assert.Equal(("open", 9001L, "2025-03-01T10:00:00Z"), (first.Status, first.RequesterId, first.CreatedAt));
        Assert.Equal([9001L, 9002L], first.Comments.Select(comment => comment.AuthorId));
        Assert.Equal("Where is order 1? It was due on Monday.", first.Comments[0].Body);
        Assert.Equal("<div class=\"zd-comment\" dir=\"auto\"><p>Order 1 left the depot <b>today</b>.</p></div>", first.Comments[1].HtmlBody);
        Assert.False(tickets.Single(ticket => ticket.ExternalId == "legacy-desk/T-002").Comments[2].Public);
        var article = Assert.Single(account.Articles, article => article.Translations.ContainsKey("fr"));
        Assert.Equal((501L, "en-us"), (article.SectionId, article.SourceLocale));
        Assert.Equal("Suivre un colis", article.Translations["fr"].Title);
        Assert.Equal(502L, account.Articles.Single(other => other != article).SectionId);
        // And the report says which columns Zendesk does not hold.
        var interactions = imported.Tables.Single(table => table.Table == "interactions");
        Assert.Contains(interactions.ColumnsNotHeld, column => column.Column == "queue_id");
        Assert.Contains(interactions.ColumnsNotHeld, column => column.Column == "duration_seconds");
    }

    [Fact]
    public async Task Running_the_import_again_creates_nothing_in_zendesk()
    {
        await using var package = await ImportPackage.BuildAsync();
        await using var account = new FakeZendeskSuccessorAccount();
        await using (var successor = account.CreateSuccessor(IdMap))
        {
            await ImportPipeline.RunAsync(package.Package, successor, Options(), cancellationToken: Token);
        }
        var writes = account.Writes.Count;
        await using (var successor = account.CreateSuccessor(IdMap))
        {
            var again = await ImportPipeline.RunAsync(package.Package, successor, Options(), cancellationToken: Token);

            Assert.True(again.Complete, Describe(again));
            Assert.Equal(package.Rows(Held), again.Tables.Sum(table => table.Skipped));
            Assert.Equal(0, again.Tables.Sum(table => table.Created + table.Updated));
        }
        Assert.Equal(writes, account.Writes.Count);
        Assert.Equal(6, account.Tickets.Count);
        Assert.Equal(2, account.Articles.Count);
    }

    [Fact]
    public async Task An_import_killed_at_random_points_and_run_again_leaves_no_duplicate_and_no_missing_row()
    {
        await using var package = await ImportPackage.BuildAsync(tickets: 30);
        await using var account = new FakeZendeskSuccessorAccount();
        var random = new Random(20261124);
        var kills = 0;
        for (var attempt = 0; attempt < 6; attempt++)
        {
            using var kill = CancellationTokenSource.CreateLinkedTokenSource(Token);
            // Half the runs die between batches or requests, half right after Zendesk applied a request and before its answer was recorded.
            var afterRows = attempt % 2 == 1 ? random.Next(1, (int)package.Rows(Held)) : int.MaxValue;
            if (attempt % 2 == 0)
            {
                account.KillAfterWrites(random.Next(1, 6), kill);
            }
            await using var successor = new KillingSuccessor(account.CreateSuccessor(IdMap), kill, afterRows, random);
            try
            {
                await ImportPipeline.RunAsync(package.Package, successor, Options(batchSize: 4), cancellationToken: kill.Token);
            }
            catch (OperationCanceledException) when (kill.IsCancellationRequested)
            {
                kills++;
            }
        }
        Assert.True(kills >= 4, $"only {kills} of 6 runs were killed");
        account.StopKilling();

        await using (var successor = account.CreateSuccessor(IdMap))
        {
            var finished = await ImportPipeline.RunAsync(package.Package, successor, Options(batchSize: 4), cancellationToken: Token);
            var readBack = await ReadBackVerifier.VerifyAsync(package.Package, successor, Back, cancellationToken: Token);

            Assert.True(finished.Complete, Describe(finished));
            Assert.True(finished.Tables.Sum(table => table.Skipped) > 0, "the last run should have found rows the killed runs had imported");
            Assert.True(readBack.Equal, Describe(readBack));
        }
        Assert.Equal(30, account.Tickets.Count);
        Assert.All(account.Tickets.GroupBy(ticket => ticket.ExternalId), group => Assert.Single(group));
        Assert.Equal(2, account.Articles.Count);
        Assert.Equal(3, account.Articles.Sum(article => article.Translations.Count));
    }

    [Fact]
    public async Task An_article_created_just_before_the_import_died_is_found_again_in_its_section_not_created_twice()
    {
        await using var package = await ImportPackage.BuildAsync(tickets: 1);
        await using var account = new FakeZendeskSuccessorAccount();
        using (var kill = CancellationTokenSource.CreateLinkedTokenSource(Token))
        {
            // The first write is the ticket, the second creates the first article: the import dies before recording its id.
            account.KillAfterWrites(2, kill);
            await using var dying = account.CreateSuccessor(IdMap);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ImportPipeline.RunAsync(package.Package, dying, Options(), cancellationToken: kill.Token));
        }
        account.StopKilling();
        Assert.Single(account.Articles);

        await using var successor = account.CreateSuccessor(IdMap);
        var finished = await ImportPipeline.RunAsync(package.Package, successor, Options(), cancellationToken: Token);
        var readBack = await ReadBackVerifier.VerifyAsync(package.Package, successor, Back, cancellationToken: Token);

        Assert.True(finished.Complete, Describe(finished));
        Assert.True(readBack.Equal, Describe(readBack));
        Assert.Equal(2, account.Articles.Count);
        Assert.Equal(3, account.Articles.Sum(article => article.Translations.Count));
        Assert.Contains(account.Server.Requests, request => request.PathAndQuery.StartsWith("/api/v2/help_center/sections/501/articles.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_ticket_zendesk_created_before_answering_500_is_found_by_its_external_id_not_created_twice()
    {
        await using var package = await ImportPackage.BuildAsync(tickets: 3);
        await using var account = new FakeZendeskSuccessorAccount();
        account.Fail("POST", "/api/v2/imports/tickets", Reply.Error(500), times: 1, afterApplying: true);
        await using var successor = account.CreateSuccessor(IdMap);

        var imported = await ImportPipeline.RunAsync(package.Package, successor, Options(), cancellationToken: Token);

        Assert.True(imported.Complete, Describe(imported));
        Assert.Equal(3, account.Tickets.Count);
        Assert.Equal(3, account.Writes.Count(write => write == "POST /api/v2/imports/tickets"));
        Assert.Contains(account.Server.Requests, request => request.PathAndQuery.StartsWith("/api/v2/tickets.json?external_id=legacy-desk%2FT-001", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_429_during_the_import_is_waited_out_as_retry_after_says_and_everything_arrives()
    {
        await using var package = await ImportPackage.BuildAsync(tickets: 3);
        await using var account = new FakeZendeskSuccessorAccount();
        account.Fail("POST", "/api/v2/imports/tickets", Reply.Error(429, retryAfter: "1"), times: 2);
        await using var successor = account.CreateSuccessor(IdMap);

        var imported = await ImportPipeline.RunAsync(package.Package, successor, Options(), cancellationToken: Token);

        Assert.True(imported.Complete, Describe(imported));
        Assert.Equal(3, account.Tickets.Count);
        var posts = account.Server.Requests.Where(request => request.PathAndQuery == "/api/v2/imports/tickets").OrderBy(request => request.At).ToList();
        Assert.Equal([429, 429, 201], posts.Take(3).Select(request => request.Status));
        Assert.True(posts[2].At - posts[1].At >= TimeSpan.FromSeconds(0.9), $"the retry came {(posts[2].At - posts[1].At).TotalMilliseconds} ms after the 429");
    }

    [Fact]
    public async Task A_ticket_zendesk_refuses_is_named_by_key_with_zendesks_reason_and_so_are_its_messages()
    {
        await using var package = await ImportPackage.BuildAsync(tickets: 4, longSubjectTicket: 2);
        await using var account = new FakeZendeskSuccessorAccount();
        await using var successor = account.CreateSuccessor(IdMap);

        var imported = await ImportPipeline.RunAsync(package.Package, successor, Options(), cancellationToken: Token);
        var readBack = await ReadBackVerifier.VerifyAsync(package.Package, successor, Back, cancellationToken: Token);

        Assert.False(imported.Complete);
        var refused = Assert.Single(imported.Tables.Single(table => table.Table == "interactions").Failures);
        Assert.Equal(("legacy-desk", "T-002"), (refused.SourceSystem, refused.SourceId));
        Assert.Equal("Zendesk refused it (422 RecordInvalid): Subject: is too long (maximum is 150 characters)", refused.Reason);
        var messages = imported.Tables.Single(table => table.Table == "messages");
        Assert.Equal(["T-002-m1", "T-002-m2", "T-002-m3"], messages.Failures.Select(failure => failure.SourceId));
        Assert.All(messages.Failures, failure => Assert.StartsWith("its interaction T-002 was refused: Zendesk refused it (422", failure.Reason, StringComparison.Ordinal));
        Assert.Equal(3, account.Tickets.Count);
        Assert.Equal("T-002", Assert.Single(readBack.Tables.Single(table => table.Table == "interactions").Missing).SourceId);
        Assert.Equal(3, readBack.Tables.Single(table => table.Table == "messages").MissingCount);
    }

    [Fact]
    public async Task An_older_article_version_is_refused_by_key_as_superseded_and_the_latest_is_imported()
    {
        await using var package = await ImportPackage.BuildAsync(tickets: 1, olderArticleVersion: true);
        await using var account = new FakeZendeskSuccessorAccount();
        await using var successor = account.CreateSuccessor(IdMap);

        var imported = await ImportPipeline.RunAsync(package.Package, successor, Options(), cancellationToken: Token);

        var articles = imported.Tables.Single(table => table.Table == "kb_articles");
        var superseded = Assert.Single(articles.Failures);
        Assert.Equal("kb-1/en-us/1", superseded.SourceId);
        Assert.Contains("superseded", superseded.Reason, StringComparison.Ordinal);
        Assert.Equal("Tracking a parcel", account.Articles.Single(article => article.SourceLocale == "en-us" && article.SectionId == 501).Translations["en-us"].Title);
        Assert.False(imported.Complete);
    }

    [Fact]
    public async Task A_changed_article_is_updated_in_place()
    {
        await using var package = await ImportPackage.BuildAsync(tickets: 1);
        await using var account = new FakeZendeskSuccessorAccount();
        await using (var successor = account.CreateSuccessor(IdMap))
        {
            await ImportPipeline.RunAsync(package.Package, successor, Options(), cancellationToken: Token);
        }
        await using (var successor = account.CreateSuccessor(IdMap))
        {
            var rows = package.Tables["kb_articles"].Select(original => (object?[])original.Clone()).ToList();
            rows[0][NeutralSchema.KbArticles.OrdinalOf("title")] = "Tracking a parcel, revised";
            await successor.AttachPackageAsync(new PackageImportSource(package.Package), Token);
            await successor.PrepareAsync([NeutralSchema.KbArticles], dryRun: false, Token);

            var results = await successor.ImportAsync(NeutralSchema.KbArticles, rows, dryRun: false, Token);

            Assert.Equal([ImportOutcome.Updated, ImportOutcome.Skipped, ImportOutcome.Skipped], results.Select(result => result.Outcome));
        }
        Assert.Equal("Tracking a parcel, revised", account.Articles.Single(article => article.SectionId == 501).Translations["en-us"].Title);
        Assert.Equal(2, account.Articles.Count);
    }

    [Fact]
    public async Task A_dry_run_sends_nothing_writes_no_id_map_and_says_what_would_be_created()
    {
        await using var package = await ImportPackage.BuildAsync(tickets: 4, longSubjectTicket: 0);
        await using var account = new FakeZendeskSuccessorAccount();
        await using (var successor = account.CreateSuccessor(IdMap))
        {
            var dry = await ImportPipeline.RunAsync(package.Package, successor, Options(dryRun: true), cancellationToken: Token);

            Assert.True(dry.DryRun);
            Assert.True(dry.Complete, Describe(dry));
            Assert.Equal(package.Rows(Held), dry.Tables.Sum(table => table.Created));
        }
        Assert.Empty(account.Writes);
        Assert.False(File.Exists(IdMap));
    }

    [Fact]
    public async Task Closed_tickets_imported_straight_to_the_archive_read_back_through_the_single_ticket_endpoint()
    {
        await using var package = await ImportPackage.BuildAsync(tickets: 6);
        await using var account = new FakeZendeskSuccessorAccount();
        await using var successor = account.CreateSuccessor(IdMap, extra: """, "archiveImmediately": true""");

        var imported = await ImportPipeline.RunAsync(package.Package, successor, Options(), cancellationToken: Token);
        var readBack = await ReadBackVerifier.VerifyAsync(package.Package, successor, Back, cancellationToken: Token);

        Assert.True(imported.Complete, Describe(imported));
        Assert.Contains(account.Server.Requests, request => request.PathAndQuery == "/api/v2/imports/tickets?archive_immediately=true");
        Assert.Single(account.Tickets, ticket => ticket.Archived);
        Assert.True(readBack.Equal, Describe(readBack));
    }

    [Fact]
    public async Task Tables_zendesk_cannot_hold_are_refused_before_anything_is_sent_saying_which_to_select()
    {
        await using var package = await ImportPackage.BuildAsync(tickets: 1);
        await using var account = new FakeZendeskSuccessorAccount();
        await using var successor = account.CreateSuccessor(IdMap);
        var surveys = NeutralSchema.Surveys;

        var refused = await Assert.ThrowsAsync<ExitKitException>(() => successor.PrepareAsync([NeutralSchema.Interactions, surveys], dryRun: false, Token));

        Assert.Contains("also selects surveys", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--tables interactions", refused.Message, StringComparison.Ordinal);
        Assert.Empty(account.Server.Requests);
    }

    [Fact]
    public async Task The_api_token_reaches_no_result_reason_error_or_id_map()
    {
        await using var package = await ImportPackage.BuildAsync(tickets: 3, longSubjectTicket: 1);
        await using var account = new FakeZendeskSuccessorAccount();
        string everything;
        await using (var successor = account.CreateSuccessor(IdMap))
        {
            var imported = await ImportPipeline.RunAsync(package.Package, successor, Options(), cancellationToken: Token);
            everything = System.Text.Json.JsonSerializer.Serialize(imported);
        }
        await using (var wrong = account.CreateSuccessor(Path.Combine(_folder, "other.db"), token: "zd-WRONG-secret-token"))
        {
            var refused = await Assert.ThrowsAsync<ExitKitException>(() => ImportPipeline.RunAsync(package.Package, wrong, Options(), cancellationToken: Token));
            Assert.Contains("was refused (401)", refused.Message, StringComparison.Ordinal);
            everything += refused.ToString();
        }
        everything += System.Text.Encoding.UTF8.GetString(await File.ReadAllBytesAsync(IdMap, Token));

        Assert.DoesNotContain(FakeZendeskSuccessorAccount.Token, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("zd-WRONG-secret-token", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{FakeZendeskSuccessorAccount.Email}/token:{FakeZendeskSuccessorAccount.Token}")),
            everything, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

/// <summary>A successor whose import is killed (its token cancelled) once a given number of rows has been handed to it, at a random moment within the batch.</summary>
internal sealed class KillingSuccessor(ISuccessorConnector inner, CancellationTokenSource kill, int afterRows, Random random) : ISuccessorConnector
{
    private long _rows;

    public Task AttachPackageAsync(IImportSource package, CancellationToken cancellationToken = default) => inner.AttachPackageAsync(package, cancellationToken);

    public IReadOnlyList<ColumnNotHeld> ColumnsNotHeld(TableSchema table) => inner.ColumnsNotHeld(table);

    public object?[] AsHeld(TableSchema table, object?[] row) => inner.AsHeld(table, row);

    public Task PrepareAsync(IReadOnlyList<TableSchema> tables, bool dryRun, CancellationToken cancellationToken = default) =>
        inner.PrepareAsync(tables, dryRun, cancellationToken);

    public Task<IReadOnlyList<RowImportResult>> ImportAsync(TableSchema table, IReadOnlyList<object?[]> rows, bool dryRun,
        CancellationToken cancellationToken = default)
    {
        _rows += rows.Count;
        if (_rows >= afterRows && !kill.IsCancellationRequested)
        {
            var delay = TimeSpan.FromMilliseconds(random.Next(0, 20));
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
