package dev.tandem.batch.cli;

import dev.tandem.batch.RunAdmin;
import dev.tandem.batch.archive.ArchiveJob;
import dev.tandem.batch.archive.KafkaLogSource;
import dev.tandem.batch.mapreduce.MapReduceConfig;
import dev.tandem.batch.mapreduce.jobs.MapReduceBatch;
import dev.tandem.batch.spark.SparkRecomputeJob;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.topics.Topics;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/**
 * The batch layer's command line ({@code scripts/tandem batch|backfill|archive}, and the main class
 * of the shaded jar for spark-submit). Bad arguments exit 2 with a one-line reason; a failed run
 * exits 1 and leaves the published version untouched.
 */
@Command(name = "tandem-batch", mixinStandardHelpOptions = true,
        description = "Tandem batch layer: recompute views from the master dataset, publish, backfill.",
        subcommands = {BatchCli.Batch.class, BatchCli.Backfill.class, BatchCli.Publish.class,
                BatchCli.Prune.class, BatchCli.Archive.class})
public final class BatchCli implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (batch, backfill, publish, prune, archive)");
    }

    /** Options every Spark subcommand shares. */
    static class SparkOptions {
        @Option(names = "--root", defaultValue = "./data", description = "storage root: a path or a Hadoop URI (default: ${DEFAULT-VALUE})")
        String root;

        @Option(names = "--engine", defaultValue = "spark", description = "spark or mapreduce (default: ${DEFAULT-VALUE})")
        String engine;

        @Option(names = "--master", description = "Spark master, e.g. local[*] or yarn (default: spark-submit's, else local[*])")
        String master;

        @Option(names = "--conf", description = "extra Spark configuration key=value (repeatable)")
        Map<String, String> conf = new LinkedHashMap<>();

        @Option(names = "--keep", defaultValue = "0", description = "after publishing, prune complete runs beyond the newest N (0: keep all)")
        int keep;

        void check(CommandLine cl) {
            if (!engine.equals("spark") && !engine.equals("mapreduce")) {
                throw new CommandLine.ParameterException(cl, "--engine must be spark or mapreduce, not '" + engine + "'");
            }
            if (keep < 0) {
                throw new CommandLine.ParameterException(cl, "--keep must be >= 0");
            }
        }
    }

    static void report(SparkRecomputeJob.Outcome out, StorageLayout layout, int keep) throws Exception {
        PrintWriter w = new PrintWriter(System.out, true);
        if (!out.published()) {
            w.println(out.note());
            return;
        }
        w.println("published " + out.runId() + " cutoff=" + out.manifest().cutoff() + " mode=" + out.manifest().mode()
                + " rows=" + out.manifest().rowCounts());
        if (keep > 0) {
            List<String> pruned = new RunAdmin(layout).prune(keep);
            w.println("pruned " + pruned.size() + " run(s)" + (pruned.isEmpty() ? "" : ": " + pruned));
        }
    }

    /**
     * The hand-written MapReduce engine ({@code dev.tandem.batch.mapreduce}): always a full recompute
     * (an incremental run equals a full one by invariant 8, so asking for one still gives the
     * right rows), published like a Spark run.
     */
    static int runMapReduce(SparkOptions o, String what, long[] backfillRange) throws Exception {
        StorageLayout layout = StorageLayout.at(o.root);
        if (backfillRange != null) {
            SparkRecomputeJob.checkBackfillRange(layout, backfillRange[0], backfillRange[1]);
        }
        java.nio.file.Path scratch = java.nio.file.Files.createTempDirectory("tandem-mapreduce-");
        try {
            org.slf4j.LoggerFactory.getLogger(BatchCli.class).info("{}: MapReduce engine, full recompute (scratch {})", what, scratch);
            String runId = MapReduceBatch.run(layout, MapReduceConfig.defaults(scratch));
            System.out.println("published " + runId + " cutoff=" + layout.readManifest(runId).cutoff() + " engine=mapreduce");
            if (o.keep > 0) {
                List<String> pruned = new RunAdmin(layout).prune(o.keep);
                System.out.println("pruned " + pruned.size() + " run(s)" + (pruned.isEmpty() ? "" : ": " + pruned));
            }
        } finally {
            try (var files = java.nio.file.Files.walk(scratch)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return 0;
    }

    @Command(name = "batch", mixinStandardHelpOptions = true,
            description = "Recompute the views for every complete master hour below the cutoff and publish them.")
    static final class Batch implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        SparkOptions o;

        @Option(names = "--mode", defaultValue = "full", description = "full or incremental (default: ${DEFAULT-VALUE})")
        String mode;

        @Option(names = "--no-state", description = "keep no state for the next incremental run (saves the pass that "
                + "writes a row per event; a later --mode incremental then recomputes in full)")
        boolean noState;

        @Override
        public Integer call() throws Exception {
            o.check(spec.commandLine());
            SparkRecomputeJob.Mode m = switch (mode) {
                case "full" -> SparkRecomputeJob.Mode.FULL;
                case "incremental" -> SparkRecomputeJob.Mode.INCREMENTAL;
                default -> throw new CommandLine.ParameterException(spec.commandLine(),
                        "--mode must be full or incremental, not '" + mode + "'");
            };
            if (o.engine.equals("mapreduce")) {
                return runMapReduce(o, "batch --mode " + mode, null);
            }
            try (SparkSession spark = SparkSessions.create(o.master, o.conf)) {
                StorageLayout layout = StorageLayout.at(o.root, spark.sparkContext().hadoopConfiguration());
                SparkRecomputeJob job = new SparkRecomputeJob(spark, layout);
                report((noState ? job.withoutState() : job).run(m), layout, o.keep);
            }
            return 0;
        }
    }

    @Command(name = "backfill", mixinStandardHelpOptions = true,
            description = "After master hours in [--from, --to] were repaired or re-imported: recompute everything and publish (idempotent).")
    static final class Backfill implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        SparkOptions o;

        @Option(names = "--from", required = true, description = "first day (YYYY-MM-DD) or hour (YYYY-MM-DDTHH), UTC")
        String from;

        @Option(names = "--to", required = true, description = "last day (YYYY-MM-DD) or hour (YYYY-MM-DDTHH), UTC, inclusive")
        String to;

        @Override
        public Integer call() throws Exception {
            o.check(spec.commandLine());
            long[] range = range(spec.commandLine(), from, to);
            if (o.engine.equals("mapreduce")) {
                return runMapReduce(o, "backfill", range);
            }
            try (SparkSession spark = SparkSessions.create(o.master, o.conf)) {
                StorageLayout layout = StorageLayout.at(o.root, spark.sparkContext().hadoopConfiguration());
                report(new SparkRecomputeJob(spark, layout).backfill(range[0], range[1]), layout, o.keep);
            }
            return 0;
        }
    }

    /** [from, to) in epoch millis from inclusive day or hour labels. */
    static long[] range(CommandLine cl, String from, String to) {
        long f = start(cl, "--from", from);
        long t = start(cl, "--to", to) + (to.length() == 10 ? IngestTags.DAY_MS : IngestTags.HOUR_MS);
        if (t <= f) {
            throw new CommandLine.ParameterException(cl, "--to must not be before --from");
        }
        return new long[]{f, t};
    }

    private static long start(CommandLine cl, String name, String v) {
        try {
            if (v.length() == 10) {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
            return IngestTags.parseHourLabel(v);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(cl, name + " must be YYYY-MM-DD or YYYY-MM-DDTHH, not '" + v + "'");
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Point CURRENT at an earlier complete run (rollback).")
    static final class Publish implements Callable<Integer> {
        @Option(names = "--root", defaultValue = "./data", description = "storage root (default: ${DEFAULT-VALUE})")
        String root;

        @Option(names = "--rollback", required = true, description = "the run id to publish again")
        String run;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            StorageLayout layout = StorageLayout.at(root);
            try {
                new RunAdmin(layout).rollback(run);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            System.out.println("published " + run);
            return 0;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Delete complete runs beyond the newest --keep (never CURRENT) and abandoned runs older than CURRENT.")
    static final class Prune implements Callable<Integer> {
        @Option(names = "--root", defaultValue = "./data", description = "storage root (default: ${DEFAULT-VALUE})")
        String root;

        @Option(names = "--keep", defaultValue = "3", description = "complete runs to keep (default: ${DEFAULT-VALUE})")
        int keep;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (keep < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--keep must be at least 1");
            }
            List<String> pruned = new RunAdmin(StorageLayout.at(root)).prune(keep);
            System.out.println("pruned " + pruned.size() + " run(s)" + (pruned.isEmpty() ? "" : ": " + pruned));
            return 0;
        }
    }

    @Command(name = "archive", mixinStandardHelpOptions = true,
            description = "Archive complete ingest hours of tandem.events into the master dataset, exactly once.")
    static final class Archive implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--root", defaultValue = "./data", description = "storage root (default: ${DEFAULT-VALUE})")
        String root;

        @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers host:port")
        String bootstrap;

        @Option(names = "--topic", defaultValue = Topics.EVENTS, description = "event topic (default: ${DEFAULT-VALUE})")
        String topic;

        @Option(names = "--from", description = "first hour to archive (YYYY-MM-DDTHH; default: the log's earliest)")
        String from;

        @Option(names = "--grace-seconds", defaultValue = "60",
                description = "an hour is complete this long after it ended (clock skew to the broker; default: ${DEFAULT-VALUE})")
        long graceSeconds;

        @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*])")
        String master;

        @Override
        public Integer call() throws Exception {
            OptionalLong fromHour = OptionalLong.empty();
            if (from != null) {
                try {
                    fromHour = OptionalLong.of(IngestTags.parseHourLabel(from));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--from must be YYYY-MM-DDTHH, not '" + from + "'");
                }
            }
            if (graceSeconds < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--grace-seconds must be >= 0");
            }
            try (SparkSession spark = SparkSessions.create(master, Map.of());
                 KafkaLogSource source = new KafkaLogSource(bootstrap, topic, Duration.ofMinutes(10))) {
                StorageLayout layout = StorageLayout.at(root, spark.sparkContext().hadoopConfiguration());
                List<ArchiveJob.HourResult> hours = new ArchiveJob(spark, layout, source, Clock.systemUTC(),
                        Duration.ofSeconds(graceSeconds), ArchiveJob.Hooks.NONE).run(fromHour);
                long done = hours.stream().filter(h -> !h.skipped()).count();
                hours.stream().filter(h -> !h.skipped()).forEach(h -> System.out.println("archived " + h));
                System.out.println("archive: " + done + " hour(s) archived, " + (hours.size() - done) + " already complete");
            }
            return 0;
        }
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new BatchCli());
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            ex.getCommandLine().getErr().println("try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (!(ex instanceof IllegalArgumentException)) {
                // e.g. "External scheduler cannot be instantiated" says nothing without its causes
                for (Throwable c = ex.getCause(); c != null; c = c.getCause() == c ? null : c.getCause()) {
                    commandLine.getErr().println("  caused by: " + c);
                }
            }
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl;
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static void main(String[] args) {
        int code = run(args);
        // A YARN cluster-mode driver runs main inside the ApplicationMaster: a System.exit there is
        // reported as a failed application ("Shutdown hook called before final status was reported"),
        // so success returns normally and the ApplicationMaster reports SUCCEEDED.
        if (code != 0 || !"cluster".equals(System.getProperty("spark.submit.deployMode"))) {
            System.exit(code);
        }
    }
}
