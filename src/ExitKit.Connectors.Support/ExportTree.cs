using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Schema;

namespace ExitKit.Connectors.Support;


/// <summary>An export as the vendor produced it: a folder, a .zip, or a single file; entries are relative paths with forward slashes.</summary>
public sealed class ExportTree : IDisposable
{
    private readonly ZipArchive? _zip;
    // A zip archive cannot be read from two threads at once, and the export pipeline reads tables in parallel.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, ZipArchiveEntry> _zipEntries = new(StringComparer.Ordinal);

    private ExportTree(string fullPath, ZipArchive? zip, IReadOnlyList<string> entries, bool isSingleFile)
    {
        FullPath = fullPath;
        _zip = zip;
        Entries = entries;
        IsSingleFile = isSingleFile;
        if (zip is not null)
        {
            foreach (var entry in zip.Entries)
            {
                _zipEntries.TryAdd(entry.FullName.Replace('\\', '/'), entry);
            }
        }
    }

    /// <summary>The folder, zip or file given.</summary>
    public string FullPath { get; }

    /// <summary>True when the input is a zip archive.</summary>
    public bool IsZip => _zip is not null;

    /// <summary>True when the input is one plain file.</summary>
    public bool IsSingleFile { get; }

    /// <summary>Every file, sorted ordinally, so reads are deterministic and cursors are stable.</summary>
    public IReadOnlyList<string> Entries { get; }

    /// <summary>The input's file or folder name, for source_system.</summary>
    public string Name => Path.GetFileNameWithoutExtension(FullPath.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));

    /// <summary>Opens a folder, a .zip or a single file.</summary>
    /// <exception cref="ExitKitException">The path does not exist or the zip cannot be opened.</exception>
    public static ExportTree Open(string fullPath, string connector)
    {
        if (Directory.Exists(fullPath))
        {
            var root = Path.GetFullPath(fullPath);
            var entries = EnumerateFolder(root)
                .Select(file => Path.GetRelativePath(root, file).Replace('\\', '/'))
                .Order(StringComparer.Ordinal)
                .ToList();
            return new ExportTree(root, null, entries, isSingleFile: false);
        }
        if (!File.Exists(fullPath))
        {
            throw ExitKitException.FileNotFound(fullPath, $"The {connector} export (setting 'path')");
        }
        if (fullPath.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var zip = ZipFile.OpenRead(fullPath);
                var entries = zip.Entries
                    .Where(entry => !entry.FullName.EndsWith('/') && !entry.FullName.EndsWith('\\'))
                    .Select(entry => entry.FullName.Replace('\\', '/'))
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToList();
                return new ExportTree(fullPath, zip, entries, isSingleFile: false);
            }
            catch (InvalidDataException error)
            {
                throw ExitKitException.Malformed(fullPath, $"not a readable zip archive ({error.Message}). Export the bot again from the vendor console.", inner: error);
            }
        }
        return new ExportTree(Path.GetFullPath(fullPath), null, [Path.GetFileName(fullPath)], isSingleFile: true);
    }

    // Hidden folders (.git, .rasa caches, IDE settings) are not part of a vendor export.
    private static IEnumerable<string> EnumerateFolder(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            yield return file;
        }
        foreach (var child in Directory.EnumerateDirectories(folder))
        {
            if (Path.GetFileName(child).StartsWith('.'))
            {
                continue;
            }
            foreach (var file in EnumerateFolder(child))
            {
                yield return file;
            }
        }
    }

    /// <summary>The same input restricted to some of its entries (a model file and the cards beside it).</summary>
    public ExportTree Only(Func<string, bool> keep) => new(FullPath, _zip, [.. Entries.Where(keep)], IsSingleFile);

    /// <summary>Opens an entry for reading; callers hold the gate when the input is a zip.</summary>
    private Stream OpenRead(string entry)
    {
        if (_zip is not null)
        {
            return _zipEntries[entry].Open();
        }
        return File.OpenRead(IsSingleFile ? FullPath : Path.Combine(FullPath, entry));
    }

    /// <summary>Reads an entry whole (bot definition files are small).</summary>
    public async Task<byte[]> ReadAllBytesAsync(string entry, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var stream = OpenRead(entry);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Opens an entry as a seekable stream of its own: the file itself, or a temporary copy (deleted on close) of a zip entry.</summary>
    public async Task<Stream> OpenSeekableAsync(string entry, CancellationToken cancellationToken)
    {
        if (_zip is null)
        {
            return OpenRead(entry);
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var copy = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
            try
            {
                await using var stream = OpenRead(entry);
                await stream.CopyToAsync(copy, cancellationToken);
                copy.Position = 0;
                return copy;
            }
            catch
            {
                await copy.DisposeAsync();
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>How an entry is named in problems: the zip and the path inside it, or the path below the folder.</summary>
    public string Describe(string entry) => IsZip ? $"{Path.GetFileName(FullPath)}!/{entry}" : entry;

    /// <summary>Keeps the input byte-exact: a zip as the one file it is, a folder file by file.</summary>
    /// <remarks>
    /// Files that <paramref name="withhold"/> selects (they hold secrets) are not kept. A zip that contains such a file
    /// cannot be kept whole, so its other entries are kept one by one under <c>&lt;connector&gt;/&lt;zip name&gt;/</c>.
    /// </remarks>
    public async Task StoreOriginalsAsync(IExportContext context, string connector, CancellationToken cancellationToken, Func<string, bool>? withhold = null)
    {
        var withheld = withhold is null ? [] : Entries.Where(withhold).ToHashSet(StringComparer.Ordinal);
        if (IsZip && withheld.Count == 0)
        {
            await using var zip = File.OpenRead(FullPath);
            await context.StoreOriginalAsync($"{connector}/{Path.GetFileName(FullPath)}", zip, cancellationToken);
            return;
        }
        var prefix = IsZip ? $"{connector}/{Path.GetFileName(FullPath)}/" : $"{connector}/";
        foreach (var entry in Entries.Where(entry => !withheld.Contains(entry)))
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                await using var stream = OpenRead(entry);
                await context.StoreOriginalAsync(prefix + entry, stream, cancellationToken);
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    public void Dispose()
    {
        _zip?.Dispose();
        _gate.Dispose();
    }
}

/// <summary>Small helpers to build rows by column name and to read vendor JSON leniently.</summary>
public static class Rows
{
    public static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A row of the table with the named columns set; the rest stay null.</summary>
    public static object?[] Make(TableSchema table, string sourceSystem, string sourceId, params (string Column, object? Value)[] values)
    {
        var row = table.NewRow();
        row[table.OrdinalOf("source_system")] = sourceSystem;
        row[table.OrdinalOf("source_id")] = sourceId;
        foreach (var (column, value) in values)
        {
            var ordinal = table.OrdinalOf(column);
            if (ordinal < 0)
            {
                throw new ArgumentException($"Table {table.Name} has no column {column}.", nameof(values));
            }
            row[ordinal] = value;
        }
        return row;
    }

    /// <summary>Parses JSON bytes, tolerating a UTF-8 byte order mark.</summary>
    public static JsonDocument ParseJson(byte[] bytes)
    {
        ReadOnlyMemory<byte> memory = bytes;
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
        {
            memory = memory[3..];
        }
        return JsonDocument.Parse(memory, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
    }

    /// <summary>A string property, or null when absent or not a string.</summary>
    public static string? Text(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The object's properties except the named ones, as a JSON object text, so nothing is dropped.</summary>
    public static string Extra(JsonElement element, params string[] except)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (!except.Contains(property.Name, StringComparer.Ordinal))
                    {
                        property.WriteTo(writer);
                    }
                }
            }
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Yields rows after the one whose cursor is <paramref name="resumeAfter"/>; all rows when it is null.</summary>
    /// <exception cref="ExitKitException">No row has that cursor: the export changed since the run that saved it.</exception>
    public static async IAsyncEnumerable<SourceRow> ResumeAfter(IAsyncEnumerable<object?[]> rows, TableSchema table, string? resumeAfter, string connector,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var idOrdinal = table.OrdinalOf("source_id");
        var skipping = resumeAfter is not null;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            // Rows of one file come without an await between them; stop between rows all the same.
            cancellationToken.ThrowIfCancellationRequested();
            var id = (string)row[idOrdinal]!;
            if (skipping)
            {
                skipping = !string.Equals(id, resumeAfter, StringComparison.Ordinal);
                continue;
            }
            yield return new SourceRow(row, id);
        }
        if (skipping)
        {
            throw ExitKitException.SourceFailed(connector,
                $"cannot resume table {table.Name} after row '{resumeAfter}': the export no longer holds that row, so it changed since the interrupted run. Export again into a new folder, without --resume.");
        }
    }
}
