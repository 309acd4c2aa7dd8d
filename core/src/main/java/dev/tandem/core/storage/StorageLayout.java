package dev.tandem.core.storage;

import dev.tandem.core.time.BatchCutoff;
import dev.tandem.core.time.IngestTags;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The storage layout of DESIGN §5 on Hadoop's FileSystem API, so the same code serves
 * {@code ./data}, {@code hdfs://} and {@code s3a://} roots:
 * <pre>
 * root/master/events/ingest_hour=YYYY-MM-DDTHH/part-*.parquet + _SUCCESS
 * root/master/quarantine/ingest_hour=YYYY-MM-DDTHH/part-*.parquet
 * root/views/runs/run_id/view/...parquet
 * root/views/runs/run_id/_MANIFEST.json
 * root/views/CURRENT
 * </pre>
 */
public final class StorageLayout {

    public static final String SUCCESS = "_SUCCESS";
    public static final String MANIFEST = "_MANIFEST.json";
    public static final String CURRENT = "CURRENT";
    public static final String HOUR_PREFIX = "ingest_hour=";

    private final Path root;
    private final FileSystem fs;

    private StorageLayout(Path root, FileSystem fs) {
        this.root = root;
        this.fs = fs;
    }

    /** A layout at a local path or any Hadoop filesystem URI. */
    public static StorageLayout at(String root, Configuration conf) {
        try {
            Path p = new Path(root);
            FileSystem fs = p.getFileSystem(conf);
            return new StorageLayout(fs.makeQualified(p), fs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open storage root " + root, e);
        }
    }

    public static StorageLayout at(String root) {
        return at(root, new Configuration());
    }

    public Path root() {
        return root;
    }

    public FileSystem fs() {
        return fs;
    }

    // ---- master dataset ------------------------------------------------------------------

    public Path masterEventsDir() {
        return new Path(root, "master/events");
    }

    public Path quarantineDir() {
        return new Path(root, "master/quarantine");
    }

    public Path masterHourDir(long hourStart) {
        return new Path(masterEventsDir(), hourDirName(hourStart));
    }

    public Path quarantineHourDir(long hourStart) {
        return new Path(quarantineDir(), hourDirName(hourStart));
    }

    public static String hourDirName(long hourStart) {
        if (!IngestTags.isHourStart(hourStart)) {
            throw new IllegalArgumentException("not an hour start: " + hourStart);
        }
        return HOUR_PREFIX + IngestTags.hourLabel(hourStart);
    }

    /** The hour of an {@code ingest_hour=…} directory name, or empty for any other name. */
    public static Optional<Long> parseHourDirName(String name) {
        if (!name.startsWith(HOUR_PREFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(IngestTags.parseHourLabel(name.substring(HOUR_PREFIX.length())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public boolean isHourComplete(long hourStart) throws IOException {
        return fs.exists(new Path(masterHourDir(hourStart), SUCCESS));
    }

    /** Marks a master hour complete; call after every file of the hour is in place. */
    public void markHourComplete(long hourStart) throws IOException {
        fs.mkdirs(masterHourDir(hourStart));
        fs.create(new Path(masterHourDir(hourStart), SUCCESS), true).close();
    }

    /** Every master hour with {@code _SUCCESS}, ascending. */
    public SortedSet<Long> completeHours() throws IOException {
        SortedSet<Long> hours = new TreeSet<>();
        for (FileStatus st : listOrEmpty(masterEventsDir())) {
            if (!st.isDirectory()) {
                continue;
            }
            Optional<Long> h = parseHourDirName(st.getPath().getName());
            if (h.isPresent() && fs.exists(new Path(st.getPath(), SUCCESS))) {
                hours.add(h.get());
            }
        }
        return hours;
    }

    /** The cutoff H the master dataset supports now (see {@link BatchCutoff}). */
    public Optional<Long> cutoff() throws IOException {
        return BatchCutoff.of(completeHours());
    }

    /** The data files of a complete master hour (Parquet parts; markers and hidden files left out). */
    public List<Path> masterHourFiles(long hourStart) throws IOException {
        List<Path> files = new ArrayList<>();
        for (FileStatus st : listOrEmpty(masterHourDir(hourStart))) {
            String n = st.getPath().getName();
            if (st.isFile() && !n.startsWith("_") && !n.startsWith(".")) {
                files.add(st.getPath());
            }
        }
        Collections.sort(files);
        return files;
    }

    // ---- batch views -----------------------------------------------------------------------

    public Path viewsDir() {
        return new Path(root, "views");
    }

    public Path runsDir() {
        return new Path(viewsDir(), "runs");
    }

    public Path runDir(String runId) {
        if (!RunIds.isValid(runId)) {
            throw new IllegalArgumentException("not a run id: '" + runId + "'");
        }
        return new Path(runsDir(), runId);
    }

    public Path viewDir(String runId, String view) {
        return new Path(runDir(runId), view);
    }

    public Path manifestPath(String runId) {
        return new Path(runDir(runId), MANIFEST);
    }

    public Path currentPointer() {
        return new Path(viewsDir(), CURRENT);
    }

    /** Writes the manifest; a run is complete (publishable) once its manifest exists. */
    public void writeManifest(RunManifest m) throws IOException {
        try (FSDataOutputStream out = fs.create(manifestPath(m.runId()), true)) {
            out.write(m.toJson());
        }
    }

    public RunManifest readManifest(String runId) throws IOException {
        return RunManifest.fromJson(readAll(manifestPath(runId)));
    }

    /** Runs that have a manifest (complete runs), oldest first. */
    public List<String> completeRuns() throws IOException {
        List<String> runs = new ArrayList<>();
        for (FileStatus st : listOrEmpty(runsDir())) {
            String name = st.getPath().getName();
            if (st.isDirectory() && RunIds.isValid(name) && fs.exists(new Path(st.getPath(), MANIFEST))) {
                runs.add(name);
            }
        }
        Collections.sort(runs);
        return runs;
    }

    /** The published run id, or empty before the first publish. */
    public Optional<String> readCurrent() throws IOException {
        Path p = currentPointer();
        byte[] bytes;
        try {
            bytes = readAll(p);
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
        String id = new String(bytes, StandardCharsets.UTF_8).trim();
        if (!RunIds.isValid(id)) {
            throw new IOException("corrupt " + p + ": '" + id + "' is not a run id");
        }
        return Optional.of(id);
    }

    /**
     * Publishes a complete run by replacing {@code CURRENT} atomically. Refuses a run without a
     * manifest, so a crashed run can never become visible.
     */
    public void publish(String runId) throws IOException {
        if (!fs.exists(manifestPath(runId))) {
            throw new IOException("run " + runId + " has no " + MANIFEST + "; refusing to publish an incomplete run");
        }
        AtomicFiles.replace(fs, currentPointer(), (runId + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Deletes complete runs beyond the newest {@code keep}, never the published one.
     *
     * @return the pruned run ids
     */
    public List<String> pruneRuns(int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1");
        }
        Optional<String> current = readCurrent();
        List<String> runs = completeRuns();
        List<String> pruned = new ArrayList<>();
        for (int i = 0; i < runs.size() - keep; i++) {
            String r = runs.get(i);
            if (current.isPresent() && current.get().equals(r)) {
                continue;
            }
            fs.delete(runDir(r), true);
            pruned.add(r);
        }
        return pruned;
    }

    private byte[] readAll(Path p) throws IOException {
        try (FSDataInputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    private FileStatus[] listOrEmpty(Path dir) throws IOException {
        try {
            return fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return new FileStatus[0];
        }
    }
}
