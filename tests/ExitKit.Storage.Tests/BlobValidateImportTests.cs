using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Connectors.SqlSuccessor;
using ExitKit.Export;
using ExitKit.Import;
using ExitKit.Packaging;
using ExitKit.Validation;
using ExitKit.Validation.Content;
using ExitKit.Validation.Schedules;

namespace ExitKit.Storage.Tests;

/// <summary>A package in blob storage is validated and imported where it lies, as one on disk is.</summary>
public sealed class BlobValidateImportTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_package_in_blob_storage_is_validated_against_a_schedule_and_imported_into_a_successor_that_reads_back_equal()
    {
        var store = Azurite.Open(Azurite.NewLocation("validate-import"));
        var result = await PackageSource.ExportAsync(store, 300, new ExportOptions());
        Assert.True(result.Complete);

        var schedule = await ScheduleLoader.LoadAsync(Path.Combine(ExitKitProcess.RepositoryRoot(), "manifests/examples/demo.schedule.yaml"), Token);
        var package = await ExitPackage.OpenAsync(store, Token);
        var validation = await Validator.ValidateAsync(new ExitPackageContent(package), schedule, cancellationToken: Token);
        Assert.True(validation.Counts.NotMet == 0 && validation.Counts.NotCheckable == 0,
            string.Join("\n", validation.Obligations.Select(obligation => obligation.Headline)));

        var folder = PackageSource.TemporaryFolder("blob-import");
        try
        {
            var settings = JsonSerializer.SerializeToElement(new { provider = "sqlite", databasePath = Path.Combine(folder, "successor.db") });
            await using var successor = new SqlSuccessorPlugin().CreateSuccessor(new ConnectorConfiguration(settings, Path.Combine(folder, "successor.json")));
            var import = await ImportPipeline.RunAsync(package, successor, new ImportOptions(), cancellationToken: Token);
            Assert.True(import.Complete);
            Assert.Equal(package.Manifest.Tables.Sum(table => table.Rows), import.TotalRows);
            var readBack = await ReadBackVerifier.VerifyAsync(package, successor, new ReadBackOptions(), cancellationToken: Token);
            Assert.True(readBack.Equal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
