package dev.tandem.core.view;

import java.io.Serializable;
import java.util.List;

/** A view row's identity: its dimension values in the view's order, and the bucket start. */
public record ViewKey(List<String> dims, long bucketStart) implements Serializable, Comparable<ViewKey> {

    public ViewKey {
        dims = List.copyOf(dims);
    }

    @Override
    public int compareTo(ViewKey o) {
        int c = Long.compare(bucketStart, o.bucketStart);
        for (int i = 0; c == 0 && i < dims.size(); i++) {
            c = dims.get(i).compareTo(o.dims.get(i));
        }
        return c;
    }
}
