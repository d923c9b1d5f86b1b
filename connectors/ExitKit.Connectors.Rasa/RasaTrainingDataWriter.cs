using System.Text;
using System.Text.RegularExpressions;
using ExitKit.Connectors.Rasa.Internal;
using ExitKit.Schema;

namespace ExitKit.Connectors.Rasa;

/// <summary>Writes neutral intents and training utterances as a Rasa 3.x project: <c>data/nlu.yml</c> and a <c>domain.yml</c> listing intents and entities.</summary>
/// <remarks>Entity spans become Rasa markup: <c>[text](entity)</c>, or <c>[text]{"entity": …, "value": …}</c> when the value differs from the text.</remarks>
public static partial class RasaTrainingDataWriter
{
    [GeneratedRegex("^[A-Za-z0-9_./-]+$")]
    private static partial Regex PlainScalar();

    /// <summary>Writes the project below <paramref name="outputFolder"/>.</summary>
    /// <param name="intents">Rows of <see cref="NeutralSchema.Intents"/>.</param>
    /// <param name="utterances">Rows of <see cref="NeutralSchema.TrainingUtterances"/>; grouped by intent in memory (training data is small).</param>
    /// <param name="outputFolder">Where domain.yml and data/nlu.yml go; created when missing.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    public static async Task WriteAsync(IAsyncEnumerable<object?[]> intents, IAsyncEnumerable<object?[]> utterances, string outputFolder,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intents);
        ArgumentNullException.ThrowIfNull(utterances);
        var intentTable = NeutralSchema.Intents;
        var utteranceTable = NeutralSchema.TrainingUtterances;
        var byIntent = new Dictionary<string, List<object?[]>>(StringComparer.Ordinal);
        await foreach (var utterance in utterances.WithCancellation(cancellationToken))
        {
            var intentId = (string)utterance[utteranceTable.OrdinalOf("intent_id")]!;
            if (!byIntent.TryGetValue(intentId, out var list))
            {
                byIntent[intentId] = list = [];
            }
            list.Add(utterance);
        }

        var nlu = new StringBuilder("version: \"3.1\"\nnlu:\n");
        var names = new List<string>();
        var entities = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var intent in intents.WithCancellation(cancellationToken))
        {
            var name = (string)intent[intentTable.OrdinalOf("name")]!;
            names.Add(name);
            var examples = byIntent.GetValueOrDefault((string)intent[intentTable.OrdinalOf("source_id")]!) ?? [];
            if (examples.Count == 0)
            {
                continue;
            }
            nlu.Append("- intent: ").Append(Scalar(name)).Append("\n  examples: |\n");
            foreach (var example in examples)
            {
                var text = ((string)example[utteranceTable.OrdinalOf("text")]!).ReplaceLineEndings(" ");
                var annotations = example[utteranceTable.OrdinalOf("annotations")] as string;
                nlu.Append("    - ").Append(RasaMarkup.Write(text, annotations)).Append('\n');
                if (annotations is not null)
                {
                    using var spans = System.Text.Json.JsonDocument.Parse(annotations);
                    foreach (var span in spans.RootElement.EnumerateArray())
                    {
                        if (span.Text("entity") is { } entity)
                        {
                            entities.Add(entity);
                        }
                    }
                }
            }
        }
        var domain = new StringBuilder("version: \"3.1\"\nintents:\n");
        foreach (var name in names)
        {
            domain.Append("- ").Append(Scalar(name)).Append('\n');
        }
        if (entities.Count > 0)
        {
            domain.Append("entities:\n");
            foreach (var entity in entities)
            {
                domain.Append("- ").Append(Scalar(entity)).Append('\n');
            }
        }
        Directory.CreateDirectory(Path.Combine(outputFolder, "data"));
        await File.WriteAllTextAsync(Path.Combine(outputFolder, "data", "nlu.yml"), nlu.ToString(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(outputFolder, "domain.yml"), domain.ToString(), cancellationToken);
    }

    // YAML double-quoted scalars accept JSON string escapes.
    private static string Scalar(string value) =>
        PlainScalar().IsMatch(value) && value is not ("true" or "false" or "null" or "yes" or "no" or "on" or "off") ? value : System.Text.Json.JsonSerializer.Serialize(value, Rows.Compact);
}
