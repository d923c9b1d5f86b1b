using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit;

namespace ExitKit.Testing;

/// <summary>Snapshot testing with approved files beside the test: <c>Name.approved.ext</c> is the expected output; on a
/// difference the actual output is written to <c>Name.received.ext</c> and the test fails. Set EXITKIT_APPROVE=1 to accept.</summary>
public static partial class ApprovedFiles
{
    /// <summary>Compares text with the approved file beside the calling test's source file, after scrubbing.</summary>
    public static void Verify(string actual, string name, string extension = "txt", [CallerFilePath] string testFile = "")
    {
        ArgumentNullException.ThrowIfNull(actual);
        var folder = Path.Combine(Path.GetDirectoryName(testFile)!, "Approved");
        var approved = Path.Combine(folder, $"{name}.approved.{extension}");
        var received = Path.Combine(folder, $"{name}.received.{extension}");
        var text = Scrub(actual).ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("EXITKIT_APPROVE") == "1")
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(approved, text);
        }
        var expected = File.Exists(approved) ? File.ReadAllText(approved).ReplaceLineEndings("\n") : null;
        if (expected != text)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(received, text);
            Assert.Fail(expected is null
                ? $"No approved file {approved}; the output is in {received}. Review it and rename it to .approved (or run with EXITKIT_APPROVE=1)."
                : $"The output differs from {approved}; see {received}. If the change is intended, run with EXITKIT_APPROVE=1.");
        }
        if (File.Exists(received))
        {
            File.Delete(received);
        }
    }

    /// <summary>Replaces what differs between runs (GUIDs, timestamps, temporary folders, durations) with stable placeholders.</summary>
    public static string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = GuidPattern().Replace(text, "<guid>");
        text = TimestampPattern().Replace(text, "<timestamp>");
        text = TemporaryFolderPattern().Replace(text, "<temp>");
        return text;
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex GuidPattern();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")]
    private static partial Regex TimestampPattern();

    [GeneratedRegex(@"/tmp/[A-Za-z0-9._-]+")]
    private static partial Regex TemporaryFolderPattern();
}
