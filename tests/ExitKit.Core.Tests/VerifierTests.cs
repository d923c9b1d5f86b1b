using System.Diagnostics;
using System.Globalization;
using ExitKit.Packaging;
using ExitKit.Storage;

namespace ExitKit.Core.Tests;

/// <summary>Verification catches every kind of tampering, naming the file; an independent tool agrees with the bag.</summary>
public sealed class VerifierTests : IAsyncLifetime
{
    private readonly string _folder = SamplePackages.TemporaryFolder("tamper");

    public async ValueTask InitializeAsync() => await SamplePackages.ExportAsync(_folder, 300);

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    private Task<VerificationResult> VerifyAsync() => PackageVerifier.VerifyAsync(new LocalPackageStore(_folder), cancellationToken: TestContext.Current.CancellationToken);

    private string Full(string relative) => Path.Combine(_folder, relative);

    private string First(string folder, string pattern = "*") =>
        Path.GetRelativePath(_folder, Directory.EnumerateFiles(Full(folder), pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal).First()).Replace('\\', '/');

    [Fact]
    public async Task A_fresh_package_is_valid()
    {
        var result = await VerifyAsync();
        Assert.Empty(result.Findings);
        Assert.True(result.FilesChecked > 20);
    }

    public static TheoryData<string> FilesToFlip() =>
    [
        "data/interactions", "data/messages", "data/artefacts", "data/originals", "exitkit.json", "datapackage.json", "bag-info.txt", "manifest-sha256.txt",
    ];

    [Theory]
    [MemberData(nameof(FilesToFlip))]
    public async Task Flipping_one_byte_in_any_file_is_reported_naming_that_file(string where)
    {
        var target = where.StartsWith("data/", StringComparison.Ordinal) ? First(where) : where;
        var bytes = await File.ReadAllBytesAsync(Full(target), TestContext.Current.CancellationToken);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(Full(target), bytes, TestContext.Current.CancellationToken);
        var result = await VerifyAsync();
        Assert.False(result.IsValid);
        Assert.Contains(result.Findings, finding => finding.Path == target && finding.Problem.Contains("SHA-256", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_deleted_file_is_reported_as_missing()
    {
        var target = First("data/surveys");
        File.Delete(Full(target));
        var result = await VerifyAsync();
        Assert.Contains(result.Findings, finding => finding.Path == target && finding.Problem.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(result.Findings, finding => finding.Path == "bag-info.txt" && finding.Problem.Contains("Payload-Oxum", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("data/interactions/extra.parquet")]
    [InlineData("notes.txt")]
    public async Task An_added_file_is_reported(string added)
    {
        await File.WriteAllTextAsync(Full(added), "not part of the package", TestContext.Current.CancellationToken);
        var result = await VerifyAsync();
        Assert.Contains(result.Findings, finding => finding.Path == added && finding.Problem.Contains("added", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_truncated_parquet_part_is_reported_as_damaged()
    {
        var target = First("data/messages", "*.parquet");
        await using (var file = File.Open(Full(target), FileMode.Open))
        {
            file.SetLength(file.Length / 2);
        }
        var result = await VerifyAsync();
        Assert.Contains(result.Findings, finding => finding.Path == target && finding.Problem.Contains("not a readable Parquet file", StringComparison.Ordinal));
        Assert.Contains(result.Findings, finding => finding.Path == target && finding.Problem.Contains("SHA-256", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_edited_row_count_in_the_manifest_is_reported()
    {
        var manifest = await File.ReadAllTextAsync(Full("exitkit.json"), TestContext.Current.CancellationToken);
        var interactions = manifest.IndexOf("\"name\": \"interactions\"", StringComparison.Ordinal);
        var rowsAt = manifest.IndexOf("\"rows\": 300", interactions, StringComparison.Ordinal);
        Assert.True(rowsAt > 0);
        await File.WriteAllTextAsync(Full("exitkit.json"), manifest[..rowsAt] + "\"rows\": 299" + manifest[(rowsAt + "\"rows\": 300".Length)..], TestContext.Current.CancellationToken);
        var result = await VerifyAsync();
        Assert.Contains(result.Findings, finding => finding.Path == "exitkit.json" && finding.Problem.Contains("SHA-256", StringComparison.Ordinal));
        Assert.Contains(result.Findings, finding => finding.Problem.Contains("299", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unsealed_package_is_reported_as_not_sealed()
    {
        File.Delete(Full("tagmanifest-sha256.txt"));
        var result = await VerifyAsync();
        Assert.Contains(result.Findings, finding => finding.Path == "tagmanifest-sha256.txt" && finding.Problem.Contains("never sealed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sha256sum_agrees_with_every_line_of_the_bag_manifests_and_the_oxum_matches_the_payload()
    {
        foreach (var manifest in new[] { "manifest-sha256.txt", "tagmanifest-sha256.txt" })
        {
            var check = Process.Start(new ProcessStartInfo("sha256sum", ["--check", "--strict", "--quiet", manifest])
            {
                WorkingDirectory = _folder, RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            var output = await check.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken) + await check.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await check.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(check.ExitCode == 0, $"sha256sum --check {manifest}: {output}");
        }
        var payload = Directory.EnumerateFiles(Full("data"), "*", SearchOption.AllDirectories).Select(path => new FileInfo(path)).ToArray();
        var oxum = string.Create(CultureInfo.InvariantCulture, $"Payload-Oxum: {payload.Sum(file => file.Length)}.{payload.Length}");
        Assert.Contains(oxum, await File.ReadAllLinesAsync(Full("bag-info.txt"), TestContext.Current.CancellationToken));
        var listed = (await File.ReadAllLinesAsync(Full("manifest-sha256.txt"), TestContext.Current.CancellationToken)).Length;
        Assert.Equal(payload.Length, listed);
    }
}
