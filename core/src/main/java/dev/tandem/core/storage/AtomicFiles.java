package dev.tandem.core.storage;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Replacing a small file so that readers see the old or the new content, never a mix or nothing.
 * Hadoop's {@code FileSystem.rename} refuses to overwrite, so each filesystem gets the primitive
 * that is atomic on it:
 * <ul>
 *   <li>{@code file:} write a temporary sibling, then {@code rename(2)} over the target
 *       ({@link java.nio.file.StandardCopyOption#ATOMIC_MOVE});</li>
 *   <li>{@code hdfs:}/{@code viewfs:} temporary sibling, then {@link FileContext#rename} with
 *       {@code OVERWRITE}, a single NameNode operation;</li>
 *   <li>object stores ({@code s3a:}, {@code gs:}, {@code abfs:}…): one PUT of the whole object,
 *       which those stores make visible atomically (rename there is a copy, so it is avoided).</li>
 * </ul>
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    public static void replace(FileSystem fs, Path target, byte[] content) throws IOException {
        Path qualified = fs.makeQualified(target);
        String scheme = qualified.toUri().getScheme();
        if ("file".equals(scheme)) {
            File dst = new File(qualified.toUri());
            File dir = dst.getParentFile();
            Files.createDirectories(dir.toPath());
            File tmp = new File(dir, "." + dst.getName() + "." + UUID.randomUUID() + ".tmp");
            Files.write(tmp.toPath(), content);
            try {
                Files.move(tmp.toPath(), dst.toPath(), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp.toPath());
            }
        } else if ("hdfs".equals(scheme) || "viewfs".equals(scheme)) {
            Path tmp = new Path(qualified.getParent(), "." + qualified.getName() + "." + UUID.randomUUID() + ".tmp");
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(content);
            }
            Configuration conf = fs.getConf();
            FileContext.getFileContext(qualified.toUri(), conf).rename(tmp, qualified, Options.Rename.OVERWRITE);
        } else {
            try (FSDataOutputStream out = fs.create(qualified, true)) {
                out.write(content);
            }
        }
    }
}
