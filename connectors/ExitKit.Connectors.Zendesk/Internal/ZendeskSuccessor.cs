using ExitKit.Schema;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>What the Zendesk successor was configured with (validated by the plugin).</summary>
internal sealed record ZendeskSuccessorSettings(string IdMapPath, long? RequesterId, long? AuthorId, bool ArchiveImmediately,
    IReadOnlyDictionary<string, long> Sections, long? SectionId, long? PermissionGroupId, long? UserSegmentId, string ConfigPath);

/// <summary>
/// Imports interactions with their messages as tickets through the Ticket Import API, and article versions as Help Center
/// articles and translations; reads them back from Zendesk for reconciliation.
/// </summary>
/// <remarks>
/// Idempotent three ways: every ticket carries the package key as its <c>external_id</c>; an id map (SQLite, beside the config)
/// records what Zendesk holds for every key; and a request that creates something is marked pending in the id map before it is
/// sent, so after a crash the keys left pending are looked for in Zendesk (by external_id, or by section and title for articles)
/// before anything is created again.
/// </remarks>
internal sealed partial class ZendeskSuccessor(ZendeskHttp http, ZendeskSuccessorSettings settings) : ISuccessorConnector
{
    private static readonly TableSchema Interactions = NeutralSchema.Interactions;
    private static readonly TableSchema Messages = NeutralSchema.Messages;
    private static readonly TableSchema Articles = NeutralSchema.KbArticles;
    private static readonly HashSet<string> Held = new(StringComparer.Ordinal) { Interactions.Name, Messages.Name, Articles.Name };
    private static readonly HashSet<string> Statuses = new(StringComparer.Ordinal) { "new", "open", "pending", "hold", "solved", "closed" };
    private static readonly HashSet<string> Priorities = new(StringComparer.Ordinal) { "low", "normal", "high", "urgent" };

    private readonly string _run = Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, string> _refusedTickets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _latestVersion = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string?> _packageSectionOf = BuildReverse(settings.Sections);
    private IImportSource? _package;
    private ZendeskIdMap? _idMap;
    private bool _dryRun;

    private static Dictionary<long, string?> BuildReverse(IReadOnlyDictionary<string, long> sections)
    {
        // A Zendesk section that several package sections go to cannot say which one an article came from: it reads back empty.
        var reverse = new Dictionary<long, string?>();
        foreach (var (packageId, zendeskId) in sections)
        {
            reverse[zendeskId] = reverse.ContainsKey(zendeskId) ? null : packageId;
        }
        return reverse;
    }

    public async Task AttachPackageAsync(IImportSource package, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (_package?.Location == package.Location)
        {
            _package = package;
            return;
        }
        _package = package;
        _latestVersion.Clear();
        if (package.HasTable(Articles.Name))
        {
            // Only the latest version of each translation is imported; which one that is must be known before the first row arrives.
            await foreach (var row in package.ReadRowsAsync(Articles.Name, cancellationToken))
            {
                var key = TranslationKey(row);
                var version = (long)row[Articles.OrdinalOf("version")]!;
                if (!_latestVersion.TryGetValue(key, out var latest) || version > latest)
                {
                    _latestVersion[key] = version;
                }
            }
        }
    }

    private static string TranslationKey(object?[] row) =>
        (string)row[0]! + "\u0000" + (string)row[Articles.OrdinalOf("article_id")]! + "\u0000" + (string)row[Articles.OrdinalOf("locale")]!;

    public async Task PrepareAsync(IReadOnlyList<TableSchema> tables, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var others = tables.Where(table => !Held.Contains(table.Name)).Select(table => table.Name).ToArray();
        if (others.Length > 0)
        {
            var held = tables.Where(table => Held.Contains(table.Name)).Select(table => table.Name).ToArray();
            throw new ExitKitException($"Successor zendesk imports interactions (as tickets, with their messages as comments) and kb_articles (as Help Center " +
                $"articles); this import also selects {string.Join(", ", others)}, which it cannot hold. Run it with --tables " +
                $"{(held.Length > 0 ? string.Join(",", held) : "interactions,messages,kb_articles")} and import the others into a successor that holds them.");
        }
        if (tables.Any(table => table.Name == Interactions.Name) && (settings.RequesterId is null || settings.AuthorId is null))
        {
            throw ExitKitException.BadSetting(settings.ConfigPath, settings.RequesterId is null ? "requesterId" : "authorId",
                "is required to import tickets: requesterId is the Zendesk user who requests every imported ticket, authorId the agent who authors the comments of agents, bots and the system.");
        }
        if (tables.Any(table => table.Name == Articles.Name) && settings.PermissionGroupId is null)
        {
            throw ExitKitException.BadSetting(settings.ConfigPath, "permissionGroupId", "is required to import articles: the Help Center permission group that may edit them.");
        }
        _dryRun = dryRun;
        if (_idMap is not null)
        {
            await _idMap.DisposeAsync();
        }
        _idMap = await ZendeskIdMap.OpenAsync(settings.IdMapPath, dryRun, cancellationToken);
    }

    private ZendeskIdMap IdMap => _idMap ?? throw new InvalidOperationException("Call PrepareAsync first (the import pipeline does).");

    public async Task<IReadOnlyList<RowImportResult>> ImportAsync(TableSchema table, IReadOnlyList<object?[]> rows, bool dryRun,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        return table.Name switch
        {
            "interactions" => await ImportTicketsAsync(rows, dryRun, cancellationToken),
            "messages" => await ImportCommentsAsync(rows, cancellationToken),
            "kb_articles" => await ImportArticlesAsync(rows, dryRun, cancellationToken),
            _ => throw new ExitKitException($"Successor zendesk holds no table {table.Name}."),
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_idMap is not null)
        {
            await _idMap.DisposeAsync();
        }
        http.Dispose();
    }
}
