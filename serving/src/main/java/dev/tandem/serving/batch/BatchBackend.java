package dev.tandem.serving.batch;

import java.io.IOException;
import java.util.Optional;

/**
 * A batch source a serving process runs: the embedded {@link BatchWatcher} (Parquet under the
 * storage root, held in memory) or {@code dev.tandem.serving.druid.DruidBatchSource} (the run an
 * Apache Druid cluster holds, queried per request). Interchangeable behind {@code QueryService}.
 */
public interface BatchBackend extends BatchSource, AutoCloseable {

    /** Loads the published version again now, even the one being served (admin reload). */
    BatchSnapshot reload() throws IOException;

    /** Why the last check could not serve a newer version, if it could not. */
    Optional<String> lastError();

    @Override
    void close();
}
