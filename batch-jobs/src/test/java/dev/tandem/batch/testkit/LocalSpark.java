package dev.tandem.batch.testkit;

import dev.tandem.batch.spark.ColumnarCache;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One local SparkSession per test JVM, shared by every test class that uses this extension
 * ({@code @ExtendWith(LocalSpark.class)}, then take a {@link SparkSession} parameter).
 * spark-testing-base is not published for Spark 4, and a session costs 8–15 s to start here,
 * so all Spark tests share this one: local[2], 4 shuffle partitions, no UI, UTC.
 *
 * <p>The session lives in the root extension store and is stopped when the JVM's test plan ends.
 * Tests must not stop it or change configuration other tests rely on.
 */
public final class LocalSpark implements ParameterResolver {

    private static final String KEY = LocalSpark.class.getName();

    /** Holds the session so JUnit closes it when the root store closes. */
    static final class Holder implements AutoCloseable {
        final SparkSession spark = ColumnarCache.install(SparkSession.builder())
                .appName("tandem-batch-tests")
                .master("local[2]")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "4")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.adaptive.enabled", "true")
                .getOrCreate();

        @Override
        public void close() {
            spark.stop();
        }
    }

    public static SparkSession session(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(KEY, k -> new Holder(), Holder.class).spark;
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == SparkSession.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return session(e);
    }
}
