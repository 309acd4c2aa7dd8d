package dev.tandem.serving.druid;

import dev.tandem.core.storage.StorageLayout;
import dev.tandem.serving.batch.BatchLoader;
import dev.tandem.serving.batch.BatchSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code scripts/tandem druid-export}: loads a published batch version into Druid. */
@Command(name = "druid-export", mixinStandardHelpOptions = true,
        description = "Loads a published batch version (views/runs/<run>/) into Druid datasources tandem_<view> "
                + "and records it in tandem_batch_runs; the newest export overshadows the previous one. "
                + "Returns when Druid serves it.")
public final class DruidExportCommand implements Callable<Integer> {

    @Option(names = "--root", required = true, description = "Storage root holding views/runs/<run>/ (path or hdfs://, s3a:// URI).")
    String root;

    @Option(names = "--run", description = "Run id to export (default: the published one, views/CURRENT).")
    String run;

    @Option(names = "--druid", required = true, description = "Druid router URL, e.g. http://127.0.0.1:28880 (scripts/druid-local.sh prints it).")
    String druid;

    @Option(names = "--staging", description = "Local directory for the JSON lines Druid's indexer reads "
            + "(must be readable by the indexer under the same path; default: a temporary directory).")
    Path staging;

    @Option(names = "--timeout", defaultValue = "PT10M", description = "Longest wait for each ingestion task and for the broker (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        StorageLayout layout = StorageLayout.at(root);
        String runId = run != null ? run : layout.readCurrent()
                .orElseThrow(() -> new IllegalArgumentException("no run published under " + root + "; pass --run"));
        BatchSnapshot snapshot = new BatchLoader(layout, System::currentTimeMillis).load(runId);
        Path dir = staging != null ? staging : Files.createTempDirectory("tandem-druid-export-");
        DruidExporter.Result r = new DruidExporter(new DruidClient(druid), timeout).export(snapshot, dir);
        System.out.println("exported run " + r.runId() + " to Druid at " + druid + ": rows " + r.rows() + ", ms " + r.millis());
        return 0;
    }
}
