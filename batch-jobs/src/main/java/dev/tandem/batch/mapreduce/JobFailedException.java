package dev.tandem.batch.mapreduce;

import java.io.IOException;

/** A task failed every attempt; the job was aborted and its output left as it was. */
public final class JobFailedException extends IOException {

    public JobFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
