using System.IO.Compression;

namespace ExitKit.Connectors.Support;

/// <summary>One file of an export: its path relative to the export root, with forward slashes.</summary>
public sealed record ExportFile(string RelativePath, Func<CancellationToken, Task<byte[]>> ReadAsync)
{
    /// <summary>The file's bytes, or why they could not be read (permissions, a damaged .zip entry).</summary>
    public async Task<(byte[]? Bytes, string? Error)> TryReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await ReadAsync(cancellationToken), null);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return (null, error.Message);
        }
    }
}

/// <summary>The files of an export, from a folder or a .zip, in a stable (ordinal) order so reads are repeatable and resumable.</summary>
public sealed class ExportFiles : IDisposable
{
    private readonly string _root;
    private readonly ZipArchive? _zip;
    private readonly SemaphoreSlim _zipLock = new(1, 1);

    private ExportFiles(string root, ZipArchive? zip)
    {
        _root = root;
        _zip = zip;
    }

    /// <summary>Where the export is, for messages.</summary>
    public string Root => _root;

    public static ExportFiles Open(string path, string configPath)
    {
        if (Directory.Exists(path))
        {
            return new ExportFiles(path, null);
        }
        if (File.Exists(path) && path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return new ExportFiles(path, ZipFile.OpenRead(path));
            }
            catch (InvalidDataException error)
            {
                throw ExitKitException.Malformed(path, $"is not a readable .zip ({error.Message}). Point setting 'path' in {configPath} at a folder or an intact .zip.", inner: error);
            }
        }
        if (File.Exists(path))
        {
            throw ExitKitException.BadSetting(configPath, "path", $"names the file '{path}'; it must name a folder or a .zip of export files.");
        }
        throw ExitKitException.FileNotFound(path, "Export folder or .zip");
    }

    private readonly Lock _listLock = new();
    private IReadOnlyList<ExportFile>? _list;

    /// <summary>The files, listed once: tables are read in parallel and every read must see the same files in the same order.</summary>
    public IReadOnlyList<ExportFile> List()
    {
        lock (_listLock)
        {
            return _list ??= ListNow();
        }
    }

    private List<ExportFile> ListNow()
    {
        if (_zip is not null)
        {
            return _zip.Entries
                .Where(entry => !entry.FullName.EndsWith('/'))
                .OrderBy(entry => entry.FullName, StringComparer.Ordinal)
                .Select(entry => new ExportFile(entry.FullName.Replace('\\', '/'), cancellationToken => ReadEntryAsync(entry, cancellationToken)))
                .ToList();
        }
        return Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)
            .Select(file => (file, relative: Path.GetRelativePath(_root, file).Replace('\\', '/')))
            .OrderBy(pair => pair.relative, StringComparer.Ordinal)
            .Select(pair => new ExportFile(pair.relative, cancellationToken => File.ReadAllBytesAsync(pair.file, cancellationToken)))
            .ToList();
    }

    private async Task<byte[]> ReadEntryAsync(ZipArchiveEntry entry, CancellationToken cancellationToken)
    {
        // A ZipArchive opened for reading is not safe for concurrent entry streams.
        await _zipLock.WaitAsync(cancellationToken);
        try
        {
            await using var stream = entry.Open();
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        finally
        {
            _zipLock.Release();
        }
    }

    public void Dispose()
    {
        _zip?.Dispose();
        _zipLock.Dispose();
    }
}
