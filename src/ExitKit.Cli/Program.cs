using System.CommandLine;
using ExitKit.Cli;
using ExitKit.Cli.Commands;

var root = new RootCommand("ExitKit: export a CX vendor's data into a neutral, verifiable exit package, validate it against the contract's exit schedule, and import it into a successor.")
{
    DemoCommand.Create(),
    ExportCommand.Create(),
    ValidateCommand.Create(),
    ImportCommand.Create(),
    RehearseCommand.Create(),
    VerifyCommand.Create(),
    InspectCommand.Create(),
    ConnectorsCommand.Create(),
    SealCommand.Create(),
};
root.Options.Add(CommonOptions.BlobConnection);
return await CommandRunner.InvokeAsync(root, args);
