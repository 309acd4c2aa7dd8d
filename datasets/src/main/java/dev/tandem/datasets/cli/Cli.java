package dev.tandem.datasets.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * Shared picocli behaviour: bad arguments give one line and exit code 2; failures give one line
 * and exit code 1 (stack traces only with TANDEM_DEBUG=1).
 */
final class Cli {

    private Cli() {
    }

    static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("tandem " + ex.getCommandLine().getCommandName() + ": " + ex.getMessage()
                    + " (see --help)");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("tandem " + commandLine.getCommandName() + ": failed: " + ex.getMessage());
            if ("1".equals(System.getenv("TANDEM_DEBUG"))) {
                ex.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cl;
    }
}
