using System.Text.Json;

namespace ExitKit.Connectors.DialogflowEs.Tests;

public sealed class DialogflowEsFormatWriterTests
{
    private static readonly DialogflowEsPlugin Plugin = new();

    /// <summary>Intent names, and per phrase: intent, language, text and the entity spans — what a successor must get back.</summary>
    private static (string[] Intents, string[] Phrases) Essence(ExportedRows export)
    {
        var intentNames = export["intents"].ToDictionary(row => (string)row[1]!, row => (string)ExportedRows.Get("intents", row, "name")!);
        var phrases = export["training_utterances"].Select(row =>
        {
            var spans = ExportedRows.Get("training_utterances", row, "annotations") is string json
                ? string.Join(",", JsonDocument.Parse(json).RootElement.EnumerateArray().Select(span =>
                    $"{span.GetProperty("start").GetInt32()}-{span.GetProperty("end").GetInt32()}:{span.GetProperty("entity").GetString()}:{span.GetProperty("value")}"))
                : "";
            return $"{intentNames[(string)ExportedRows.Get("training_utterances", row, "intent_id")!]}|{ExportedRows.Get("training_utterances", row, "locale")}|{ExportedRows.Get("training_utterances", row, "text")}|{spans}";
        });
        return ([.. intentNames.Values.Order(StringComparer.Ordinal)], [.. phrases.Order(StringComparer.Ordinal)]);
    }

    [Fact]
    public async Task Written_agent_reads_back_with_the_same_intents_phrases_and_annotations()
    {
        using var agent = DialogflowEsSourceTests.SmallAgent();
        using var output = new TempFolder();
        var first = await ExportedRows.RunAsync(Plugin, agent.Path);

        await DialogflowEsFormatWriter.WriteAsync(first["intents"].ToAsyncEnumerable(), first["training_utterances"].ToAsyncEnumerable(), output.Path,
            "Desk", TestContext.Current.CancellationToken);
        var second = await ExportedRows.RunAsync(Plugin, output.Path);

        Assert.Equal(Essence(first).Intents, Essence(second).Intents);
        Assert.Equal(Essence(first).Phrases, Essence(second).Phrases);
        Assert.True(File.Exists(Path.Combine(output.Path, "intents", "Sup_ What is escrow__usersays_en.json")));
        Assert.Contains(second["entities"], row => (string)ExportedRows.Get("entities", row, "name")! == "application");
        Assert.Empty(second.Context.Problems);
    }

    [Fact]
    public async Task Written_agent_of_a_shared_sample_reads_back_the_same()
    {
        var sample = Samples.Folder("chatbot/dialogflow-es/pakmingw-support-ticket-bot-es-agent.zip");
        if (sample is null)
        {
            Assert.Skip("shared/samples/chatbot/dialogflow-es is absent (set EXITKIT_SAMPLES).");
        }
        using var output = new TempFolder();
        var first = await ExportedRows.RunAsync(Plugin, sample);

        await DialogflowEsFormatWriter.WriteAsync(first["intents"].ToAsyncEnumerable(), first["training_utterances"].ToAsyncEnumerable(), output.Path,
            cancellationToken: TestContext.Current.CancellationToken);
        var second = await ExportedRows.RunAsync(Plugin, output.Path);

        Assert.Equal(Essence(first).Intents, Essence(second).Intents);
        Assert.Equal(Essence(first).Phrases, Essence(second).Phrases);
    }

    [Fact]
    public async Task Shared_sample_exported_to_a_package_writes_back_from_the_package_rows_unchanged()
    {
        var sample = Samples.Folder("chatbot/dialogflow-es/ccai-omnichannel-gmortgages-es-agent.zip");
        if (sample is null)
        {
            Assert.Skip("shared/samples/chatbot/dialogflow-es is absent (set EXITKIT_SAMPLES).");
        }
        using var package = new TempFolder();
        using var output = new TempFolder();
        var direct = await ExportedRows.RunAsync(Plugin, sample);

        var (result, exit) = await Pipeline.ExportAsync(Plugin, sample, package.Path, TestContext.Current.CancellationToken);
        await DialogflowEsFormatWriter.WriteAsync(exit.ReadRowsAsync("intents", TestContext.Current.CancellationToken),
            exit.ReadRowsAsync("training_utterances", TestContext.Current.CancellationToken), output.Path, "CCAI-360", TestContext.Current.CancellationToken);
        var back = await ExportedRows.RunAsync(Plugin, output.Path);

        Assert.Equal(direct["training_utterances"].Count, result.Tables.Single(table => table.Table == "training_utterances").Rows);
        Assert.Equal(Essence(direct).Intents, Essence(back).Intents);
        Assert.Equal(Essence(direct).Phrases, Essence(back).Phrases);
    }
}
