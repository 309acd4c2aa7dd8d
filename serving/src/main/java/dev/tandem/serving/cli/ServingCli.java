package dev.tandem.serving.cli;

import dev.tandem.serving.ServingApp;
import dev.tandem.serving.ServingConfig;
import dev.tandem.serving.druid.DruidExportCommand;
import dev.tandem.serving.verify.VerifyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code scripts/tandem serve …}: the serving layer's commands. */
@Command(name = "tandem", mixinStandardHelpOptions = true, subcommands = {ServingCli.Serve.class, VerifyCommand.class, DruidExportCommand.class},
        description = "Serving layer: batch and realtime views merged behind the REST API and the dashboard.")
public final class ServingCli implements Callable<Integer> {

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.err);
        return 2;
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serves the API (/api/v1/...) and the dashboard (/) until Ctrl-C.")
    static final class Serve implements Callable<Integer> {

        @Option(names = "--root", description = "Storage root with views/CURRENT (path or hdfs://, s3a:// URI); "
                + "required with the embedded backend.")
        String root;

        @Option(names = "--backend", defaultValue = "embedded",
                description = "Where the batch part of each query is answered: embedded (the Parquet views under --root, "
                        + "in memory) or druid (Druid SQL against --druid; load runs with druid-export). Default: ${DEFAULT-VALUE}.")
        String backend;

        @Option(names = "--druid", description = "Druid router URL for --backend druid, e.g. http://127.0.0.1:28880.")
        String druid;

        @Option(names = "--bootstrap", description = "Kafka bootstrap servers (H:P) for tandem.realtime-views; without it only the batch layer is served.")
        String bootstrap;

        @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}; 0 = any free port).")
        int port;

        @Option(names = "--host", defaultValue = "0.0.0.0", description = "Interface to listen on (default: ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--admin-token", defaultValue = "${env:TANDEM_ADMIN_TOKEN}",
                description = "Bearer token for POST /api/v1/admin/reload (default: $TANDEM_ADMIN_TOKEN; unset disables it).")
        String adminToken;

        @Option(names = "--batch-poll", defaultValue = "PT5S",
                description = "How often views/CURRENT is checked, ISO-8601 duration (default: ${DEFAULT-VALUE}).")
        Duration batchPoll;

        @Override
        public Integer call() throws InterruptedException {
            if (port < 0 || port > 65535) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--port must be 0..65535, not " + port);
            }
            CommandLine cl = new CommandLine(this);
            String druidUrl = null;
            switch (backend) {
                case "embedded" -> {
                    if (root == null) {
                        throw new CommandLine.ParameterException(cl, "--root is required with --backend embedded");
                    }
                    if (druid != null) {
                        throw new CommandLine.ParameterException(cl, "--druid needs --backend druid");
                    }
                }
                case "druid" -> {
                    if (druid == null) {
                        throw new CommandLine.ParameterException(cl, "--backend druid needs --druid URL");
                    }
                    druidUrl = druid;
                }
                default -> throw new CommandLine.ParameterException(cl, "--backend must be embedded or druid, not '" + backend + "'");
            }
            ServingApp app = ServingApp.start(new ServingConfig(root, bootstrap, host, port, adminToken, batchPoll, druidUrl));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                app.close();
                stopped.countDown();
            }, "serving-shutdown"));
            System.out.println("Serving on http://" + ("0.0.0.0".equals(host) ? "localhost" : host) + ":" + app.port()
                    + "/ (" + (druidUrl != null ? "batch from Druid at " + druidUrl : "root " + root) + (bootstrap == null ? ", batch only" : ", realtime from " + bootstrap) + "). Ctrl-C stops it.");
            stopped.await();
            return 0;
        }
    }

    /** Parses and runs; returns the exit code (2 for bad arguments, with a one-line reason). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new ServingCli());
        cl.setParameterExceptionHandler((ex, a) -> {
            System.err.println("tandem: " + ex.getMessage() + " (try --help)");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            System.err.println("tandem: " + ex.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
