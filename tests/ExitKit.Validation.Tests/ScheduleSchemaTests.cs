using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ExitKit.Schema;
using ExitKit.Validation.Schedules;
using NJsonSchema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ExitKit.Validation.Tests;

public sealed partial class ScheduleSchemaTests
{
    private static string SchemaPath => Path.Combine(ScheduleLoaderTests.RepositoryRoot(), "manifests", "exit-schedule.schema.json");

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(pair =>
            KeyValuePair.Create(((YamlScalarNode)pair.Key).Value!, ToJson(pair.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } => null,
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } scalar => JsonValue.Create(scalar.Value == "true"),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar when Number().IsMatch(scalar.Value!) =>
            JsonValue.Create(double.Parse(scalar.Value!, CultureInfo.InvariantCulture)),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException("Unexpected YAML node."),
    };

    [GeneratedRegex(@"^-?\d+(\.\d+)?$")]
    private static partial Regex Number();

    private static async Task<ICollection<NJsonSchema.Validation.ValidationError>> ValidateAsync(string yaml)
    {
        var schema = await JsonSchema.FromFileAsync(SchemaPath, TestContext.Current.CancellationToken);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return schema.Validate(ToJson(stream.Documents[0].RootNode)!.ToJsonString());
    }

    [Theory]
    [InlineData("cx-outsourcing.schedule.yaml")]
    [InlineData("data-act.schedule.yaml")]
    [InlineData("demo.schedule.yaml")]
    public async Task The_examples_follow_the_JSON_Schema(string file)
    {
        var errors = await ValidateAsync(await File.ReadAllTextAsync(Path.Combine(ScheduleLoaderTests.RepositoryRoot(), "manifests", "examples", file),
            TestContext.Current.CancellationToken));

        Assert.Empty(errors.Select(error => error.ToString()));
    }

    [Fact]
    public async Task The_JSON_Schema_refuses_an_unknown_check_as_the_loader_does()
    {
        var yaml = Schedules.Yaml("""
              - id: "7.3(a)"
                title: Interaction history
                checks:
                  - completeness: { table: interactions }
            """);

        Assert.NotEmpty(await ValidateAsync(yaml));
        Assert.Throws<ExitKitException>(() => ScheduleLoader.Parse(yaml, "schedule.yaml"));
    }

    [Fact]
    public async Task The_JSON_Schema_names_every_neutral_table_and_every_check()
    {
        var schema = JsonNode.Parse(await File.ReadAllTextAsync(SchemaPath, TestContext.Current.CancellationToken))!;

        var tables = schema["definitions"]!["table"]!["enum"]!.AsArray().Select(node => node!.GetValue<string>());
        var checks = schema["definitions"]!["check"]!["oneOf"]!.AsArray().Select(node => node!["required"]![0]!.GetValue<string>());

        Assert.Equal(NeutralSchema.Tables.Select(table => table.Name), tables);
        Assert.Equal(ScheduleLoader.CheckKinds, checks);
    }
}
