package dev.tandem.batch.spark;

import dev.tandem.core.view.ViewKey;

import java.io.Serializable;

/** A row's identity across all views: the view's name and the row's key (dims, bucket). */
public record ViewRowKey(String view, ViewKey key) implements Serializable {
}
