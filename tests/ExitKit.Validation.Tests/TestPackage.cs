using System.Runtime.CompilerServices;
using ExitKit.Connectors;
using ExitKit.Packaging;
using ExitKit.Schema;
using ExitKit.Storage;
using ExitKit.Testing;
using ExitKit.Validation.Content;

namespace ExitKit.Validation.Tests;

/// <summary>A clock that always says the same time.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Builds a real, sealed exit package in a temporary folder through the package writer.</summary>
internal sealed class TestPackage : IDisposable
{
    public static readonly DateTimeOffset DefaultSealedAt = new(2024, 7, 12, 14, 3, 0, TimeSpan.Zero);

    private readonly List<(TableSchema Table, List<object?[]> Rows, SourceTable? Control)> _tables = [];
    private readonly List<(string Path, byte[] Content)> _originals = [];
    private readonly List<byte[]> _artefacts = [];
    private readonly List<ExportProblem> _problems = [];

    public TestPackage() => Root = Directory.CreateTempSubdirectory("exitkit-validation-").FullName;

    public string Root { get; }

    public DateTimeOffset SealedAt { get; set; } = DefaultSealedAt;

    public TestPackage Table(TableSchema table, IEnumerable<object?[]> rows, SourceTable? control = null)
    {
        _tables.Add((table, rows.ToList(), control));
        return this;
    }

    /// <summary>A table whose control totals say exactly what the rows hold.</summary>
    public TestPackage ReconciledTable(TableSchema table, IEnumerable<object?[]> rows)
    {
        var list = rows.ToList();
        SortedDictionary<DateOnly, long>? daily = null;
        if (table.TimeColumn is { } time)
        {
            daily = [];
            foreach (var row in list)
            {
                if (row[table.OrdinalOf(time)] is DateTimeOffset instant)
                {
                    var day = DateOnly.FromDateTime(instant.UtcDateTime);
                    daily[day] = daily.GetValueOrDefault(day) + 1;
                }
            }
        }
        return Table(table, list, new SourceTable(table.Name, list.Count, daily, "test count"));
    }

    public TestPackage Original(string relativePath, byte[] content)
    {
        _originals.Add((relativePath, content));
        return this;
    }

    public TestPackage Problem(ExportProblem problem)
    {
        _problems.Add(problem);
        return this;
    }

    public TestPackage Artefact(byte[] content)
    {
        _artefacts.Add(content);
        return this;
    }

    public static string ArtefactPathOf(byte[] content) =>
        PackageLayout.ArtefactPath(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)));

    public async Task<IPackageContent> SealAsync(CancellationToken cancellationToken = default)
    {
        var store = new LocalPackageStore(Root);
        using (var writer = await PackageWriter.OpenAsync(store, new PackageWriter.Options
        {
            Source = new SourceInfo("test", "Test Vendor", "test", "1.0.0"),
            Time = new FixedTime(SealedAt),
            PackageId = "00000000-0000-0000-0000-000000000001",
        }, cancellationToken))
        {
            foreach (var content in _artefacts)
            {
                await writer.StoreArtefactAsync(new MemoryStream(content), cancellationToken);
            }
            foreach (var (path, content) in _originals)
            {
                await writer.StoreOriginalAsync(path, new MemoryStream(content), cancellationToken);
            }
            foreach (var problem in _problems)
            {
                writer.ReportProblem(problem);
            }
            foreach (var (table, rows, control) in _tables)
            {
                await using var tableWriter = await writer.OpenTableAsync(table, control, cancellationToken);
                foreach (var row in rows)
                {
                    await tableWriter.AddAsync(new SourceRow(row), cancellationToken);
                }
                await tableWriter.CompleteAsync(cancellationToken);
            }
            await writer.SealAsync(cancellationToken);
        }
        return new ExitPackageContent(await ExitPackage.OpenAsync(store, cancellationToken));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Rows of the neutral tables with the columns a test cares about; the rest filled with plausible values.</summary>
internal static class Some
{
    public static DateTimeOffset At(int year, int month, int day, int hour = 9) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    private static RowBuilder Row(TableSchema table, string id) =>
        new RowBuilder(table).Set("source_system", "test").Set("source_id", id);

    public static object?[] Interaction(string id, DateTimeOffset startedAt, string? customer = "c-1", string? status = "solved", string? queue = null) =>
        Row(NeutralSchema.Interactions, id).Set("channel", "chat").Set("started_at", startedAt).Set("customer_id", customer)
            .Set("status", status).Set("queue_id", queue).Build();

    /// <summary>Interactions, <paramref name="perDay"/> a day on each day from first to last.</summary>
    public static IEnumerable<object?[]> InteractionsOn(DateOnly first, DateOnly last, int perDay = 2, Func<DateOnly, bool>? skip = null)
    {
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (skip?.Invoke(day) == true)
            {
                continue;
            }
            for (var i = 0; i < perDay; i++)
            {
                yield return Interaction($"i-{day:yyyyMMdd}-{i}", new DateTimeOffset(day.ToDateTime(new TimeOnly(9 + i, 0)), TimeSpan.Zero));
            }
        }
    }

    public static object?[] Message(string id, string interactionId, string? body = "Hello", int sequence = 1) =>
        Row(NeutralSchema.Messages, id).Set("interaction_id", interactionId).Set("sequence", (long)sequence).Set("author_role", "customer")
            .Set("kind", "turn").Set("visibility", "public").Set("body", body).Set("sent_at", At(2024, 3, 10)).Build();

    public static object?[] Attachment(string id, string interactionId, string? artefactPath) =>
        Row(NeutralSchema.Attachments, id).Set("interaction_id", interactionId).Set("kind", "attachment").Set("file_name", $"{id}.pdf")
            .Set("artefact_path", artefactPath).Set("created_at", At(2024, 3, 10)).Build();

    public static object?[] Article(string articleId, string locale, long version = 1) =>
        Row(NeutralSchema.KbArticles, $"{articleId}/{locale}/{version}").Set("article_id", articleId).Set("locale", locale)
            .Set("version", version).Set("title", $"Article {articleId}").Set("state", "published").Set("updated_at", At(2024, 1, 5)).Build();

    public static object?[] Section(string id, string? parent) =>
        Row(NeutralSchema.KbSections, id).Set("parent_id", parent).Set("kind", "section").Set("name", $"Section {id}")
            .Set("updated_at", At(2024, 1, 5)).Build();

    public static object?[] Queue(string id, string name) => Row(NeutralSchema.Queues, id).Set("name", name).Build();

    public static object?[] Flow(string id, string name, string? originalPath) =>
        Row(NeutralSchema.Flows, id).Set("name", name).Set("definition_format", "amazon-connect-flow-language").Set("original_path", originalPath).Build();

    public static object?[] Edge(string id, string flowId, string targetKind, string? targetRef, string? toNode = null) =>
        Row(NeutralSchema.FlowEdges, id).Set("flow_id", flowId).Set("from_node_id", $"{flowId}/start").Set("to_node_id", toNode)
            .Set("target_kind", targetKind).Set("target_ref", targetRef).Build();

    public static object?[] ModelFile(string id, string format, string artefactPath, long size) =>
        Row(NeutralSchema.ModelFiles, id).Set("file_name", $"{id}.{format}").Set("format", format).Set("size_bytes", size)
            .Set("sha256", new string('0', 64)).Set("artefact_path", artefactPath).Build();

    /// <summary>The first bytes of a small but well-formed ONNX ModelProto: ir_version 8, producer "test", a graph with a name.</summary>
    public static byte[] OnnxModel()
    {
        byte[] graph = [0x12, 0x01, (byte)'g']; // GraphProto.name = "g"
        return [0x08, 0x08, 0x12, 0x04, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0x3A, (byte)graph.Length, .. graph, 0x42, 0x02, 0x10, 0x11];
    }
}

/// <summary>Counts how often each table is read, to prove each is read at most once.</summary>
internal sealed class CountingContent(IPackageContent inner, Func<ExitKit.Packaging.PackageManifest, ExitKit.Packaging.PackageManifest>? manifest = null) : IPackageContent
{
    public Dictionary<string, int> Reads { get; } = [];

    public ExitKit.Packaging.PackageManifest Manifest { get; } = manifest is null ? inner.Manifest : manifest(inner.Manifest);

    public IPackageStore Store => inner.Store;

    public async IAsyncEnumerable<ExitKit.Packaging.PackageRowGroup> ReadRowGroupsAsync(string table, IReadOnlyList<string> readAhead,
        Func<ExitKit.Packaging.PackageRowGroup, CancellationToken, ValueTask>? prepare = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Reads[table] = Reads.GetValueOrDefault(table) + 1;
        await foreach (var rowGroup in inner.ReadRowGroupsAsync(table, readAhead, prepare, cancellationToken))
        {
            yield return rowGroup;
        }
    }
}
