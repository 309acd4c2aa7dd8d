package dev.tandem.batch.cli;

import dev.tandem.batch.spark.ColumnarCache;
import org.apache.spark.sql.SparkSession;

import java.util.Map;

/** Builds the SparkSession of a CLI run. */
final class SparkSessions {

    private SparkSessions() {
    }

    /**
     * @param master the {@code --master} option, or null: then spark-submit's choice
     *               ({@code spark.master} system property) wins, else {@code local[*]}
     */
    static SparkSession create(String master, Map<String, String> conf) {
        // the jobs cache the master rows as column vectors (ColumnarCache): set before the session exists
        SparkSession.Builder b = ColumnarCache.install(SparkSession.builder()).appName("tandem-batch");
        String m = master != null ? master : System.getProperty("spark.master", "local[*]");
        b.master(m);
        if (m.startsWith("local")) {
            // a local run is a command-line tool: no web UI, loopback only, a few shuffle partitions
            b.config("spark.ui.enabled", "false");
            b.config("spark.driver.host", System.getProperty("spark.driver.host", "127.0.0.1"));
            b.config("spark.driver.bindAddress", System.getProperty("spark.driver.bindAddress", "127.0.0.1"));
            b.config("spark.sql.shuffle.partitions",
                    System.getProperty("spark.sql.shuffle.partitions",
                            Integer.toString(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()))));
        }
        b.config("spark.ui.showConsoleProgress", "false");
        b.config("spark.sql.session.timeZone", "UTC");
        conf.forEach((k, v) -> b.config(k, k.equals(ColumnarCache.EXTENSIONS_CONF) ? ColumnarCache.extensionsWith(v) : v));
        return b.getOrCreate();
    }
}
