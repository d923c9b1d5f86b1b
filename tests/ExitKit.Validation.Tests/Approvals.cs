using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace ExitKit.Validation.Tests;

/// <summary>Snapshot testing against approved files in Approved/ beside the tests.</summary>
/// <remarks>When the output differs, it is written as <c>NAME.received.EXT</c> next to the approved file and the test fails:
/// compare the two, and if the received one is right, rename it to <c>.approved.</c>.</remarks>
internal static partial class Approvals
{
    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Guid();

    public static string Scrub(string text, params string[] paths)
    {
        foreach (var path in paths)
        {
            text = text.Replace(path, "{package}", StringComparison.Ordinal)
                .Replace(path.Replace("/", "\\/", StringComparison.Ordinal), "{package}", StringComparison.Ordinal);
        }
        return Guid().Replace(text, "{guid}").ReplaceLineEndings("\n");
    }

    public static void Verify(string received, string name, string extension, [CallerFilePath] string testFile = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(testFile)!, "Approved");
        Directory.CreateDirectory(folder);
        var approvedPath = Path.Combine(folder, $"{name}.approved.{extension}");
        var receivedPath = Path.Combine(folder, $"{name}.received.{extension}");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : null;
        if (approved == received)
        {
            File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, received);
        Assert.Fail(approved is null
            ? $"There is no approved file for {name}.{extension}. Review {receivedPath} and rename it to {approvedPath}."
            : $"{name}.{extension} differs from the approved file. Compare {receivedPath} with {approvedPath}; if the new output is right, replace the approved file.");
    }
}
