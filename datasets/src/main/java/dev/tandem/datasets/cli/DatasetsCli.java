package dev.tandem.datasets.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code scripts/tandem generate|produce}. */
@Command(name = "tandem", mixinStandardHelpOptions = true, version = "tandem 0.1.0",
        description = "Tandem data tools.",
        subcommands = {GenerateCommand.class, ProduceCommand.class})
public final class DatasetsCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: generate or produce");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return Cli.commandLine(new DatasetsCli()).execute(args);
    }
}
