using System.Security.Cryptography;

namespace ExitKit.Storage.Tests;

/// <summary>The local store's own file hashing, which verification relies on for fixity.</summary>
public sealed class LocalPackageStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "exitkit-local-store-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData((1 << 20) - 1)]
    [InlineData(1 << 20)]
    [InlineData((3 << 20) + 17)]
    public async Task A_files_SHA256_is_the_hash_of_every_byte_whatever_its_size(int length)
    {
        var content = new byte[length];
        Random.Shared.NextBytes(content);
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        await File.WriteAllBytesAsync(Path.Combine(_root, "data", "file.bin"), content, Token);

        var hash = await new LocalPackageStore(_root).ComputeSha256Async("data/file.bin", Token);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), hash);
    }

    [Fact]
    public async Task Hashing_a_missing_file_names_it()
    {
        Directory.CreateDirectory(_root);

        var error = await Assert.ThrowsAsync<ExitKitException>(() => new LocalPackageStore(_root).ComputeSha256Async("data/gone.bin", Token));

        Assert.Contains(Path.Combine(_root, "data", "gone.bin"), error.Message, StringComparison.Ordinal);
    }
}
