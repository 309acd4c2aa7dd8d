package dev.tandem.serving.http;

import java.io.IOException;
import java.util.Map;

/** What the admin endpoints may do; wired to the batch watcher in production. */
@FunctionalInterface
public interface AdminActions {

    /** Reloads the version named by CURRENT; returns what is served afterwards. */
    Map<String, Object> reload() throws IOException;
}
