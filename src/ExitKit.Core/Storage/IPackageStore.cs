namespace ExitKit.Storage;

/// <summary>Where a package lives: a local folder or a blob-container prefix. Paths are relative, with forward slashes.</summary>
public interface IPackageStore
{
    /// <summary>Where the store is, for messages and reports. Never holds a secret (no SAS, no key).</summary>
    string Location { get; }

    /// <summary>Opens a file for reading; the stream is seekable (Parquet footers are read from the end).</summary>
    /// <exception cref="ExitKitException">The file does not exist.</exception>
    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Starts writing a file. It appears at <paramref name="path"/> only when <see cref="PendingFile.CommitAsync"/> succeeds;
    /// disposing an uncommitted file discards it, so a crash never leaves a partial file under its final name.</summary>
    Task<PendingFile> CreateAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Moves a file within the store, replacing any file at the destination.</summary>
    Task MoveAsync(string fromPath, string toPath, CancellationToken cancellationToken = default);

    /// <summary>True when the file exists.</summary>
    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file if it exists.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Lists the files under a prefix (all files for an empty prefix), in ordinal order of path.</summary>
    IAsyncEnumerable<StoredFile> ListAsync(string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>The lower-case hex SHA-256 of a file's content, as fixity checks compare it.</summary>
    /// <exception cref="ExitKitException">The file does not exist.</exception>
    Task<string> ComputeSha256Async(string path, CancellationToken cancellationToken = default) => StreamedSha256Async(this, path, cancellationToken);

    /// <summary>A file's SHA-256 read through <see cref="OpenReadAsync"/>: what a store with no faster way does.</summary>
    protected static async Task<string> StreamedSha256Async(IPackageStore store, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var stream = await store.OpenReadAsync(path, cancellationToken);
        return Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken));
    }
}

/// <summary>A file in a package store.</summary>
/// <param name="Path">Its path relative to the package root, with forward slashes.</param>
/// <param name="Length">Its size in bytes.</param>
public sealed record StoredFile(string Path, long Length);

/// <summary>A file being written: write to <see cref="Content"/>, then commit. SHA-256 and length are computed on the way.</summary>
public abstract class PendingFile : IAsyncDisposable
{
    private HashingWriteStream? _content;

    /// <summary>The final path of the file.</summary>
    public abstract string Path { get; }

    /// <summary>The stream to write the file's bytes to; it hashes and counts them as they pass.</summary>
    public Stream Content => _content ??= new HashingWriteStream(OpenInnerStream());

    /// <summary>Bytes written so far.</summary>
    public long Length => _content?.Length ?? 0;

    /// <summary>The lower-case hex SHA-256 of what was written; available after <see cref="CommitAsync"/>.</summary>
    public string? Sha256 { get; private set; }

    /// <summary>The stream of the underlying store that receives the bytes.</summary>
    protected abstract Stream OpenInnerStream();

    /// <summary>Makes the file visible under its final path.</summary>
    protected abstract Task CommitInnerAsync(CancellationToken cancellationToken);

    /// <summary>Discards what was written.</summary>
    protected abstract ValueTask AbortInnerAsync();

    /// <summary>True once committed.</summary>
    public bool Committed { get; private set; }

    /// <summary>Finishes the file and makes it visible. Returns its hash and length.</summary>
    public async Task<FileFixity> CommitAsync(CancellationToken cancellationToken = default)
    {
        var content = (HashingWriteStream)Content;
        await content.FlushAsync(cancellationToken);
        Sha256 = content.FinishHash();
        await content.DisposeInnerAsync();
        await CommitInnerAsync(cancellationToken);
        Committed = true;
        return new FileFixity(Path, content.Length, Sha256);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!Committed)
        {
            if (_content is not null)
            {
                await _content.DisposeInnerAsync();
            }
            await AbortInnerAsync();
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>A file's path, length and SHA-256.</summary>
public sealed record FileFixity(string Path, long Length, string Sha256);
