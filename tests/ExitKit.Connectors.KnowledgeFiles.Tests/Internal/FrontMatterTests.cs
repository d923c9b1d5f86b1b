using ExitKit.Connectors.KnowledgeFiles.Internal;
using ExitKit.Schema;

namespace ExitKit.Connectors.KnowledgeFiles.Tests.Internal;

public sealed class FrontMatterTests
{
    private static readonly TableSchema Articles = NeutralSchema.KbArticles;

    private static object?[] Article(string title, string? body, string[]? labels = null, string? extra = null)
    {
        var row = Articles.NewRow();
        row[0] = "zendesk:acme";
        row[1] = "7001/en-us/1";
        row[Articles.OrdinalOf("article_id")] = "7001";
        row[Articles.OrdinalOf("locale")] = "en-us";
        row[Articles.OrdinalOf("version")] = 1L;
        row[Articles.OrdinalOf("title")] = title;
        row[Articles.OrdinalOf("body")] = body;
        row[Articles.OrdinalOf("state")] = "published";
        row[Articles.OrdinalOf("labels")] = labels;
        row[Articles.OrdinalOf("updated_at")] = new DateTimeOffset(2025, 7, 2, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        row[Articles.OrdinalOf("source_extra")] = extra;
        return row;
    }

    public static TheoryData<string, string?> AwkwardValues => new()
    {
        { "null", "" },
        { "yes", null },
        { "1.0", "---\nnot front matter\n---\n" },
        { "  leading and trailing spaces  ", "line one\r\nline two\r\n" },
        { "Quotes \" and 'apostrophes' and \\ backslashes", "<p>HTML &amp; <b>bold</b></p>\n\n# and a heading" },
        { "Éteindre un feu d'imprimante 🔥 — tab\there", "\ttabbed\n\n\n" },
        { "line\nbreak: in a title\n---\n", "no trailing newline" },
        { "#not a comment", "\u0001 control \u007f characters \u2028 separators" },
    };

    [Theory]
    [MemberData(nameof(AwkwardValues))]
    public void A_row_reads_back_from_its_file_exactly(string title, string? body)
    {
        var row = Article(title, body, ["a b", "", "#tag", "null"], """{"outdated": false, "note": "x: y"}""");

        var text = System.Text.Encoding.UTF8.GetString(FrontMatter.Write(FrontMatter.Entries(Articles, row, "title", "body"), body));
        var parsed = FrontMatter.Read(text, "test.md");

        Assert.NotNull(parsed);
        Assert.Equal("kb_articles", parsed.Table);
        var back = FrontMatter.Row(Articles, parsed.Matter, parsed.Body, "title", "body", "test.md");
        for (var ordinal = 0; ordinal < row.Length; ordinal++)
        {
            Assert.Equal(row[ordinal], back[ordinal]);
        }
    }

    [Fact]
    public void An_empty_list_and_a_missing_list_stay_apart()
    {
        var empty = Article("t", "b", labels: []);
        var missing = Article("t", "b", labels: null);

        var emptyBack = RoundTrip(empty);
        var missingBack = RoundTrip(missing);

        Assert.Equal(Array.Empty<string>(), emptyBack[Articles.OrdinalOf("labels")]);
        Assert.Null(missingBack[Articles.OrdinalOf("labels")]);
    }

    [Fact]
    public void A_page_without_exitkit_front_matter_is_not_a_row()
    {
        Assert.Null(FrontMatter.Read("# README\n\nHand-written page.\n", "README.md"));
        Assert.Null(FrontMatter.Read("---\ntitle: \"Home\"\nlayout: home\n---\nWelcome\n", "index.md"));
    }

    [Fact]
    public void Broken_front_matter_in_a_file_exitkit_wrote_is_an_error_naming_the_file()
    {
        var error = Assert.Throws<ExitKitException>(() => FrontMatter.Read("---\nexitkit_table: kb_articles\ntitle: \"unterminated\n---\nbody", "en-us/faq/page.md"));

        Assert.StartsWith("en-us/faq/page.md:", error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", error.Message, StringComparison.Ordinal);
    }

    private static object?[] RoundTrip(object?[] row)
    {
        var text = System.Text.Encoding.UTF8.GetString(FrontMatter.Write(FrontMatter.Entries(Articles, row, "title", "body"), row[Articles.OrdinalOf("body")] as string));
        var parsed = FrontMatter.Read(text, "test.md")!;
        return FrontMatter.Row(Articles, parsed.Matter, parsed.Body, "title", "body", "test.md");
    }
}
