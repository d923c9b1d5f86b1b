using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Packaging;

/// <summary>Writes what makes a package finished: the manifest, the Frictionless descriptor and the BagIt files, the tag manifest last.</summary>
internal static class PackageSealer
{
    /// <summary>Seals a package whose manifest is <paramref name="manifest"/> (its originals aside) and whose originals are merged from
    /// batches; returns the manifest, whose originals are read back from the sealed <c>exitkit.json</c> if they are asked for.</summary>
    public static async Task<PackageManifest> SealAsync(IPackageStore store, PackageManifest manifest, OriginalsMerge originals, TimeProvider time,
        CancellationToken cancellationToken)
    {
        // Hashes were computed as each payload file was written (part and original fixity, artefacts named by their hash).
        // Nothing here holds the originals or the artefacts: each is streamed from its batches or the store's listing.
        var originalCount = 0;
        var manifestFile = await WriteAsync(store, PackageManifest.FileName,
            (stream, token) => WriteManifestAsync(stream, manifest, Counted(originals.ReadAsync(token)), token), cancellationToken);
        var dataPackage = await WriteAsync(store, PackageLayout.DataPackage, DataPackageDescriptor(manifest), cancellationToken);
        var declaration = await WriteAsync(store, PackageLayout.BagDeclaration, Encoding.UTF8.GetBytes("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"), cancellationToken);
        var payloadCount = 0L;
        var payloadBytes = 0L;
        var payloadManifest = await WriteAsync(store, PackageLayout.PayloadManifest,
            (stream, token) => WriteManifestLinesAsync(stream, CountedPayload(Payload(store, manifest, originals, token)), token), cancellationToken);
        var oxum = string.Create(CultureInfo.InvariantCulture, $"{payloadBytes}.{payloadCount}");
        var bagInfo = new StringBuilder()
            .Append("Bag-Software-Agent: exitkit ").Append(manifest.Tool.Version).Append('\n')
            .Append("Bagging-Date: ").Append(time.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n')
            .Append("External-Identifier: ").Append(manifest.PackageId).Append('\n')
            .Append("External-Description: Exit package of ").Append(manifest.Source.Vendor).Append(" (").Append(manifest.Source.System)
            .Append(") exported by connector ").Append(manifest.Source.Connector).Append('\n')
            .Append("Payload-Oxum: ").Append(oxum).Append('\n');
        var bagInfoFile = await WriteAsync(store, PackageLayout.BagInfo, Encoding.UTF8.GetBytes(bagInfo.ToString()), cancellationToken);
        FileFixity[] tagFiles = [manifestFile, dataPackage, declaration, bagInfoFile, payloadManifest];
        await WriteAsync(store, PackageLayout.TagManifest, (stream, token) => WriteManifestLinesAsync(stream, tagFiles, token), cancellationToken);

        var work = new List<string>();
        await foreach (var file in store.ListAsync(PackageLayout.WorkFolder, cancellationToken))
        {
            work.Add(file.Path);
        }
        foreach (var path in work)
        {
            await store.DeleteAsync(path, cancellationToken);
        }
        return manifest with { Originals = DeferredOriginals.FromSealedManifest(store, originalCount) };

        async IAsyncEnumerable<FileEntry> Counted(IAsyncEnumerable<FileEntry> entries)
        {
            originalCount = 0;
            await foreach (var entry in entries)
            {
                originalCount++;
                yield return entry;
            }
        }

        async IAsyncEnumerable<FileFixity> CountedPayload(IAsyncEnumerable<FileFixity> files)
        {
            (payloadCount, payloadBytes) = (0, 0);
            await foreach (var file in files)
            {
                payloadCount++;
                payloadBytes += file.Length;
                yield return file;
            }
        }
    }

    /// <summary>Every payload file in path order: the tables' parts, the originals and the artefacts, each already in path order, merged.</summary>
    private static async IAsyncEnumerable<FileFixity> Payload(IPackageStore store, PackageManifest manifest, OriginalsMerge originals,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parts = manifest.Tables.SelectMany(table => table.Files).Select(file => new FileFixity(file.Path, file.Bytes, file.Sha256))
            .OrderBy(file => file.Path, StringComparer.Ordinal).ToAsyncEnumerable();
        var originalFiles = originals.ReadAsync(cancellationToken).Select(original => new FileFixity(original.Path, original.Bytes, original.Sha256));
        var artefacts = store.ListAsync(PackageLayout.Artefacts, cancellationToken)
            .Select(artefact => new FileFixity(artefact.Path, artefact.Length, artefact.Path[(artefact.Path.LastIndexOf('/') + 1)..]));
        IAsyncEnumerator<FileFixity>[] sources = [parts.GetAsyncEnumerator(cancellationToken), originalFiles.GetAsyncEnumerator(cancellationToken),
            artefacts.GetAsyncEnumerator(cancellationToken)];
        try
        {
            var more = new bool[sources.Length];
            for (var i = 0; i < sources.Length; i++)
            {
                more[i] = await sources[i].MoveNextAsync();
            }
            while (true)
            {
                var next = -1;
                for (var i = 0; i < sources.Length; i++)
                {
                    if (more[i] && (next < 0 || string.CompareOrdinal(sources[i].Current.Path, sources[next].Current.Path) < 0))
                    {
                        next = i;
                    }
                }
                if (next < 0)
                {
                    yield break;
                }
                var file = sources[next].Current;
                yield return file;
                more[next] = await sources[next].MoveNextAsync();
                if (more[next] && string.CompareOrdinal(sources[next].Current.Path, file.Path) <= 0)
                {
                    // The payload manifest must list each file once, in order; a store listing out of order would break both silently.
                    throw new InvalidOperationException($"Payload files are not in path order: {sources[next].Current.Path} after {file.Path}.");
                }
            }
        }
        finally
        {
            foreach (var source in sources)
            {
                await source.DisposeAsync();
            }
        }
    }

    /// <summary>Writes the manifest as <see cref="JsonSerializer"/> writes it, with the originals streamed into their array in place:
    /// a package of many originals has a manifest of tens of megabytes, and none of it is held.</summary>
    internal static async Task WriteManifestAsync(Stream stream, PackageManifest manifest, IAsyncEnumerable<FileEntry> originals, CancellationToken cancellationToken)
    {
        var options = PackageManifest.JsonOptions;
        // The rest of the manifest is small (tables, problems): serialised as usual, and each top-level value copied as the serialiser
        // wrote it (re-writing it through the document would escape what the serialiser leaves as it is, such as the + of an offset).
        using var document = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(manifest with { Originals = [] }, options));
        var originalsName = options.PropertyNamingPolicy?.ConvertName(nameof(PackageManifest.Originals)) ?? nameof(PackageManifest.Originals);
        await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Encoder = options.Encoder,
            Indented = options.WriteIndented,
            IndentCharacter = options.IndentCharacter,
            IndentSize = options.IndentSize,
            NewLine = options.NewLine,
        });
        writer.WriteStartObject();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            writer.WritePropertyName(property.Name);
            if (!property.NameEquals(originalsName))
            {
                // A top-level value sits at the same depth here as in the serialiser's output, so its indentation is already right.
                writer.WriteRawValue(property.Value.GetRawText(), skipInputValidation: true);
                continue;
            }
            writer.WriteStartArray();
            await foreach (var original in originals.WithCancellation(cancellationToken))
            {
                JsonSerializer.Serialize(writer, original, options);
                if (writer.BytesPending >= 1 << 16)
                {
                    await writer.FlushAsync(cancellationToken);
                }
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    private static async Task<FileFixity> WriteAsync(IPackageStore store, string path, byte[] content, CancellationToken cancellationToken)
    {
        await using var file = await store.CreateAsync(path, cancellationToken);
        await file.Content.WriteAsync(content, cancellationToken);
        return await file.CommitAsync(cancellationToken);
    }

    private static async Task<FileFixity> WriteAsync(IPackageStore store, string path, Func<Stream, CancellationToken, Task> write,
        CancellationToken cancellationToken)
    {
        await using var file = await store.CreateAsync(path, cancellationToken);
        await write(file.Content, cancellationToken);
        return await file.CommitAsync(cancellationToken);
    }

    /// <summary>BagIt manifest lines: hash, two spaces, path with CR, LF and % percent-encoded (RFC 8493 §2.1.3).</summary>
    internal static Task WriteManifestLinesAsync(Stream stream, IEnumerable<FileFixity> files, CancellationToken cancellationToken) =>
        WriteManifestLinesAsync(stream, files.ToAsyncEnumerable(), cancellationToken);

    /// <inheritdoc cref="WriteManifestLinesAsync(Stream, IEnumerable{FileFixity}, CancellationToken)"/>
    internal static async Task WriteManifestLinesAsync(Stream stream, IAsyncEnumerable<FileFixity> files, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        await foreach (var file in files.WithCancellation(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await writer.WriteAsync(file.Sha256);
            await writer.WriteAsync("  ");
            await writer.WriteLineAsync(EncodePath(file.Path));
        }
    }

    internal static string EncodePath(string path) => path.Replace("%", "%25", StringComparison.Ordinal)
        .Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    internal static string DecodePath(string path) => path.Replace("%0D", "\r", StringComparison.OrdinalIgnoreCase)
        .Replace("%0A", "\n", StringComparison.OrdinalIgnoreCase).Replace("%25", "%", StringComparison.Ordinal);

    /// <summary>A Frictionless Data Package (Table Schema with primary and foreign keys), so tools that speak it understand the tables.</summary>
    private static byte[] DataPackageDescriptor(PackageManifest manifest)
    {
        var resources = new JsonArray();
        foreach (var entry in manifest.Tables)
        {
            var table = NeutralSchema.Get(entry.Name);
            var fields = new JsonArray();
            foreach (var column in table.Columns)
            {
                var field = new JsonObject
                {
                    ["name"] = column.Name,
                    ["type"] = column.Type switch
                    {
                        ColumnType.Text => "string",
                        ColumnType.Integer => "integer",
                        ColumnType.Number => "number",
                        ColumnType.Boolean => "boolean",
                        ColumnType.Timestamp => "datetime",
                        ColumnType.Json => "object",
                        ColumnType.TextList => "array",
                        _ => "any",
                    },
                    ["description"] = column.Description,
                };
                var constraints = new JsonObject();
                if (column.Required)
                {
                    constraints["required"] = true;
                }
                if (column.AllowedValues is { Count: > 0 } allowed)
                {
                    constraints["enum"] = new JsonArray(allowed.Select(value => (JsonNode?)JsonValue.Create(value)).ToArray());
                }
                if (constraints.Count > 0)
                {
                    field["constraints"] = constraints;
                }
                fields.Add(field);
            }
            var foreignKeys = new JsonArray();
            foreach (var foreignKey in table.ForeignKeys.Where(key => manifest.FindTable(key.ReferencedTable) is not null))
            {
                foreignKeys.Add(new JsonObject
                {
                    ["fields"] = new JsonArray("source_system", foreignKey.Column),
                    ["reference"] = new JsonObject
                    {
                        ["resource"] = foreignKey.ReferencedTable,
                        ["fields"] = new JsonArray("source_system", foreignKey.ReferencedTable == "kb_articles" ? "article_id" : "source_id"),
                    },
                });
            }
            resources.Add(new JsonObject
            {
                ["name"] = entry.Name,
                ["path"] = new JsonArray(entry.Files.Select(file => (JsonNode?)JsonValue.Create(file.Path)).ToArray()),
                ["format"] = "parquet",
                ["mediatype"] = "application/vnd.apache.parquet",
                ["description"] = table.Description,
                ["schema"] = new JsonObject
                {
                    ["fields"] = fields,
                    ["primaryKey"] = new JsonArray("source_system", "source_id"),
                    ["foreignKeys"] = foreignKeys,
                },
            });
        }
        var descriptor = new JsonObject
        {
            ["profile"] = "data-package",
            ["name"] = "exitkit-" + manifest.PackageId,
            ["id"] = manifest.PackageId,
            ["title"] = $"Exit package of {manifest.Source.Vendor}",
            ["created"] = manifest.SealedAt.ToString("O", CultureInfo.InvariantCulture),
            ["resources"] = resources,
        };
        return JsonSerializer.SerializeToUtf8Bytes(descriptor, PackageManifest.JsonOptions);
    }
}
