using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace ExitKit.Storage;

/// <summary>A package under a prefix of an Azure Blob Storage container (or of Azurite).</summary>
/// <remarks>
/// Files are block blobs: bytes are staged as blocks while they are written and become the blob only when the block list is
/// committed, so a crash never leaves a partial file under its final name (staged blocks that were never committed are
/// discarded by the service). Nothing is read back to hash it: SHA-256 is computed on the way up.
/// <see cref="Location"/> is the container URL and prefix without its query string, so a SAS never reaches a message.
/// </remarks>
public sealed class AzureBlobPackageStore : IPackageStore
{
    /// <summary>The environment variable whose connection string is used when no other credential is given.</summary>
    public const string ConnectionStringVariable = "EXITKIT_BLOB_CONNECTION_STRING";

    /// <summary>Bytes per staged block.</summary>
    public const int BlockSize = 8 << 20;

    // Blocks uploaded at once per file: the writer fills the next block while earlier ones travel.
    private const int BlocksInFlight = 3;

    // The first buffer of a file; it doubles up to a block as the file grows.
    private const int SmallestBuffer = 64 << 10;

    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private bool _containerChecked;

    private AzureBlobPackageStore(BlobContainerClient container, string prefix, string location)
    {
        _container = container;
        _prefix = prefix;
        Location = location;
    }

    /// <inheritdoc />
    public string Location { get; }

    /// <summary>True when a location names a blob container (an <c>http</c> or <c>https</c> URL).</summary>
    public static bool IsBlobLocation(string location) =>
        Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    /// <summary>The location without its query string (a SAS) or trailing slash: safe to show.</summary>
    public static string PublicLocation(string location) =>
        Uri.TryCreate(location, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path).TrimEnd('/') : location.Split('?')[0].TrimEnd('/');

    /// <summary>Opens a container prefix named by URL: <c>https://account.blob.core.windows.net/container/prefix</c> or, for
    /// Azurite, <c>http://127.0.0.1:10000/devstoreaccount1/container/prefix</c>.</summary>
    /// <param name="location">The URL; a query string is taken as a SAS token.</param>
    /// <param name="connectionString">A storage connection string; when null, the URL's SAS, then <see cref="ConnectionStringVariable"/>,
    /// then the Azure identity chain (<see cref="DefaultAzureCredential"/>) are used, in that order.</param>
    /// <param name="environment">Reads environment variables (injected by tests).</param>
    /// <exception cref="ExitKitException">The URL does not name a container, or the connection string is unusable.</exception>
    public static AzureBlobPackageStore Open(string location, string? connectionString = null, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        environment ??= Environment.GetEnvironmentVariable;
        var shown = PublicLocation(location);
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ExitKitException($"Package location '{shown}' is not a blob container URL (https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX).");
        }
        var parts = new BlobUriBuilder(new Uri(uri.GetLeftPart(UriPartial.Path)));
        if (string.IsNullOrEmpty(parts.BlobContainerName))
        {
            throw new ExitKitException($"Package location '{shown}' names no container: write it as https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX.");
        }
        var prefix = string.IsNullOrEmpty(parts.BlobName) ? "" : parts.BlobName.Trim('/') + "/";
        var options = ClientOptions();
        var sas = uri.Query.Length > 1 ? uri.Query : null;
        connectionString ??= sas is null ? environment(ConnectionStringVariable) : null;
        BlobContainerClient container;
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            BlobServiceClient service;
            try
            {
                service = new BlobServiceClient(connectionString, options);
            }
            catch (Exception error) when (error is FormatException or ArgumentException or InvalidOperationException)
            {
                // The parser's message can quote the string, and with it the account key: say what is wrong without it.
                throw new ExitKitException($"The blob connection string for {shown} is not a valid Azure Storage connection string " +
                    "(DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net).");
            }
            if (!string.IsNullOrEmpty(parts.AccountName) && !string.Equals(service.AccountName, parts.AccountName, StringComparison.OrdinalIgnoreCase))
            {
                throw new ExitKitException($"The blob connection string is for storage account '{service.AccountName}', but the package location '{shown}' " +
                    $"is in account '{parts.AccountName}'. Use the connection string of that account.");
            }
            container = service.GetBlobContainerClient(parts.BlobContainerName);
        }
        else if (sas is not null)
        {
            var containerUri = new BlobUriBuilder(uri) { BlobName = "" }.ToUri();
            container = new BlobContainerClient(containerUri, options);
        }
        else
        {
            if (uri.Scheme != "https")
            {
                throw new ExitKitException($"Package location '{shown}' is plain http, and an Azure identity signs in over https only. For Azurite or another " +
                    $"local emulator give a connection string in {ConnectionStringVariable} or --blob-connection env:NAME, or a SAS URL.");
            }
            var containerUri = new BlobUriBuilder(new Uri(uri.GetLeftPart(UriPartial.Path))) { BlobName = "" }.ToUri();
            container = new BlobContainerClient(containerUri, Identity(), options);
        }
        return new AzureBlobPackageStore(container, prefix, shown);
    }

    private static DefaultAzureCredential Identity() => new(new DefaultAzureCredentialOptions { ExcludeInteractiveBrowserCredential = true });

    private static BlobClientOptions ClientOptions() =>
        // Pinned: the newest version Azurite 3.37 (the test service) accepts; the service itself accepts it too.
        new(BlobClientOptions.ServiceVersion.V2026_06_06)
        {
            Retry = { MaxRetries = 5, Mode = RetryMode.Exponential, Delay = TimeSpan.FromMilliseconds(200), NetworkTimeout = TimeSpan.FromMinutes(5) },
        };

    private string Name(string path) => _prefix + path;

    private BlockBlobClient Blob(string path) => _container.GetBlockBlobClient(Name(path));

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerChecked)
        {
            return;
        }
        try
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException error) when (error.Status == 403)
        {
            // A SAS scoped to the container may not allow creating it; if it exists, writing works.
        }
        catch (RequestFailedException error)
        {
            throw Failure("create the container of", "", error);
        }
        _containerChecked = true;
    }

    /// <summary>An error naming the blob and the service's reason, never the URL's query string or a key.</summary>
    private ExitKitException Failure(string action, string path, Exception error)
    {
        var where = path.Length == 0 ? Location : $"{Location}/{path}";
        var reason = error switch
        {
            RequestFailedException { Status: 403 } failed => $"access denied (403 {failed.ErrorCode}): the credential may not {action} it. Check the SAS permissions, " +
                "the role assignment (Storage Blob Data Contributor) or the connection string",
            RequestFailedException { Status: 404 } failed => $"not found (404 {failed.ErrorCode}): check the account and container in the URL",
            RequestFailedException { Status: 0 } => "the storage service did not answer: check the URL and the network",
            RequestFailedException { Status: 412 } => "it changed while it was being read (412: another process wrote it). If another export into this " +
                "package is running, let it finish; if one was just stopped, its last request may only now have landed: run the command again",
            RequestFailedException failed => $"the storage service answered {failed.Status.ToString(CultureInfo.InvariantCulture)} {failed.ErrorCode}",
            AuthenticationFailedException => "no Azure identity could sign in (tried environment, workload identity, managed identity, Azure CLI). " +
                $"Sign in with `az login`, or give a connection string in {ConnectionStringVariable} or --blob-connection env:NAME, or a SAS URL",
            _ => error.GetType().Name,
        };
        return new ExitKitException($"Blob storage could not {action} {where}: {reason}.");
    }

    private async Task<T> CallAsync<T>(string action, string path, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception error) when (error is RequestFailedException or AuthenticationFailedException)
        {
            throw Failure(action, path, error);
        }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            // The SDK's read stream seeks (it fetches ranges on demand), which Parquet footers need.
            var stream = await Blob(path).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 4 << 20 }, cancellationToken);
            return new GuardedReadStream(this, path, stream);
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            throw ExitKitException.FileNotFound($"{Location}/{path}", "Package file");
        }
        catch (Exception error) when (error is RequestFailedException or AuthenticationFailedException)
        {
            throw Failure("read", path, error);
        }
    }

    /// <inheritdoc />
    public async Task<PendingFile> CreateAsync(string path, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken);
        return new BlobPendingFile(this, path);
    }

    /// <inheritdoc />
    public async Task MoveAsync(string fromPath, string toPath, CancellationToken cancellationToken = default)
    {
        var source = Blob(fromPath);
        var destination = Blob(toPath);
        await CallAsync("copy into", toPath, async () =>
        {
            // A server-side copy within the account: the bytes do not travel through this machine.
            var copy = await destination.StartCopyFromUriAsync(source.Uri, cancellationToken: cancellationToken);
            // Polled here rather than with the operation's own wait, which can report a copy that completed at once as not completed.
            var delay = TimeSpan.FromMilliseconds(50);
            while (!copy.HasCompleted)
            {
                var properties = (await destination.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
                if (properties.CopyId != copy.Id || properties.CopyStatus == CopyStatus.Success)
                {
                    break;
                }
                if (properties.CopyStatus is CopyStatus.Failed or CopyStatus.Aborted)
                {
                    throw new ExitKitException($"Blob storage could not copy {Location}/{fromPath} to {toPath}: the copy {properties.CopyStatus} " +
                        $"({properties.CopyStatusDescription}). Run the export again with --resume.");
                }
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(1000, delay.TotalMilliseconds * 2));
            }
            return true;
        });
        await CallAsync("delete", fromPath, async () => (await source.DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value);
    }

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            return (await Blob(path).ExistsAsync(cancellationToken)).Value;
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return false;
        }
        catch (Exception error) when (error is RequestFailedException or AuthenticationFailedException)
        {
            throw Failure("look for", path, error);
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        CallAsync("delete", path, async () =>
        {
            try
            {
                return (await Blob(path).DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value;
            }
            catch (RequestFailedException error) when (error.Status == 404)
            {
                return false;
            }
        });

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredFile> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The service lists committed blobs only, in name order: a blob whose blocks were staged but never committed is not there.
        var pages = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = Name(prefix) }, cancellationToken).AsPages(pageSizeHint: 5000);
        await using var enumerator = pages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            Page<BlobItem> page;
            try
            {
                if (!await enumerator.MoveNextAsync())
                {
                    yield break;
                }
                page = enumerator.Current;
            }
            catch (RequestFailedException error) when (error.Status == 404 && error.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                yield break;
            }
            catch (Exception error) when (error is RequestFailedException or AuthenticationFailedException)
            {
                throw Failure("list", prefix, error);
            }
            foreach (var item in page.Values)
            {
                yield return new StoredFile(item.Name[_prefix.Length..], item.Properties.ContentLength ?? 0);
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => Location;

    /// <summary>The SDK's read stream, whose range requests fail with the SDK's own exception: here they fail with a message
    /// naming the file, like every other request of the store.</summary>
    private sealed class GuardedReadStream(AzureBlobPackageStore store, string path, Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (RequestFailedException error)
            {
                throw store.Failure("read", path, error);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (RequestFailedException error)
            {
                throw store.Failure("read", path, error);
            }
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }

    private sealed class BlobPendingFile(AzureBlobPackageStore store, string path) : PendingFile
    {
        private BlockStream? _stream;

        public override string Path => path;

        protected override Stream OpenInnerStream() => _stream = new BlockStream(store, path);

        protected override async Task CommitInnerAsync(CancellationToken cancellationToken)
        {
            var stream = _stream ?? new BlockStream(store, path);
            if (stream.TakeWholeContent() is { } whole)
            {
                // A file smaller than one block (most artefacts and originals) goes up in a single request, not stage + commit.
                try
                {
                    using var content = new MemoryStream(whole.Buffer, 0, whole.Length, writable: false);
                    await store.CallAsync("write", path, async () =>
                        (await store.Blob(path).UploadAsync(content, new BlobUploadOptions(), cancellationToken)).Value);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(whole.Buffer);
                }
                return;
            }
            await stream.FinishAsync(cancellationToken);
            await store.CallAsync("write", path, async () =>
                (await store.Blob(path).CommitBlockListAsync(stream.BlockIds, new CommitBlockListOptions(), cancellationToken)).Value);
        }

        protected override ValueTask AbortInnerAsync()
        {
            // Staged blocks that are never committed are dropped by the service; the blob (if any) is untouched.
            _stream?.Abandon();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Cuts what is written into blocks and stages them, a few at a time.</summary>
    private sealed class BlockStream(AzureBlobPackageStore store, string path) : Stream
    {
        // Every block id of a blob must have the same length, also across runs: a fixed-width session id and block number.
        private readonly string _session = Guid.NewGuid().ToString("N");
        private readonly List<string> _blockIds = [];
        private readonly Queue<Task> _inFlight = new();
        private byte[]? _buffer;
        private int _filled;
        private long _length;

        public IReadOnlyList<string> BlockIds => _blockIds;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (buffer.Length > 0)
            {
                var taken = Fill(buffer);
                buffer = buffer[taken..];
                if (_filled == BlockSize)
                {
                    StageAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
                }
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (buffer.Length > 0)
            {
                var taken = Fill(buffer.Span);
                buffer = buffer[taken..];
                if (_filled == BlockSize)
                {
                    await StageAsync(cancellationToken);
                }
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Fill(ReadOnlySpan<byte> buffer)
        {
            Reserve(Math.Min(BlockSize, _filled + buffer.Length));
            var taken = Math.Min(buffer.Length, BlockSize - _filled);
            buffer[..taken].CopyTo(_buffer.AsSpan(_filled));
            _filled += taken;
            _length += taken;
            return taken;
        }

        /// <summary>Makes the block buffer hold at least <paramref name="needed"/> bytes. It starts small and doubles: most files
        /// (artefacts, originals, checkpoints) are a few kilobytes, and a block-sized buffer each would hold megabytes per upload.</summary>
        private void Reserve(int needed)
        {
            if (_buffer is not null && _buffer.Length >= needed)
            {
                return;
            }
            var size = Math.Min(BlockSize, Math.Max(needed, Math.Max(SmallestBuffer, (_buffer?.Length ?? 0) * 2)));
            var larger = ArrayPool<byte>.Shared.Rent(size);
            if (_buffer is not null)
            {
                _buffer.AsSpan(0, _filled).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
            }
            _buffer = larger;
        }

        private async ValueTask StageAsync(CancellationToken cancellationToken)
        {
            if (_filled == 0)
            {
                return;
            }
            while (_inFlight.Count >= BlocksInFlight)
            {
                await _inFlight.Dequeue();
            }
            var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{_session}-{_blockIds.Count:D6}")));
            _blockIds.Add(id);
            var buffer = _buffer!;
            var length = _filled;
            _buffer = null;
            _filled = 0;
            _inFlight.Enqueue(StageBlockAsync(id, buffer, length, cancellationToken));
        }

        private async Task StageBlockAsync(string id, byte[] buffer, int length, CancellationToken cancellationToken)
        {
            try
            {
                using var content = new MemoryStream(buffer, 0, length, writable: false);
                await store.CallAsync("write", path, async () =>
                    (await store.Blob(path).StageBlockAsync(id, content, new BlockBlobStageBlockOptions(), cancellationToken)).Value);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <summary>The whole content when nothing has been staged (it fits one block), leaving the stream empty; null otherwise.</summary>
        public (byte[] Buffer, int Length)? TakeWholeContent()
        {
            if (_blockIds.Count > 0 || _inFlight.Count > 0)
            {
                return null;
            }
            var buffer = _buffer ?? ArrayPool<byte>.Shared.Rent(1);
            var length = _filled;
            _buffer = null;
            _filled = 0;
            return (buffer, length);
        }

        public async Task FinishAsync(CancellationToken cancellationToken)
        {
            await StageAsync(cancellationToken);
            while (_inFlight.Count > 0)
            {
                await _inFlight.Dequeue();
            }
        }

        public void Abandon()
        {
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
