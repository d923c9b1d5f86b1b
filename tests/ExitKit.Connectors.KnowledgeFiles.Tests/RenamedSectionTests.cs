using System.Runtime.CompilerServices;
using ExitKit.Schema;

namespace ExitKit.Connectors.KnowledgeFiles.Tests;

/// <summary>A later package in which a section was renamed: its pages move with it, and nothing is left at the old path.</summary>
public sealed class RenamedSectionTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pages_of_a_renamed_section_move_and_the_old_folder_goes()
    {
        using var output = new OutputFolder();
        await ImportAsync(output, "FAQ");

        var results = await ImportAsync(output, "Questions and answers");

        Assert.Equal([ImportOutcome.Updated], results["kb_sections"]);
        Assert.Equal([ImportOutcome.Updated], results["kb_articles"]);
        Assert.Equal(["en-us/questions-and-answers/_index.md", "en-us/questions-and-answers/printer-fire.md"],
            output.Files().Where(file => !file.StartsWith('.')));
        await using var successor = output.Connect();
        Assert.Single(await successor.ReadBackAsync(NeutralSchema.KbArticles, Token).ToListAsync(Token));
    }

    private static async Task<Dictionary<string, ImportOutcome[]>> ImportAsync(OutputFolder output, string sectionName)
    {
        var section = NeutralSchema.KbSections.NewRow();
        section[0] = "zendesk:acme";
        section[1] = "section/6001";
        section[NeutralSchema.KbSections.OrdinalOf("kind")] = "section";
        section[NeutralSchema.KbSections.OrdinalOf("name")] = sectionName;
        section[NeutralSchema.KbSections.OrdinalOf("locale")] = "en-us";
        var article = NeutralSchema.KbArticles.NewRow();
        article[0] = "zendesk:acme";
        article[1] = "7001/en-us/1";
        article[NeutralSchema.KbArticles.OrdinalOf("article_id")] = "7001";
        article[NeutralSchema.KbArticles.OrdinalOf("locale")] = "en-us";
        article[NeutralSchema.KbArticles.OrdinalOf("version")] = 1L;
        article[NeutralSchema.KbArticles.OrdinalOf("title")] = "Printer fire";
        article[NeutralSchema.KbArticles.OrdinalOf("body")] = "<p>Use CO2.</p>";
        article[NeutralSchema.KbArticles.OrdinalOf("section_id")] = "section/6001";
        article[NeutralSchema.KbArticles.OrdinalOf("state")] = "published";
        article[NeutralSchema.KbArticles.OrdinalOf("updated_at")] = new DateTimeOffset(2025, 7, 2, 10, 0, 0, TimeSpan.Zero);
        var package = new RowsSource(new() { ["kb_sections"] = [section], ["kb_articles"] = [article] });

        await using var successor = output.Connect();
        await successor.AttachPackageAsync(package, Token);
        await successor.PrepareAsync([NeutralSchema.KbSections, NeutralSchema.KbArticles], dryRun: false, Token);
        return new Dictionary<string, ImportOutcome[]>
        {
            ["kb_sections"] = (await successor.ImportAsync(NeutralSchema.KbSections, [section], dryRun: false, Token)).Select(result => result.Outcome).ToArray(),
            ["kb_articles"] = (await successor.ImportAsync(NeutralSchema.KbArticles, [article], dryRun: false, Token)).Select(result => result.Outcome).ToArray(),
        };
    }
}

/// <summary>A package given as rows in memory (tests only).</summary>
internal sealed class RowsSource(Dictionary<string, List<object?[]>> tables) : IImportSource
{
    public string Location => "(rows in memory)";

    public bool HasTable(string table) => tables.ContainsKey(table);

    public async IAsyncEnumerable<object?[]> ReadRowsAsync(string table, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (var row in tables[table])
        {
            yield return row;
        }
    }

    public Task<Stream> OpenArtefactAsync(string packagePath, CancellationToken cancellationToken = default) =>
        throw ExitKitException.FileNotFound(packagePath, "Artefact");
}
