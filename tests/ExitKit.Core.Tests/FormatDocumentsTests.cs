using ExitKit.Packaging;
using ExitKit.Schema;
using ExitKit.Storage;
using NJsonSchema;

namespace ExitKit.Core.Tests;

/// <summary>The format is defined once in code; the committed JSON Schemas and docs/format.md must say the same.
/// Run with EXITKIT_APPROVE=1 to rewrite them after changing NeutralSchema.</summary>
public sealed class FormatDocumentsTests
{
    internal static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ExitKit.sln")))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? throw new InvalidOperationException("ExitKit.sln not found above the test's folder.");
    }

    private static void AssertMatchesCommitted(string relativePath, string generated)
    {
        var path = Path.Combine(RepositoryRoot(), relativePath);
        if (Environment.GetEnvironmentVariable("EXITKIT_APPROVE") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, generated);
        }
        var committed = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        if (committed != generated)
        {
            File.WriteAllText(path + ".received", generated);
            Assert.Fail($"{relativePath} differs from what NeutralSchema generates (see {relativePath}.received). If the change is intended, run the tests with EXITKIT_APPROVE=1.");
        }
    }

    public static TheoryData<string> Tables() => [.. NeutralSchema.Tables.Select(table => table.Name)];

    [Theory]
    [MemberData(nameof(Tables))]
    public void Each_table_JSON_Schema_in_manifests_matches_the_schema_in_code(string table) =>
        AssertMatchesCommitted($"manifests/tables/{table}.schema.json", FormatDocuments.TableJsonSchema(NeutralSchema.Get(table)));

    [Fact]
    public void The_table_reference_in_docs_format_md_matches_the_schema_in_code()
    {
        const string begin = "<!-- tables:begin (generated from NeutralSchema; do not edit by hand) -->\n";
        const string end = "<!-- tables:end -->";
        var path = Path.Combine(RepositoryRoot(), "docs/format.md");
        var document = File.ReadAllText(path).ReplaceLineEndings("\n");
        var start = document.IndexOf(begin, StringComparison.Ordinal);
        var stop = document.IndexOf(end, StringComparison.Ordinal);
        Assert.True(start >= 0 && stop > start, "docs/format.md must hold the generated table reference between its markers.");
        var generated = FormatDocuments.TablesMarkdown();
        if (Environment.GetEnvironmentVariable("EXITKIT_APPROVE") == "1")
        {
            document = document[..(start + begin.Length)] + generated + document[stop..];
            File.WriteAllText(path, document);
        }
        Assert.Equal(generated, document[(start + begin.Length)..stop]);
    }

    [Fact]
    public async Task A_real_manifest_validates_against_manifests_exitkit_schema_json_and_rows_against_their_table_schemas()
    {
        var folder = SamplePackages.TemporaryFolder("schema");
        try
        {
            await SamplePackages.ExportAsync(folder, 50, cancellationToken: TestContext.Current.CancellationToken);
            var manifestSchema = await JsonSchema.FromFileAsync(Path.Combine(RepositoryRoot(), "manifests/exitkit.schema.json"), TestContext.Current.CancellationToken);
            var errors = manifestSchema.Validate(await File.ReadAllTextAsync(Path.Combine(folder, "exitkit.json"), TestContext.Current.CancellationToken));
            Assert.True(errors.Count == 0, string.Join("\n", errors.Select(error => $"{error.Path}: {error.Kind}")));

            var package = await ExitPackage.OpenAsync(new LocalPackageStore(folder), TestContext.Current.CancellationToken);
            foreach (var table in NeutralSchema.Tables)
            {
                var rowSchema = await JsonSchema.FromJsonAsync(FormatDocuments.TableJsonSchema(table), TestContext.Current.CancellationToken);
                await foreach (var row in package.ReadRowsAsync(table.Name, TestContext.Current.CancellationToken))
                {
                    var json = new System.Text.Json.Nodes.JsonObject();
                    for (var ordinal = 0; ordinal < row.Length; ordinal++)
                    {
                        json[table.Columns[ordinal].Name] = row[ordinal] switch
                        {
                            DateTimeOffset time => time.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                            string[] list => new System.Text.Json.Nodes.JsonArray(list.Select(item => (System.Text.Json.Nodes.JsonNode?)item).ToArray()),
                            var value => System.Text.Json.Nodes.JsonValue.Create(value),
                        };
                    }
                    var rowErrors = rowSchema.Validate(json.ToJsonString());
                    Assert.True(rowErrors.Count == 0, $"{table.Name} {row[1]}: " + string.Join("; ", rowErrors.Select(error => $"{error.Path}: {error.Kind}")));
                    break;
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
