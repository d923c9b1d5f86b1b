using System.Text;
using ExitKit.Export;
using ExitKit.Packaging;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Connectors.Zendesk.Tests;

public sealed class PipelineTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "exitkit-zendesk-package-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, recursive: true);
        }
    }

    [Fact]
    public async Task Export_pipeline_writes_a_package_with_hashed_personal_data_and_no_token()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource();
        var store = new LocalPackageStore(_out);
        var options = new ExportOptions { PseudonymKey = "test-key", Parallelism = 2, PackageId = "zendesk-test" };

        var result = await ExportPipeline.RunAsync(source, new ZendeskPlugin().Descriptor, store, options,
            cancellationToken: TestContext.Current.CancellationToken);

        var package = await ExitPackage.OpenAsync(new LocalPackageStore(_out), TestContext.Current.CancellationToken);
        var tickets = new List<object?[]>();
        await foreach (var row in package.ReadRowsAsync("interactions", TestContext.Current.CancellationToken))
        {
            tickets.Add(row);
        }
        Assert.Equal(5, tickets.Count);
        var pseudonym = new Pseudonymiser("test-key").Apply("1001");
        var ticket = Export.Row(NeutralSchema.Interactions, tickets, "1");
        Assert.Equal(pseudonym, Export.Value(NeutralSchema.Interactions, ticket, "customer_id"));
        // The same customer in source_extra carries the same pseudonym, so the two still join.
        Assert.Contains($"\"submitter_id\":\"{pseudonym}\"", (string)Export.Value(NeutralSchema.Interactions, ticket, "source_extra")!, StringComparison.Ordinal);
        Assert.Equal(4, result.Tables.Single(t => t.Table == "interactions").ControlTotal);
        Assert.Contains(result.Manifest.Problems, p => p.Kind == "missing");

        foreach (var file in Directory.GetFiles(_out, "*", SearchOption.AllDirectories))
        {
            var text = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
            Assert.DoesNotContain(FakeZendeskAccount.Token, text, StringComparison.Ordinal);
        }
    }
}
