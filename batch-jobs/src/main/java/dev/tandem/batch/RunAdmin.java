package dev.tandem.batch;

import dev.tandem.core.storage.RunIds;
import dev.tandem.core.storage.StorageLayout;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Operations on published batch versions that need no engine: rollback to an earlier complete
 * run and pruning of old or abandoned runs. Everything goes through core's {@link StorageLayout},
 * so CURRENT is only ever replaced atomically and only by a run that has its manifest.
 */
public final class RunAdmin {

    private final StorageLayout layout;

    public RunAdmin(StorageLayout layout) {
        this.layout = layout;
    }

    /**
     * Publishes an earlier complete run again.
     *
     * @throws IllegalArgumentException when the run does not exist or never completed
     */
    public void rollback(String runId) throws IOException {
        if (!RunIds.isValid(runId)) {
            throw new IllegalArgumentException("not a run id: '" + runId + "'");
        }
        if (!layout.completeRuns().contains(runId)) {
            throw new IllegalArgumentException("run " + runId + " is not a complete run under " + layout.runsDir()
                    + "; complete runs: " + layout.completeRuns());
        }
        layout.publish(runId);
    }

    /**
     * Deletes complete runs beyond the newest {@code keep} (never the published one) and run
     * directories without a manifest that are older than the published run: a crashed run is
     * never published and never read, and a run still being written is newer than CURRENT.
     *
     * @return the deleted run ids
     */
    public List<String> prune(int keep) throws IOException {
        List<String> deleted = new ArrayList<>(layout.pruneRuns(keep));
        Optional<String> current = layout.readCurrent();
        if (current.isEmpty()) {
            return deleted;
        }
        List<String> complete = layout.completeRuns();
        FileStatus[] dirs;
        try {
            dirs = layout.fs().listStatus(layout.runsDir());
        } catch (FileNotFoundException e) {
            return deleted;
        }
        for (FileStatus st : dirs) {
            String name = st.getPath().getName();
            if (st.isDirectory() && RunIds.isValid(name) && !complete.contains(name)
                    && name.compareTo(current.get()) < 0) {
                layout.fs().delete(new Path(st.getPath().toUri()), true);
                deleted.add(name);
            }
        }
        return deleted;
    }
}
