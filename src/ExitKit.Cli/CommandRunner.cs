using System.CommandLine;
using ExitKit.Cli.Console;

namespace ExitKit.Cli;

/// <summary>Runs a command and maps every outcome to an exit code, so no stack trace reaches the user.</summary>
internal static class CommandRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        try
        {
            var parseResult = root.Parse(args);
            Commands.CommonOptions.Apply(parseResult);
            return await parseResult.InvokeAsync();
        }
        catch (ExitKitException error)
        {
            Output.ForProcess().Fail(error.Message);
            return ExitCodes.For(error);
        }
    }

    /// <summary>Wraps a command's action: ExitKit errors become a message and their exit code; cancellation becomes 130.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Guard(Func<ParseResult, Output, CancellationToken, Task<int>> action) =>
        async (parseResult, cancellationToken) =>
        {
            var output = Output.ForProcess();
            try
            {
                return await action(parseResult, output, cancellationToken);
            }
            catch (ExitKitException error)
            {
                output.Fail(error.Message);
                return ExitCodes.For(error);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                output.Fail("cancelled. An export can be continued with --resume.");
                return ExitCodes.Cancelled;
            }
        };
}
