namespace ExitKit.Storage;

/// <summary>Where a package lives: a local folder or a blob-container prefix. Paths are relative, with forward slashes.</summary>
public interface IPackageStore
{
    /// <summary>Where the store is, for messages and reports. Never holds a secret (no SAS, no key).</summary>
    string Location { get; }

    /// <summary>Opens a file for reading; the stream is seekable (Parquet footers are read from the end).</summary>
    /// <exception cref="ExitKitException">The file does not exist.</exception>
    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces a file. The file appears complete only when the returned stream is disposed without error.</summary>
    Task<Stream> CreateAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>True when the file exists.</summary>
    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file if it exists.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Lists the files under a prefix (all files for an empty prefix), in ordinal order of path.</summary>
    IAsyncEnumerable<StoredFile> ListAsync(string prefix = "", CancellationToken cancellationToken = default);
}

/// <summary>A file in a package store.</summary>
/// <param name="Path">Its path relative to the package root, with forward slashes.</param>
/// <param name="Length">Its size in bytes.</param>
public sealed record StoredFile(string Path, long Length);
