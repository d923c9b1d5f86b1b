using ExitKit.Connectors.KnowledgeFiles.Internal;

namespace ExitKit.Connectors.KnowledgeFiles.Tests.Internal;

public sealed class SlugTests
{
    [Theory]
    [InlineData("Where is my parcel (1)", "where-is-my-parcel-1")]
    [InlineData("Éteindre un feu d'imprimante", "éteindre-un-feu-d-imprimante")]
    [InlineData("  --Two-step   verification!-- ", "two-step-verification")]
    [InlineData("../../etc/passwd", "etc-passwd")]
    [InlineData("???", "")]
    public void Titles_become_lower_case_words_joined_by_hyphens(string title, string slug) => Assert.Equal(slug, Slug.Of(title));

    [Theory]
    [InlineData("screenshot.png", "screenshot.png")]
    [InlineData("../../secret.txt", "secret.txt")]
    [InlineData("C:\\Users\\ada\\report 2026.pdf", "report-2026.pdf")]
    [InlineData(".htaccess", "htaccess")]
    [InlineData("..", "8001")]
    [InlineData(null, "8001")]
    public void File_names_stay_close_to_the_original_but_cannot_leave_their_folder(string? name, string safe) => Assert.Equal(safe, Slug.FileName(name, "8001"));
}
