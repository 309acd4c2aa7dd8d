package dev.tandem.serving;

import dev.tandem.core.storage.StorageLayout;
import dev.tandem.serving.batch.BatchBackend;
import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.batch.BatchWatcher;
import dev.tandem.serving.druid.DruidBatchSource;
import dev.tandem.serving.druid.DruidClient;
import dev.tandem.serving.http.ApiServer;
import dev.tandem.serving.query.Iso;
import dev.tandem.serving.query.QueryService;
import dev.tandem.serving.realtime.InMemoryRealtimeStore;
import dev.tandem.serving.realtime.KafkaRealtimeStore;
import dev.tandem.serving.realtime.RealtimeStore;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A serving process wired from its configuration: the batch backend (the watcher on the storage
 * root, or the run Druid holds), the realtime store on Kafka, the query service over both and the HTTP server in front.
 */
public final class ServingApp implements AutoCloseable {

    private final BatchBackend batch;
    private final RealtimeStore realtime;
    private final ApiServer server;

    private ServingApp(BatchBackend batch, RealtimeStore realtime, ApiServer server) {
        this.batch = batch;
        this.realtime = realtime;
        this.server = server;
    }

    public static ServingApp start(ServingConfig config) {
        BatchBackend batch = config.druidUrl() != null
                ? new DruidBatchSource(new DruidClient(config.druidUrl()), System::currentTimeMillis).start(config.batchPoll())
                : new BatchWatcher(StorageLayout.at(config.root()), System::currentTimeMillis).start(config.batchPoll());
        RealtimeStore realtime = config.bootstrap() == null
                ? new InMemoryRealtimeStore()
                : new KafkaRealtimeStore(config.bootstrap()).start();
        QueryService service = new QueryService(batch, realtime, System::currentTimeMillis, batch::lastError);
        ApiServer server = new ApiServer(service, () -> describe(batch.reload()), config.adminToken())
                .start(config.host(), config.port());
        return new ServingApp(batch, realtime, server);
    }

    private static Map<String, Object> describe(BatchSnapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", s.runId());
        m.put("cutoff", s.exists() ? Iso.format(s.cutoff()) : null);
        return m;
    }

    public int port() {
        return server.port();
    }

    public RealtimeStore realtime() {
        return realtime;
    }

    public BatchBackend batch() {
        return batch;
    }

    @Override
    public void close() {
        server.close();
        realtime.close();
        batch.close();
    }
}
