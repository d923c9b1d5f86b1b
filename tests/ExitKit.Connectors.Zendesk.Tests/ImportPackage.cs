using System.Globalization;
using System.Runtime.CompilerServices;
using ExitKit.Export;
using ExitKit.Packaging;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Connectors.Zendesk.Tests;

/// <summary>A real exit package (Parquet, manifest, sealed) built from rows written here, to import into the fake account.</summary>
internal sealed class ImportPackage : IAsyncDisposable
{
    public const string System = "legacy-desk";
    private static readonly string[] Labels = ["delivery"];
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private ImportPackage(string folder, ExitPackage package, Dictionary<string, List<object?[]>> tables)
    {
        Folder = folder;
        Package = package;
        Tables = tables;
    }

    public string Folder { get; }
    public ExitPackage Package { get; }
    public Dictionary<string, List<object?[]>> Tables { get; }

    public long Rows(params string[] tables) => tables.Sum(table => (long)Tables.GetValueOrDefault(table, []).Count);

    /// <summary>Tickets with one to three messages each (HTML, text and internal notes), and articles in two locales.</summary>
    /// <param name="tickets">How many tickets.</param>
    /// <param name="longSubjectTicket">A ticket number whose subject is longer than Zendesk takes, or 0.</param>
    /// <param name="olderArticleVersion">Add a version 1 under version 2 of the first article.</param>
    public static async Task<ImportPackage> BuildAsync(int tickets = 6, int longSubjectTicket = 0, bool olderArticleVersion = false)
    {
        var statuses = new[] { "open", "solved", "closed", "pending", "new", "hold" };
        var interactions = new List<object?[]>();
        var messages = new List<object?[]>();
        for (var number = 1; number <= tickets; number++)
        {
            var id = "T-" + number.ToString("D3", CultureInfo.InvariantCulture);
            var started = Start.AddHours(number).AddMilliseconds(number * 7);
            var status = statuses[(number - 1) % statuses.Length];
            var row = NeutralSchema.Interactions.NewRow();
            Set(row, NeutralSchema.Interactions, ("source_system", System), ("source_id", id), ("channel", "email"), ("direction", "inbound"), ("status", status),
                ("subject", number == longSubjectTicket ? new string('x', FakeZendeskSuccessorAccount.SubjectLimit + 20) : $"Order {number} has not arrived"),
                ("started_at", started), ("updated_at", started.AddDays(1)), ("ended_at", status is "solved" or "closed" ? started.AddHours(20) : null),
                ("queue_id", "q-delivery"), ("agent_id", "agent-7"), ("customer_id", "cust-" + number.ToString(CultureInfo.InvariantCulture)),
                ("priority", number % 2 == 0 ? "high" : "p3"), ("duration_seconds", 300L), ("tags", new[] { "delivery", "wave-" + (number % 3).ToString(CultureInfo.InvariantCulture) }),
                ("source_extra", """{"legacy_queue":"Deliveries"}"""));
            interactions.Add(row);
            var count = 1 + number % 3;
            for (var sequence = 1; sequence <= count; sequence++)
            {
                var message = NeutralSchema.Messages.NewRow();
                var customer = sequence % 2 == 1;
                Set(message, NeutralSchema.Messages, ("source_system", System), ("source_id", $"{id}-m{sequence}"), ("interaction_id", id), ("sequence", (long)sequence),
                    ("author_role", customer ? "customer" : sequence == 2 ? "agent" : "bot"), ("author_id", customer ? "cust" : "agent-7"),
                    ("kind", sequence == 3 ? "note" : "turn"), ("visibility", sequence == 3 ? "internal" : "public"),
                    ("body", customer ? $"Where is order {number}? It was due on Monday." : $"<p>Order {number} left the depot <b>today</b>.</p>"),
                    ("body_format", customer ? "text" : "html"), ("sent_at", started.AddMinutes(sequence * 11).AddMilliseconds(3)), ("sentiment", customer ? -0.4 : 0.2));
                messages.Add(message);
            }
        }
        var articles = new List<object?[]>();
        void Article(string articleId, string locale, long version, string title, string section, string state)
        {
            var row = NeutralSchema.KbArticles.NewRow();
            Set(row, NeutralSchema.KbArticles, ("source_system", System), ("source_id", $"{articleId}/{locale}/{version}"), ("article_id", articleId),
                ("locale", locale), ("version", version), ("title", title), ("body", $"<h1>{title}</h1><p>Version {version}.</p>"), ("body_format", "html"),
                ("section_id", section), ("state", state), ("labels", Labels), ("author_id", "agent-7"),
                ("created_at", Start), ("updated_at", Start.AddDays(version)), ("published_at", state == "published" ? Start.AddDays(version) : null));
            articles.Add(row);
        }
        if (olderArticleVersion)
        {
            Article("kb-1", "en-us", 1, "Tracking a parcel (old)", "sec-faq", "published");
        }
        Article("kb-1", "en-us", 2, "Tracking a parcel", "sec-faq", "published");
        Article("kb-1", "fr", 2, "Suivre un colis", "sec-faq", "published");
        Article("kb-2", "en-us", 1, "Returns policy", "sec-policies", "draft");
        var tables = new Dictionary<string, List<object?[]>>(StringComparer.Ordinal)
        {
            ["interactions"] = interactions, ["messages"] = messages, ["kb_articles"] = articles,
        };
        var folder = Directory.CreateTempSubdirectory("exitkit-zendesk-import-").FullName;
        var store = new LocalPackageStore(Path.Combine(folder, "package"));
        await using (var source = new GivenRows(tables))
        {
            await ExportPipeline.RunAsync(source, new ConnectorDescriptor("given-rows", "1.0.0", "Rows written by a test.", [DataFamily.Interactions], true, false),
                store, new ExportOptions { Parallelism = 1 });
        }
        return new ImportPackage(folder, await ExitPackage.OpenAsync(store), tables);
    }

    private static void Set(object?[] row, TableSchema table, params (string Column, object? Value)[] values)
    {
        foreach (var (column, value) in values)
        {
            row[table.OrdinalOf(column)] = value;
        }
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    private sealed class GivenRows(Dictionary<string, List<object?[]>> tables) : ISourceConnector
    {
        public Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new SourceDescription(System, "test", tables.Select(pair => new SourceTable(pair.Key, pair.Value.Count)).ToList()));

        public Task ExportOriginalsAsync(ExportRequest request, IExportContext context, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public async IAsyncEnumerable<SourceRow> ReadTableAsync(TableSchema table, ExportRequest request, string? resumeAfter, IExportContext context,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            foreach (var row in tables[table.Name])
            {
                yield return new SourceRow(row);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
