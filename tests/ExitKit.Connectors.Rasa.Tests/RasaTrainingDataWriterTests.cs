using System.Text.Json;

namespace ExitKit.Connectors.Rasa.Tests;

public sealed class RasaTrainingDataWriterTests
{
    private static readonly RasaPlugin Plugin = new();

    /// <summary>Intent names, and per example: intent, text and every span (start, end, entity, value, role).</summary>
    private static (string[] Intents, string[] Phrases) Essence(ExportedRows export)
    {
        var phrases = export["training_utterances"].Select(row =>
        {
            var spans = ExportedRows.Get("training_utterances", row, "annotations") is string json
                ? string.Join(",", JsonDocument.Parse(json).RootElement.EnumerateArray().Select(span =>
                    $"{span.GetProperty("start").GetInt32()}-{span.GetProperty("end").GetInt32()}:{span.GetProperty("entity").GetString()}={span.GetProperty("value")}/{(span.TryGetProperty("role", out var role) ? role.GetString() : "")}"))
                : "";
            return $"{ExportedRows.Get("training_utterances", row, "intent_id")}|{ExportedRows.Get("training_utterances", row, "text")}|{spans}";
        });
        return ([.. export.Column("intents", "name").Order(StringComparer.Ordinal)], [.. phrases.Order(StringComparer.Ordinal)]);
    }

    private static async Task<ExportedRows> RoundTripAsync(ExportedRows first, TempFolder output)
    {
        await RasaTrainingDataWriter.WriteAsync(first["intents"].ToAsyncEnumerable(), first["training_utterances"].ToAsyncEnumerable(), output.Path,
            TestContext.Current.CancellationToken);
        return await ExportedRows.RunAsync(Plugin, output.Path);
    }

    [Fact]
    public async Task Written_nlu_reads_back_with_the_same_intents_examples_and_annotations()
    {
        using var project = RasaSourceTests.SmallProject();
        using var output = new TempFolder();
        var first = await ExportedRows.RunAsync(Plugin, project.Path);

        var second = await RoundTripAsync(first, output);

        Assert.Equal(Essence(first).Intents, Essence(second).Intents);
        Assert.Equal(Essence(first).Phrases, Essence(second).Phrases);
        var nlu = await File.ReadAllTextAsync(Path.Combine(output.Path, "data", "nlu.yml"), TestContext.Current.CancellationToken);
        Assert.Contains("""- book [NYC]{"entity":"city","value":"New York"}""", nlu, StringComparison.Ordinal);
        Assert.Contains("- fly to [Berlin](city)", nlu, StringComparison.Ordinal);
        Assert.Empty(second.Context.Problems);
    }

    [Theory]
    [InlineData("helpdesk-assistant")]
    [InlineData("financial-demo")]
    [InlineData("helpdesk-assistant-legacy-1x")]
    public async Task Written_nlu_of_a_shared_sample_reads_back_the_same(string name)
    {
        var sample = Samples.Folder("chatbot/rasa/" + name);
        if (sample is null)
        {
            Assert.Skip("shared/samples/chatbot/rasa is absent (set EXITKIT_SAMPLES).");
        }
        using var output = new TempFolder();
        var first = await ExportedRows.RunAsync(Plugin, sample);

        var second = await RoundTripAsync(first, output);

        Assert.Equal(Essence(first).Intents, Essence(second).Intents);
        Assert.Equal(Essence(first).Phrases, Essence(second).Phrases);
    }

    [Theory]
    [InlineData("helpdesk-assistant")]
    [InlineData("helpdesk-assistant-legacy-1x")]
    public async Task Shared_sample_exported_to_a_package_writes_back_from_the_package_rows_unchanged(string name)
    {
        var sample = Samples.Folder("chatbot/rasa/" + name);
        if (sample is null)
        {
            Assert.Skip("shared/samples/chatbot/rasa is absent (set EXITKIT_SAMPLES).");
        }
        using var package = new TempFolder();
        using var output = new TempFolder();
        var direct = await ExportedRows.RunAsync(Plugin, sample);

        var (result, exit) = await Pipeline.ExportAsync(Plugin, sample, package.Path, TestContext.Current.CancellationToken);
        await RasaTrainingDataWriter.WriteAsync(exit.ReadRowsAsync("intents", TestContext.Current.CancellationToken),
            exit.ReadRowsAsync("training_utterances", TestContext.Current.CancellationToken), output.Path, TestContext.Current.CancellationToken);
        var back = await ExportedRows.RunAsync(Plugin, output.Path);

        Assert.Equal(direct["training_utterances"].Count, result.Tables.Single(table => table.Table == "training_utterances").Rows);
        Assert.Contains(exit.Manifest.Problems, problem => problem.Kind == "unparsed" && problem.Subject.Contains("stories", StringComparison.Ordinal));
        Assert.Equal(Essence(direct).Intents, Essence(back).Intents);
        Assert.Equal(Essence(direct).Phrases, Essence(back).Phrases);
    }
}
