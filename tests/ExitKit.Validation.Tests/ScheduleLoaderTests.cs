using ExitKit.Schema;
using ExitKit.Validation.Schedules;

namespace ExitKit.Validation.Tests;

public sealed class ScheduleLoaderTests
{
    private const string Coverage = """
          - id: "7.3(a)"
            title: Interaction history
            tables: [interactions]
            checks:
              - coverage: { from: exit - 36 months, to: exit, maxGap: 0 days }
        """;

    private static ExitKitException Refused(string yaml)
    {
        var error = Assert.Throws<ExitKitException>(() => ScheduleLoader.Parse(yaml, "contract/exit.yaml"));
        Assert.Equal(FailureKind.UnusableInput, error.Kind);
        return error;
    }

    [Fact]
    public void Reads_contract_dates_calendar_and_checks()
    {
        var schedule = Schedules.Parse(Coverage);

        Assert.Equal("CX-2021-044", schedule.Contract.Id);
        Assert.Equal(["customer", "supplier"], schedule.Contract.Parties.Select(party => party.Role));
        Assert.Equal(new DateOnly(2024, 6, 30), schedule.ExitDate);
        // Sunday 30 June + 10 Working Days: 1–5 and 8–12 July.
        Assert.Equal(new DateOnly(2024, 7, 12), schedule.DeliveryDeadline);
        var check = Assert.IsType<CoverageCheck>(Assert.Single(Assert.Single(schedule.Obligations).Checks));
        Assert.Same(NeutralSchema.Interactions, check.Table);
        Assert.Equal(new DateOnly(2021, 6, 30), schedule.Evaluate(check.From));
        Assert.Equal(0, check.MaxGapDays);
    }

    [Fact]
    public void Working_days_skip_weekends_and_the_calendars_holidays()
    {
        var calendar = new WorkingCalendar("england-and-wales", TimeZoneInfo.Utc, [DayOfWeek.Saturday, DayOfWeek.Sunday],
            [new DateOnly(2024, 3, 29), new DateOnly(2024, 4, 1)]);

        // Thursday 28 March 2024, then Good Friday, the weekend and Easter Monday: the first Working Day is 2 April.
        Assert.Equal(new DateOnly(2024, 4, 2), calendar.AddWorkingDays(new DateOnly(2024, 3, 28), 1));
        Assert.Equal(new DateOnly(2024, 4, 19), calendar.AddWorkingDays(new DateOnly(2024, 3, 28), 14));
        Assert.Equal(new DateOnly(2024, 3, 28), calendar.AddWorkingDays(new DateOnly(2024, 4, 2), -1));
        Assert.Equal(14, calendar.WorkingDaysBetween(new DateOnly(2024, 3, 28), new DateOnly(2024, 4, 19)));
    }

    [Theory]
    [InlineData("2024-06-30", 2024, 6, 30)]
    [InlineData("exit - 36 months", 2021, 6, 30)]
    [InlineData("exit-3 years", 2021, 6, 30)]
    [InlineData("exit + 1 month", 2024, 7, 30)]
    [InlineData("2024-01-31 + 1 month", 2024, 2, 29)]
    [InlineData("exit + 2 weeks", 2024, 7, 14)]
    [InlineData("delivery + 1 working day", 2024, 7, 15)]
    public void Date_expressions_are_dates_or_named_dates_plus_or_minus_a_period(string text, int year, int month, int day)
    {
        var schedule = Schedules.Parse(Coverage);
        var expression = DateExpression.TryParse(text, out var error);

        Assert.Null(error);
        Assert.Equal(new DateOnly(year, month, day), schedule.Evaluate(expression!));
    }

    [Fact]
    public void A_YAML_syntax_error_names_file_line_and_column()
    {
        var error = Refused("schedule: 1\ncontract:\n  id: CX-1\n   title: x\n");

        Assert.StartsWith("contract/exit.yaml:4:", error.Message, StringComparison.Ordinal);
        Assert.Contains("this is not valid YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_bracket_is_a_YAML_error_with_a_position_too()
    {
        var error = Refused("schedule: 1\ncontract:\n  id: [unclosed\n  title: x\n");

        Assert.Matches(@"^contract/exit\.yaml:[34]:\d+: this is not valid YAML", error.Message);
    }

    [Fact]
    public void An_unknown_check_is_refused_with_its_line_and_column()
    {
        var error = Refused(Schedules.Yaml("""
              - id: "7.3(a)"
                title: Interaction history
                tables: [interactions]
                checks:
                  - completeness: { from: exit }
            """));

        // The header has 17 lines before obligations:; the check key is on line 22, column 9.
        Assert.StartsWith("contract/exit.yaml:22:9: 'completeness' is not a check; the checks are: coverage, reconciliation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_table_is_refused_naming_the_neutral_tables()
    {
        var error = Refused(Schedules.Yaml("""
              - id: "7.3(a)"
                title: Interaction history
                tables: [tickets]
                checks:
                  - present: {}
            """));

        Assert.StartsWith("contract/exit.yaml:20:14: there is no neutral table named 'tickets'; the tables are: interactions, messages", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_column_is_refused_naming_the_tables_columns()
    {
        var error = Refused(Schedules.Yaml("""
              - id: "7.4"
                title: Messages
                tables: [messages]
                checks:
                  - required: { columns: [body, text] }
            """));

        Assert.Contains(":22:37: table messages has no column 'text'; its columns are: source_system, source_id", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("from: 2024-02-30, to: exit", "'2024-02-30' is not a calendar date")]
    [InlineData("from: exit - 36 moons, to: exit", "'36 moons' in 'exit - 36 moons' is not a period")]
    [InlineData("from: 30/06/2024, to: exit", "'30/06/2024' is not a date")]
    [InlineData("from: handover, to: exit", "'handover' is not a date of this schedule")]
    public void A_malformed_date_is_refused_with_its_position(string window, string reason)
    {
        var error = Refused(Schedules.Yaml($$"""
              - id: "7.3(a)"
                title: Interaction history
                tables: [interactions]
                checks:
                  - coverage: { {{window}} }
            """));

        Assert.Matches(@"^contract/exit\.yaml:22:\d+: ", error.Message);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_from_a_column_that_holds_no_ids_is_refused()
    {
        var error = Refused(Schedules.Yaml("""
              - id: "7.9"
                title: Messages
                checks:
                  - references: { from: messages.sequence, to: interactions.source_id }
            """));

        Assert.Contains(":21:29: messages.sequence is not a text column", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_key_is_refused_listing_the_keys()
    {
        var error = Refused(Schedules.Yaml(Coverage).Replace("exitDate:", "exitdate:", StringComparison.Ordinal));

        Assert.Contains("'exitdate' is not a key of the schedule; the keys are: schedule, contract, exitDate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_schedule_file_is_unusable_input()
    {
        var error = Assert.Throws<ExitKitException>(() => ScheduleLoader.LoadAsync("/nonexistent/exit.yaml", TestContext.Current.CancellationToken).GetAwaiter().GetResult());

        Assert.Contains("/nonexistent/exit.yaml", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, ExitCodes.For(error));
    }

    [Theory]
    [InlineData("cx-outsourcing.schedule.yaml")]
    [InlineData("data-act.schedule.yaml")]
    [InlineData("demo.schedule.yaml")]
    public async Task The_documented_examples_load(string file)
    {
        var path = Path.Combine(RepositoryRoot(), "manifests", "examples", file);

        var schedule = await ScheduleLoader.LoadAsync(path, TestContext.Current.CancellationToken);

        Assert.NotEmpty(schedule.Obligations);
    }

    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ExitKit.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("The tests run outside the repository.");
    }
}
