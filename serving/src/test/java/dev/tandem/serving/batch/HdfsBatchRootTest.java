package dev.tandem.serving.batch;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.ViewTable;
import dev.tandem.core.view.Views;
import dev.tandem.serving.ServingApp;
import dev.tandem.serving.ServingConfig;
import dev.tandem.serving.query.Iso;
import dev.tandem.serving.query.Metrics;
import dev.tandem.serving.testing.BatchVersions;
import dev.tandem.serving.testing.Layers;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Serving with an {@code hdfs://} storage root (issue 8): batch versions published on an
 * in-process HDFS (MiniDFSCluster) are loaded by the serving process started with
 * {@code --root hdfs://…}, answered over HTTP equal to the reference evaluator, and a newer
 * version published there is picked up by the watcher.
 */
@Tag("slow")
class HdfsBatchRootTest {

    static final long START = t("2026-11-20T00:00:00Z");
    static final long HOUR = IngestTags.HOUR_MS;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static MiniDFSCluster dfs;
    static Map<String, ViewTable> tables;

    @BeforeAll
    static void startHdfs() throws IOException {
        tables = ReferenceEvaluator.evaluate(RandomLogs.generate(13, 1500, START)).views();
        Configuration conf = new Configuration();
        conf.setInt("dfs.replication", 1);
        dfs = new MiniDFSCluster.Builder(conf, dir.resolve("dfs").toFile()).numDataNodes(1).build();
        dfs.waitActive();
    }

    @AfterAll
    static void stopHdfs() {
        if (dfs != null) {
            dfs.shutdown();
        }
    }

    @Test
    void servesBatchVersionsPublishedOnHdfs() throws Exception {
        String root = dfs.getFileSystem().getUri() + "/tandem";
        // written the way an engine writes it: core's layout on the hdfs:// root, a plain client configuration
        StorageLayout layout = StorageLayout.at(root);
        assertThat(layout.root().toUri().getScheme()).isEqualTo("hdfs");
        long cutoff1 = START + 20 * HOUR;
        String run1 = BatchVersions.writeAndPublish(layout, tables, cutoff1);
        assertThat(dfs.getFileSystem().exists(new org.apache.hadoop.fs.Path("/tandem/views/CURRENT"))).isTrue();

        HttpClient http = HttpClient.newHttpClient();
        try (ServingApp app = ServingApp.start(new ServingConfig(root, null, "127.0.0.1", 0, null, Duration.ofMillis(200)))) {
            String base = "http://127.0.0.1:" + app.port();
            assertServed(http, base, run1, cutoff1);

            long cutoff2 = START + 30 * HOUR;
            String run2 = BatchVersions.writeAndPublish(layout, tables, cutoff2);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!run2.equals(get(http, base + "/api/v1/status").get("batch").get("run").asText())) {
                assertThat(System.nanoTime()).as("the watcher picks up the run published on HDFS").isLessThan(deadline);
                Thread.sleep(100);
            }
            assertServed(http, base, run2, cutoff2);
            assertThat(app.batch().lastError()).isEmpty();
        }
    }

    /** Every view's series over all its buckets equals the reference batch rows below the cutoff. */
    private static void assertServed(HttpClient http, String base, String run, long cutoff) throws Exception {
        for (ViewDefinition v : Views.ALL) {
            SortedMap<ViewKey, Aggregate> expected = tables.get(v.name()).batch(cutoff);
            assertThat(expected).as(v.name()).isNotEmpty();
            long from = Math.floorDiv(expected.firstKey().bucketStart(), IngestTags.DAY_MS) * IngestTags.DAY_MS;
            long to = (Math.floorDiv(expected.lastKey().bucketStart(), IngestTags.DAY_MS) + 1) * IngestTags.DAY_MS;
            JsonNode a = get(http, base + "/api/v1/views/" + v.name() + "/series?from=" + Iso.format(from) + "&to=" + Iso.format(to));
            assertThat(a.get("batch").get("run").asText()).isEqualTo(run);
            assertThat(a.get("batch").get("cutoff").asText()).isEqualTo(Iso.format(cutoff));
            List<Map<String, Object>> rows = JSON.convertValue(a.get("rows"), new TypeReference<>() { });
            assertThat(Layers.served(rows, v.dimensionNames(), Metrics.names(v))).as(v.name())
                    .isEqualTo(Layers.expected(v, expected));
        }
    }

    private static JsonNode get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
