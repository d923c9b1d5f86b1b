using System.Security.Cryptography;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using ExitKit.Export;
using ExitKit.Packaging;

namespace ExitKit.Storage.Tests;

/// <summary>The blob store against a real Azurite: files appear only on commit, hashes are computed on the way, reads seek.</summary>
public sealed class AzureBlobPackageStoreTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<byte[]> WriteAsync(AzureBlobPackageStore store, string path, int length, bool commit = true)
    {
        var content = new byte[length];
        Random.Shared.NextBytes(content);
        await using var file = await store.CreateAsync(path, Token);
        // Odd-sized writes, so blocks are cut across writes.
        for (var offset = 0; offset < length; offset += 1_000_003)
        {
            await file.Content.WriteAsync(content.AsMemory(offset, Math.Min(1_000_003, length - offset)), Token);
        }
        if (commit)
        {
            var fixity = await file.CommitAsync(Token);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), fixity.Sha256);
            Assert.Equal(length, fixity.Length);
        }
        return content;
    }

    [Fact]
    public async Task A_file_larger_than_a_block_is_staged_in_blocks_and_reads_back_byte_for_byte_with_seeking()
    {
        var store = Azurite.Open(Azurite.NewLocation("blocks"));
        var content = await WriteAsync(store, "data/big.bin", AzureBlobPackageStore.BlockSize * 2 + 12_345);

        var (container, prefix) = Azurite.Parts(store.Location);
        var blocks = await container.GetBlockBlobClient(prefix + "data/big.bin").GetBlockListAsync(BlockListTypes.Committed, cancellationToken: Token);
        Assert.Equal(3, blocks.Value.CommittedBlocks.Count());

        await using var stream = await store.OpenReadAsync("data/big.bin", Token);
        Assert.True(stream.CanSeek);
        Assert.Equal(content.Length, stream.Length);
        stream.Seek(-8, SeekOrigin.End);
        var tail = new byte[8];
        await stream.ReadExactlyAsync(tail, Token);
        Assert.Equal(content[^8..], tail);
        stream.Position = 0;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Token);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task A_file_that_changes_while_it_is_read_is_a_clear_error_naming_it()
    {
        var store = Azurite.Open(Azurite.NewLocation("changed"));
        await WriteAsync(store, ".exitkit/state.json", 1_000);
        await using var stream = await store.OpenReadAsync(".exitkit/state.json", Token);

        await WriteAsync(store, ".exitkit/state.json", 2_000);
        var error = await Assert.ThrowsAsync<ExitKitException>(async () => await stream.ReadExactlyAsync(new byte[100], Token));

        Assert.Contains(".exitkit/state.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("changed while it was being read (412", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_uncommitted_file_never_appears_and_an_earlier_version_stays_whole()
    {
        var store = Azurite.Open(Azurite.NewLocation("uncommitted"));
        await WriteAsync(store, "data/t/part-00000.parquet", AzureBlobPackageStore.BlockSize + 10, commit: false);
        Assert.False(await store.ExistsAsync("data/t/part-00000.parquet", Token));
        Assert.Empty(await store.ListAsync(cancellationToken: Token).ToListAsync(Token));

        var first = await WriteAsync(store, "data/t/part-00000.parquet", 1000);
        await WriteAsync(store, "data/t/part-00000.parquet", AzureBlobPackageStore.BlockSize + 10, commit: false);
        await using var stream = await store.OpenReadAsync("data/t/part-00000.parquet", Token);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Token);
        Assert.Equal(first, copy.ToArray());
    }

    [Fact]
    public async Task Move_list_exists_and_delete_work_on_paths_under_the_prefix()
    {
        var location = Azurite.NewLocation("ops");
        var store = Azurite.Open(location);
        var content = await WriteAsync(store, ".exitkit/incoming/abc", 5000);
        await using (var empty = await store.CreateAsync("empty.txt", Token))
        {
            await empty.CommitAsync(Token);
        }
        await store.MoveAsync(".exitkit/incoming/abc", "data/artefacts/ab/abc", Token);

        Assert.False(await store.ExistsAsync(".exitkit/incoming/abc", Token));
        var listed = await store.ListAsync(cancellationToken: Token).ToListAsync(Token);
        Assert.Equal([new StoredFile("data/artefacts/ab/abc", content.Length), new StoredFile("empty.txt", 0)], listed);
        Assert.Equal([new StoredFile("data/artefacts/ab/abc", content.Length)], await store.ListAsync("data/", Token).ToListAsync(Token));

        // Another prefix in the same container is another package.
        var neighbour = Azurite.Open(location + "-neighbour");
        Assert.Empty(await neighbour.ListAsync(cancellationToken: Token).ToListAsync(Token));

        await store.DeleteAsync("empty.txt", Token);
        await store.DeleteAsync("empty.txt", Token);
        Assert.False(await store.ExistsAsync("empty.txt", Token));
        var missing = await Assert.ThrowsAsync<ExitKitException>(() => store.OpenReadAsync("nope.bin", Token));
        Assert.Contains($"{store.Location}/nope.bin", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_package_exported_to_blob_storage_verifies_and_reads_the_same_rows_as_one_on_disk()
    {
        var store = Azurite.Open(Azurite.NewLocation("package"));
        var options = new ExportOptions { Limits = new PartLimits(MaxRows: 700) };
        var result = await PackageSource.ExportAsync(store, 400, options);
        Assert.True(result.Complete);
        Assert.True(result.Manifest.FindTable("messages")!.Files.Count > 1);

        var verification = await PackageVerifier.VerifyAsync(store, cancellationToken: Token);
        Assert.Empty(verification.Findings);
        Assert.Empty(await store.ListAsync(PackageLayout.WorkFolder, Token).ToListAsync(Token));

        var folder = PackageSource.TemporaryFolder("blob-twin");
        try
        {
            await PackageSource.ExportAsync(new LocalPackageStore(folder), 400, options);
            var fromBlob = await PackageSource.AllSourceIdsAsync(await ExitPackage.OpenAsync(store, Token));
            var fromDisk = await PackageSource.AllSourceIdsAsync(await ExitPackage.OpenAsync(new LocalPackageStore(folder), Token));
            Assert.Equal(fromDisk, fromBlob);
            Assert.Equal(400, fromBlob["interactions"].Length);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Originals_in_many_batches_on_blob_storage_seal_into_the_same_manifest_and_bag_as_on_disk()
    {
        var folder = PackageSource.TemporaryFolder("blob-originals");
        try
        {
            var blob = Azurite.Open(Azurite.NewLocation("originals"));
            var disk = new LocalPackageStore(folder);
            foreach (var (store, perBatch) in new (IPackageStore, int)[] { (blob, 3), (disk, 10_000) })
            {
                using var writer = await PackageWriter.OpenAsync(store, new PackageWriter.Options
                {
                    Source = new SourceInfo("s", "Vendor", "c", "1"), Time = FixedTime, PackageId = "originals", OriginalsPerBatch = perBatch, OriginalsMergeWidth = 2,
                }, Token);
                // Thirty pages in reverse order, then a few stored again: the entry stored last is listed.
                var stored = 0;
                foreach (var page in Enumerable.Range(0, 30).Reverse().Concat([4, 17, 4]))
                {
                    var content = System.Text.Encoding.UTF8.GetBytes($"page {page}, stored {++stored}{new string('.', stored)}");
                    await writer.StoreOriginalAsync($"saved/page-{page:D2}.json", new MemoryStream(content), Token);
                }
                if (store == blob)
                {
                    // Written as batches to the container, under the work folder.
                    Assert.Equal(11, await blob.ListAsync(".exitkit/originals/", Token).CountAsync(Token));
                }
                await writer.SealAsync(Token);
            }
            Assert.Empty((await PackageVerifier.VerifyAsync(blob, cancellationToken: Token)).Findings);
            Assert.Empty(await blob.ListAsync(PackageLayout.WorkFolder, Token).ToListAsync(Token));
            var originals = (await ExitPackage.OpenAsync(blob, Token)).Manifest.Originals;
            Assert.Equal(Enumerable.Range(0, 30).Select(page => $"data/originals/saved/page-{page:D2}.json"), originals.Select(original => original.Path));
            Assert.Equal("page 4, stored 33".Length + 33, originals[4].Bytes);
            foreach (var file in new[] { "exitkit.json", "manifest-sha256.txt", "bag-info.txt", "tagmanifest-sha256.txt" })
            {
                await using var fromBlob = await blob.OpenReadAsync(file, Token);
                Assert.Equal(await File.ReadAllTextAsync(Path.Combine(folder, file), Token), await new StreamReader(fromBlob).ReadToEndAsync(Token));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static readonly TimeProvider FixedTime = new FixedClock();

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 11, 1, 9, 30, 0, TimeSpan.Zero);
    }

    [Fact]
    public async Task Verify_names_each_blob_that_was_modified_deleted_or_added()
    {
        var store = Azurite.Open(Azurite.NewLocation("tamper"));
        await PackageSource.ExportAsync(store, 200);
        var (container, prefix) = Azurite.Parts(store.Location);
        var files = await store.ListAsync(cancellationToken: Token).ToListAsync(Token);
        var modified = files.First(file => file.Path.StartsWith("data/interactions/", StringComparison.Ordinal)).Path;
        var deleted = files.First(file => file.Path.StartsWith("data/surveys/", StringComparison.Ordinal)).Path;
        const string added = "data/interactions/part-99999.parquet";

        var blob = container.GetBlobClient(prefix + modified);
        var bytes = (await blob.DownloadContentAsync(Token)).Value.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0x01;
        await blob.UploadAsync(new BinaryData(bytes), overwrite: true, Token);
        await container.DeleteBlobAsync(prefix + deleted, cancellationToken: Token);
        await container.GetBlobClient(prefix + added).UploadAsync(new BinaryData("not a part"u8.ToArray()), Token);

        var result = await PackageVerifier.VerifyAsync(store, cancellationToken: Token);
        Assert.False(result.IsValid);
        Assert.Contains(result.Findings, finding => finding.Path == modified && finding.Problem.Contains("SHA-256", StringComparison.Ordinal));
        Assert.Contains(result.Findings, finding => finding.Path == deleted && finding.Problem.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(result.Findings, finding => finding.Path == added && finding.Problem.Contains("added", StringComparison.Ordinal));
    }

    [Fact]
    public void Locations_name_account_container_and_prefix_and_drop_the_query()
    {
        Assert.Equal("https://acct.blob.core.windows.net/exits/2026/acme",
            AzureBlobPackageStore.PublicLocation("https://acct.blob.core.windows.net/exits/2026/acme/?sv=2024&sig=SECRET"));
        var store = AzureBlobPackageStore.Open("https://acct.blob.core.windows.net/exits/2026/acme?sv=2024&sig=SECRET");
        Assert.Equal("https://acct.blob.core.windows.net/exits/2026/acme", store.Location);
        var noContainer = Assert.Throws<ExitKitException>(() => AzureBlobPackageStore.Open("https://acct.blob.core.windows.net/?sig=SECRET"));
        Assert.DoesNotContain("SECRET", noContainer.Message, StringComparison.Ordinal);
        Assert.IsType<LocalPackageStore>(PackageStores.Open("relative/folder"));
        Assert.IsType<AzureBlobPackageStore>(PackageStores.Open("http://127.0.0.1:10000/devstoreaccount1/c/p", "UseDevelopmentStorage=true"));
    }
}
