using System.IO.Enumeration;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>What a saved response holds, told by its top-level keys.</summary>
[Flags]
internal enum SavedKind : ushort
{
    None = 0,
    Tickets = 1 << 0,
    Metrics = 1 << 1,
    Users = 1 << 2,
    Comments = 1 << 3,
    Audits = 1 << 4,
    Ratings = 1 << 5,
    Groups = 1 << 6,
    Rules = 1 << 7,
    Categories = 1 << 8,
    Sections = 1 << 9,
    Articles = 1 << 10,
    Translations = 1 << 11,
    ArticleAttachments = 1 << 12,
    Count = 1 << 13,
    Content = 1 << 14,
}

/// <summary>One saved file met on a walk; <see cref="Index"/> is its place in path order, which resume cursors name.</summary>
internal sealed record SavedFile(int Index, string RelativePath, string FullPath, SavedKind Kind, string? Problem, string? TicketId)
{
    /// <summary>Part of the file that is read but not exported (search results that are not tickets).</summary>
    public string? Degraded { get; init; }
}

/// <summary>
/// A folder of saved responses, classified once and then walked again, in path order, for each table.
/// </summary>
/// <remarks>
/// A saved export holds a file or two per ticket (the API path saves each ticket's comments), so nothing is kept per file but
/// its kind and a two-byte check of its path (4 bytes a file). Paths are read again from the folder by a walk that lists
/// each folder sorted (files by name, folders by name and '/', which is path order) and skips folders of 64 files or more
/// that hold none of the kinds asked for. The check stops an export whose folder changed under it, rather than reading a
/// file as what another file was.
/// </remarks>
internal sealed partial class SavedFolder
{
    private const int SummarisedFolderFiles = 64;

    private static readonly EnumerationOptions Listed = new() { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = false };

    private readonly string _root;
    private readonly IdKeys _keys;
    private readonly List<uint> _files = [];
    private readonly Dictionary<int, (string? Problem, string? Degraded)> _notes = [];
    private readonly Dictionary<string, (SavedKind Kinds, int Files)> _folders = new(StringComparer.Ordinal);
    private readonly long[] _ticketsWithComments;

    [GeneratedRegex(@"tickets?[/_\-](\d+)[/_\-]comments", RegexOptions.CultureInvariant)]
    private static partial Regex CommentsTicket();

    [GeneratedRegex(@"^files/(\d+)/[^/]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ContentFile();

    private static readonly Dictionary<string, SavedKind> KeyKinds = new(StringComparer.Ordinal)
    {
        ["tickets"] = SavedKind.Tickets, ["ticket"] = SavedKind.Tickets,
        ["metric_sets"] = SavedKind.Metrics, ["ticket_metrics"] = SavedKind.Metrics, ["ticket_metric"] = SavedKind.Metrics,
        ["users"] = SavedKind.Users,
        ["comments"] = SavedKind.Comments,
        ["audits"] = SavedKind.Audits, ["audit"] = SavedKind.Audits,
        ["satisfaction_ratings"] = SavedKind.Ratings, ["satisfaction_rating"] = SavedKind.Ratings,
        ["groups"] = SavedKind.Groups, ["group"] = SavedKind.Groups,
        ["categories"] = SavedKind.Categories, ["category"] = SavedKind.Categories,
        ["sections"] = SavedKind.Sections, ["section"] = SavedKind.Sections,
        ["articles"] = SavedKind.Articles, ["article"] = SavedKind.Articles,
        ["translations"] = SavedKind.Translations, ["translation"] = SavedKind.Translations,
        ["article_attachments"] = SavedKind.ArticleAttachments, ["article_attachment"] = SavedKind.ArticleAttachments,
    };

    // Zendesk responses this connector recognises but that no neutral table holds; they are kept as originals and named.
    private static readonly Dictionary<string, string> KnownWithoutTable = new(StringComparer.Ordinal)
    {
        ["ticket_fields"] = "ticket field definitions have no neutral table",
        ["ticket_field"] = "ticket field definitions have no neutral table",
        ["ticket_forms"] = "ticket form definitions have no neutral table",
        ["targets"] = "targets (notification endpoints, possibly with credentials) have no neutral table",
        ["organizations"] = "organizations have no neutral table",
        ["brands"] = "brands have no neutral table",
    };

    private SavedFolder(string root, IdKeys keys, ScanRuns runs)
    {
        _root = root;
        _keys = keys;
        foreach (var (name, full) in Listing(root, string.Empty))
        {
            _ = name.EndsWith('/') ? ScanFolder(name[..^1], full, runs) : ScanFile(name, full, runs);
        }
        // A ticket's messages are read with a small state of their own (sequence, ids seen); it outlives the ticket's
        // files only for tickets whose files are not next to each other in path order.
        var commentTickets = IdKeys.SortedDistinct(runs.Comments);
        var auditRuns = new List<long>();
        foreach (var key in runs.Audits.Where(key => Array.BinarySearch(commentTickets, key) < 0))
        {
            if (auditRuns.Count == 0 || auditRuns[^1] != key)
            {
                auditRuns.Add(key);
            }
        }
        ScatteredTickets = IdKeys.Repeated(runs.Comments.Concat(auditRuns));
        _ticketsWithComments = Present.HasFlag(SavedKind.Audits) ? commentTickets : [];
        _files.TrimExcess();
    }

    /// <summary>Lists and classifies the folder.</summary>
    public static SavedFolder Scan(string root, IdKeys keys)
    {
        if (!Directory.Exists(root))
        {
            throw ExitKitException.FileNotFound(root, "The savedResponsesPath folder");
        }
        return new SavedFolder(root, keys, new ScanRuns());
    }

    /// <summary>The kinds of response the folder holds.</summary>
    public SavedKind Present { get; private set; }

    public int Count => _files.Count;

    /// <summary>Tickets whose comment files (or audits) are not next to each other in path order.</summary>
    public IReadOnlySet<long> ScatteredTickets { get; }

    /// <summary>Whether the ticket has a comments file; asked only when the folder holds audits.</summary>
    public bool HasCommentFiles(long ticket) => Array.BinarySearch(_ticketsWithComments, ticket) >= 0;

    /// <summary>The saved copy of an attachment's bytes (the first file, in path order, under files/{id}/), or null.</summary>
    public string? ContentOf(string attachmentId)
    {
        if (attachmentId.Length == 0 || !attachmentId.All(char.IsAsciiDigit))
        {
            return null;
        }
        var folder = Path.Combine(_root, "files", attachmentId);
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", Listed).Order(StringComparer.Ordinal).FirstOrDefault()
            : null;
    }

    /// <summary>Every file, in path order.</summary>
    public IEnumerable<SavedFile> All() => Walk(SavedKind.None);

    /// <summary>The files holding any of <paramref name="kinds"/>, in path order.</summary>
    public IEnumerable<SavedFile> Of(SavedKind kinds) => Walk(kinds);

    private IEnumerable<SavedFile> Walk(SavedKind wanted)
    {
        var position = new WalkPosition();
        foreach (var file in WalkFolder(_root, string.Empty, wanted, position))
        {
            yield return file;
        }
        if (position.Next != _files.Count)
        {
            throw Changed(_root, "files were removed");
        }
    }

    private IEnumerable<SavedFile> WalkFolder(string fullFolder, string relativeFolder, SavedKind wanted, WalkPosition position)
    {
        foreach (var (name, full) in Listing(fullFolder, relativeFolder))
        {
            if (name.EndsWith('/'))
            {
                var relative = name[..^1];
                if (wanted != SavedKind.None && _folders.TryGetValue(relative, out var summary) && (summary.Kinds & wanted) == SavedKind.None)
                {
                    position.Next += summary.Files;
                    continue;
                }
                foreach (var file in WalkFolder(full, relative, wanted, position))
                {
                    yield return file;
                }
                continue;
            }
            var index = position.Next++;
            if (index >= _files.Count || (ushort)_files[index] != Check(name))
            {
                throw Changed(name, "a file was added, removed or renamed");
            }
            var kind = (SavedKind)(_files[index] >> 16);
            if (wanted == SavedKind.None || (kind & wanted) != SavedKind.None)
            {
                var notes = _notes.GetValueOrDefault(index);
                yield return new SavedFile(index, name, full, kind, notes.Problem,
                    kind.HasFlag(SavedKind.Comments) ? CommentsTicket().Match(name).Groups[1].Value : null) { Degraded = notes.Degraded };
            }
        }
    }

    private static ExitKitException Changed(string path, string what) => ExitKitException.SourceFailed(ZendeskHttp.ConnectorName,
        $"the savedResponsesPath folder changed while it was exported ({what}; at {path}). Export again from a copy that does not change.");

    private static ushort Check(string relative) => (ushort)StringComparer.Ordinal.GetHashCode(relative);

    /// <summary>A folder's entries in path order: relative paths, folders ending in '/', with their full paths.</summary>
    /// <remarks>
    /// The names are packed into one buffer and sorted by position, not held as a string each: the tickets folder of an API
    /// export has a folder per ticket, and it is listed while every comment is read.
    /// </remarks>
    private static IEnumerable<(string Relative, string Full)> Listing(string fullFolder, string relativeFolder)
    {
        var names = new PackedNames();
        foreach (var _ in new FileSystemEnumerable<bool>(fullFolder, (ref entry) => names.Add(entry.FileName, entry.IsDirectory), Listed))
        {
        }
        var prefix = relativeFolder.Length == 0 ? string.Empty : relativeFolder + "/";
        foreach (var at in names.Sorted())
        {
            var name = names.Name(at);
            yield return (prefix + name, Path.Combine(fullFolder, name.TrimEnd('/')));
        }
    }

    /// <summary>Names in one character buffer (a folder's name ends in '/', which sorts it in path order).</summary>
    private sealed class PackedNames
    {
        private char[] _text = new char[256];
        private int _length;
        private readonly List<int> _starts = [];

        public bool Add(ReadOnlySpan<char> name, bool isFolder)
        {
            var needed = _length + name.Length + 1;
            if (needed > _text.Length)
            {
                Array.Resize(ref _text, Math.Max(needed, _text.Length * 2));
            }
            _starts.Add(_length);
            name.CopyTo(_text.AsSpan(_length));
            _length += name.Length;
            if (isFolder)
            {
                _text[_length++] = '/';
            }
            return true;
        }

        private ReadOnlySpan<char> Span(int at) =>
            _text.AsSpan(_starts[at], (at + 1 < _starts.Count ? _starts[at + 1] : _length) - _starts[at]);

        public string Name(int at) => Span(at).ToString();

        /// <summary>Positions in ordinal order of the names, as string.CompareOrdinal orders them.</summary>
        public int[] Sorted()
        {
            var order = new int[_starts.Count];
            for (var i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }
            Array.Sort(order, (left, right) => Span(left).SequenceCompareTo(Span(right)));
            return order;
        }
    }

    private (SavedKind Kinds, int Files) ScanFolder(string relativeFolder, string fullFolder, ScanRuns runs)
    {
        var kinds = SavedKind.None;
        var files = 0;
        foreach (var (name, full) in Listing(fullFolder, relativeFolder))
        {
            var (inner, count) = name.EndsWith('/') ? ScanFolder(name[..^1], full, runs) : ScanFile(name, full, runs);
            kinds |= inner;
            files += count;
        }
        if (files >= SummarisedFolderFiles)
        {
            _folders[relativeFolder] = (kinds, files);
        }
        return (kinds, files);
    }

    private (SavedKind Kinds, int Files) ScanFile(string relative, string full, ScanRuns runs)
    {
        var (kind, problem, degraded, ticketId, auditTickets) = Classify(relative, full);
        var index = _files.Count;
        _files.Add(((uint)kind << 16) | Check(relative));
        if (problem is not null || degraded is not null)
        {
            _notes[index] = (problem, degraded);
        }
        if (ticketId is not null)
        {
            runs.AddComments(_keys.KeyOf(ticketId));
        }
        foreach (var ticket in auditTickets)
        {
            runs.AddAudit(_keys.KeyOf(ticket));
        }
        Present |= kind;
        return (kind, 1);
    }

    /// <summary>Tickets in the order their comment files and audits come, each run of one ticket once.</summary>
    private sealed class ScanRuns
    {
        public List<long> Comments { get; } = [];
        public List<long> Audits { get; } = [];

        public void AddComments(long ticket) => Add(Comments, ticket);

        public void AddAudit(long ticket) => Add(Audits, ticket);

        private static void Add(List<long> runs, long ticket)
        {
            if (runs.Count == 0 || runs[^1] != ticket)
            {
                runs.Add(ticket);
            }
        }
    }

    private sealed class WalkPosition
    {
        public int Next { get; set; }
    }

    internal readonly record struct Classification(SavedKind Kind, string? Problem, string? Degraded, string? TicketId, IReadOnlyList<string> AuditTickets);

    internal static Classification Classify(string relative, string full)
    {
        if (ContentFile().IsMatch(relative))
        {
            return new(SavedKind.Content, null, null, null, []);
        }
        JsonDocument document;
        try
        {
            document = ZendeskSavedSource.Load(full);
        }
        catch (JsonException error)
        {
            return new(SavedKind.None, $"not a JSON document ({error.Message}); a saved Zendesk API response is the JSON body the API returned.", null, null, []);
        }
        using (document)
        {
            var rootElement = document.RootElement;
            if (rootElement.ValueKind != JsonValueKind.Object)
            {
                return new(SavedKind.None, "a Zendesk API response is a JSON object; this file holds a " + rootElement.ValueKind + ".", null, null, []);
            }
            var kind = SavedKind.None;
            foreach (var property in rootElement.EnumerateObject())
            {
                if (property.Value.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object))
                {
                    continue;
                }
                if (KeyKinds.TryGetValue(property.Name, out var found))
                {
                    kind |= found;
                }
                else if (ZendeskMapper.RuleKinds.ContainsKey(property.Name))
                {
                    kind |= SavedKind.Rules;
                }
                else if (property.Name == "results" && property.Value.ValueKind == JsonValueKind.Array
                    && property.Value.EnumerateArray().Any(item => item.Text("result_type") == "ticket"))
                {
                    kind |= SavedKind.Tickets;
                }
                else if (property.Name == "count" && property.Value.Long("value") is not null)
                {
                    kind |= SavedKind.Count;
                }
            }
            string? ticketId = null;
            string? problem = null;
            if (kind.HasFlag(SavedKind.Comments))
            {
                ticketId = CommentsTicket().Match(relative) is { Success: true } match ? match.Groups[1].Value : null;
                if (ticketId is null)
                {
                    kind &= ~SavedKind.Comments;
                    problem = "a comments response does not say which ticket it belongs to; put it at tickets/<ticket id>/comments/<page>.json "
                        + "(or name it ticket-<id>-comments.json) and export again.";
                }
            }
            if (kind.HasFlag(SavedKind.Count) && !relative.Contains("tickets/count", StringComparison.Ordinal))
            {
                kind &= ~SavedKind.Count;
                problem ??= "a count response is understood only as tickets/count (GET /api/v2/tickets/count.json); rename it if it counts tickets.";
            }
            if (kind == SavedKind.Users)
            {
                return new(SavedKind.Users, "users are read only to tell agents from customers in comments; no neutral table holds a user directory.",
                    null, null, []);
            }
            if ((kind & ~SavedKind.Users) == SavedKind.None)
            {
                var keys = Json.Keys(rootElement);
                var known = keys.FirstOrDefault(KnownWithoutTable.ContainsKey);
                problem ??= known is not null
                    ? $"a Zendesk {known} response: {KnownWithoutTable[known]}; it is kept as an original."
                    : $"not a Zendesk response this connector understands (top-level keys: {string.Join(", ", keys)}).";
                return new(SavedKind.None, problem, null, null, []);
            }
            var others = rootElement.Array("results").Count(item => item.Text("result_type") is not "ticket");
            var degraded = kind.HasFlag(SavedKind.Tickets) && others > 0
                ? $"{others} search result(s) are not tickets (users, organizations, articles) and are not exported from this file; export them from their own endpoints."
                : null;
            var auditTickets = kind.HasFlag(SavedKind.Audits)
                ? ZendeskSavedSource.Audits(rootElement).Select(audit => audit.TicketId).ToList()
                : [];
            return new(kind, problem, degraded, ticketId, auditTickets);
        }
    }
}
