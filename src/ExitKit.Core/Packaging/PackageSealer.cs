using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Packaging;

/// <summary>Writes what makes a package finished: the manifest, the Frictionless descriptor and the BagIt files, the tag manifest last.</summary>
internal static class PackageSealer
{
    public static async Task SealAsync(IPackageStore store, PackageManifest manifest, TimeProvider time, CancellationToken cancellationToken)
    {
        // Hashes were computed as each payload file was written (part and original fixity, artefacts named by their hash).
        var payload = new List<FileFixity>();
        foreach (var table in manifest.Tables)
        {
            payload.AddRange(table.Files.Select(file => new FileFixity(file.Path, file.Bytes, file.Sha256)));
        }
        payload.AddRange(manifest.Originals.Select(original => new FileFixity(original.Path, original.Bytes, original.Sha256)));
        await foreach (var artefact in store.ListAsync(PackageLayout.Artefacts, cancellationToken))
        {
            payload.Add(new FileFixity(artefact.Path, artefact.Length, artefact.Path[(artefact.Path.LastIndexOf('/') + 1)..]));
        }
        payload.Sort((left, right) => string.CompareOrdinal(left.Path, right.Path));

        var tagFiles = new List<FileFixity>
        {
            // Written as they are serialised: a package of many originals has a manifest of tens of megabytes.
            await WriteAsync(store, PackageManifest.FileName,
                (stream, token) => JsonSerializer.SerializeAsync(stream, manifest, PackageManifest.JsonOptions, token), cancellationToken),
            await WriteAsync(store, PackageLayout.DataPackage, DataPackageDescriptor(manifest), cancellationToken),
            await WriteAsync(store, PackageLayout.BagDeclaration, Encoding.UTF8.GetBytes("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"), cancellationToken),
        };
        var oxum = string.Create(CultureInfo.InvariantCulture, $"{payload.Sum(file => file.Length)}.{payload.Count}");
        var bagInfo = new StringBuilder()
            .Append("Bag-Software-Agent: exitkit ").Append(manifest.Tool.Version).Append('\n')
            .Append("Bagging-Date: ").Append(time.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n')
            .Append("External-Identifier: ").Append(manifest.PackageId).Append('\n')
            .Append("External-Description: Exit package of ").Append(manifest.Source.Vendor).Append(" (").Append(manifest.Source.System)
            .Append(") exported by connector ").Append(manifest.Source.Connector).Append('\n')
            .Append("Payload-Oxum: ").Append(oxum).Append('\n');
        tagFiles.Add(await WriteAsync(store, PackageLayout.BagInfo, Encoding.UTF8.GetBytes(bagInfo.ToString()), cancellationToken));
        tagFiles.Add(await WriteAsync(store, PackageLayout.PayloadManifest, (stream, token) => WriteManifestLinesAsync(stream, payload, token), cancellationToken));
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
    internal static async Task WriteManifestLinesAsync(Stream stream, IEnumerable<FileFixity> files, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        foreach (var file in files)
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
