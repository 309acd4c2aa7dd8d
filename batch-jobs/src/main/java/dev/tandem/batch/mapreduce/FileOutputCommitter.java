package dev.tandem.batch.mapreduce;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The commit protocol (Hadoop's FileOutputCommitter, algorithm 1):
 * <pre>
 * out/_temporary/&lt;job&gt;/_attempts/attempt_&lt;job&gt;_r_000003_1/…   a task attempt writes here only
 * out/_temporary/&lt;job&gt;/task_r_000003/…                         commitTask: one rename of the attempt dir
 * out/…, out/_SUCCESS                                        commitJob: committed task files moved up, then _SUCCESS
 * </pre>
 * Readers see nothing under {@code out} but {@code _temporary} until the job commits. A failed
 * or dead attempt leaves its directory behind (a dying task cannot be trusted to clean up); it is
 * never promoted, because only the one committed attempt per task is, and job commit or abort
 * deletes {@code _temporary} with everything in it.
 */
public final class FileOutputCommitter {

    public static final String TEMPORARY = "_temporary";
    public static final String SUCCESS = "_SUCCESS";

    private final FileSystem fs;
    private final Path out;
    private final String jobId;

    public FileOutputCommitter(FileSystem fs, Path out, String jobId) {
        this.fs = fs;
        this.out = out;
        this.jobId = jobId;
    }

    public Path outputDir() {
        return out;
    }

    private Path jobTemp() {
        return new Path(new Path(out, TEMPORARY), jobId);
    }

    /** Refuses an output directory that already holds data; creates the job's temporary dir. */
    public void setupJob() throws IOException {
        if (fs.exists(out)) {
            for (FileStatus st : fs.listStatus(out)) {
                if (!st.getPath().getName().equals(TEMPORARY)) {
                    throw new IOException("output " + out + " already exists and is not empty");
                }
            }
        }
        fs.mkdirs(jobTemp());
    }

    public Path attemptDir(int task, int attempt) {
        return new Path(new Path(jobTemp(), "_attempts"), String.format("attempt_%s_r_%06d_%d", jobId, task, attempt));
    }

    private Path committedTaskDir(int task) {
        return new Path(jobTemp(), String.format("task_r_%06d", task));
    }

    public void setupTask(int task, int attempt) throws IOException {
        fs.mkdirs(attemptDir(task, attempt));
    }

    /** Promotes one attempt's files to the task's committed dir in a single rename. */
    public void commitTask(int task, int attempt) throws IOException {
        Path committed = committedTaskDir(task);
        if (fs.exists(committed)) {
            throw new IOException("task " + task + " is already committed");
        }
        if (!fs.rename(attemptDir(task, attempt), committed)) {
            throw new IOException("could not commit " + attemptDir(task, attempt));
        }
    }

    /** Moves every committed task's files into the output, removes _temporary, writes _SUCCESS. */
    public void commitJob(int tasks) throws IOException {
        for (int t = 0; t < tasks; t++) {
            Path dir = committedTaskDir(t);
            if (!fs.exists(dir)) {
                throw new IOException("task " + t + " was never committed");
            }
            moveContents(dir, out);
        }
        fs.delete(new Path(out, TEMPORARY), true);
        fs.create(new Path(out, SUCCESS), false).close();
    }

    /** Removes everything the job wrote; the output stays as it was before the job. */
    public void abortJob() throws IOException {
        fs.delete(jobTemp(), true);
        Path tmp = new Path(out, TEMPORARY);
        try {
            if (fs.listStatus(tmp).length == 0) {
                fs.delete(tmp, true);
            }
        } catch (FileNotFoundException e) {
            // nothing left
        }
    }

    private void moveContents(Path from, Path to) throws IOException {
        fs.mkdirs(to);
        FileStatus[] entries = fs.listStatus(from);
        Arrays.sort(entries, Comparator.comparing(st -> st.getPath().getName()));
        for (FileStatus st : entries) {
            Path dest = new Path(to, st.getPath().getName());
            if (st.isDirectory()) {
                moveContents(st.getPath(), dest);
            } else {
                if (fs.exists(dest)) {
                    throw new IOException("two tasks wrote " + dest);
                }
                if (!fs.rename(st.getPath(), dest)) {
                    throw new IOException("could not move " + st.getPath() + " to " + dest);
                }
            }
        }
    }
}
