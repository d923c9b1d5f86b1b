using ExitKit.Validation.Checks;
using ExitKit.Validation.Content;
using ExitKit.Validation.Reports;
using ExitKit.Validation.Schedules;

namespace ExitKit.Validation.Tests;

/// <summary>Schedules for tests: a fixed contract header plus the obligations under test.</summary>
internal static class Schedules
{
    public static readonly DateTimeOffset ValidatedAt = new(2024, 7, 20, 10, 0, 0, TimeSpan.Zero);

    public static string Yaml(string obligations, string dates = "") => $"""
        schedule: 1
        contract:
          id: CX-2021-044
          title: Customer service outsourcing agreement
          parties:
            - role: customer
              name: Acme Retail Ltd
            - role: supplier
              name: Contoso CX Services
        exitDate: 2024-06-30
        deliveryDeadline: exit + 10 working days
        calendar:
          name: england-and-wales
          timeZone: Europe/London
          holidays: [2024-05-06, 2024-05-27, 2024-08-26]
        {dates}
        obligations:
        {obligations}
        """;

    public static ExitSchedule Parse(string obligations, string dates = "") => ScheduleLoader.Parse(Yaml(obligations, dates), "schedule.yaml");

    public static async Task<ValidationReport> ValidateAsync(IPackageContent package, string obligations, string dates = "") =>
        await Validator.ValidateAsync(package, Parse(obligations, dates), new FixedTime(ValidatedAt), TestContext.Current.CancellationToken);

    public static async Task<CheckResult> CheckAsync(TestPackage package, string obligations, string dates = "")
    {
        var report = await ValidateAsync(await package.SealAsync(TestContext.Current.CancellationToken), obligations, dates);
        return Assert.Single(Assert.Single(report.Obligations).Checks);
    }
}
