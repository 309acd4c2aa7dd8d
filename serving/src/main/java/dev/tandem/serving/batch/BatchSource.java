package dev.tandem.serving.batch;

/** Where queries get the batch version to serve: one immutable snapshot per call. */
@FunctionalInterface
public interface BatchSource {

    BatchSnapshot current();
}
