package dev.tandem.batch;

import dev.tandem.batch.testkit.PublishedViews;
import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.storage.StorageLayout;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scale-out, shown rather than claimed (issue 8): an in-process HDFS (MiniDFSCluster) and YARN
 * (MiniYARNCluster) in this JVM; the datasets generator writes a master dataset to
 * {@code hdfs://}; {@code scripts/spark-submit-batch.sh --master yarn} submits the shaded app jar
 * in client mode and then in cluster mode (driver inside a YARN container); each published
 * version, read back from HDFS with plain parquet-hadoop, equals the reference evaluator.
 *
 * <p>As an operator would: the cluster's client configuration is written to a directory that
 * the child processes get as {@code HADOOP_CONF_DIR}. What a real cluster has and this one does
 * not is passed as Spark conf, as Spark's own YarnClusterSuite does: {@code spark.yarn.jars}
 * points at an empty local jar and the Maven runtime classpath (Spark, spark-yarn, Hadoop client)
 * is the driver's and executors' extra classpath (the NodeManager runs on this machine), and
 * {@code JAVA_HOME} is given to the containers. Runs in its own failsafe execution (-Xmx2g).
 */
@Tag("slow")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkOnYarnIT {

    private static final Path PROJECT = Path.of(System.getProperty("user.dir")).getParent();
    private static final String CUTOFF = "2026-11-20T12:00:00Z";
    /** Generous: MiniDFS/YARN and the containers start slowly on a loaded 2-core machine. */
    private static final int SUBMIT_TIMEOUT_S = 480;

    @TempDir
    static Path dir;

    static MiniDFSCluster dfs;
    static MiniYARNCluster yarn;
    static Path confDir;
    static Path emptyJar;
    static String[] nmLogDirs = new String[0];
    static String root;
    static StorageLayout layout;
    static String clientRun;

    @BeforeAll
    static void startClustersAndWriteMaster() throws Exception {
        long t0 = System.nanoTime();
        Configuration conf = new Configuration();
        conf.setInt("dfs.replication", 1);
        dfs = new MiniDFSCluster.Builder(conf, dir.resolve("dfs").toFile()).numDataNodes(1).build();
        dfs.waitActive();
        String fsUri = dfs.getFileSystem().getUri().toString();
        log("HDFS up at " + fsUri, t0);

        YarnConfiguration yc = new YarnConfiguration(dfs.getConfiguration(0));
        // capacity scheduler: one queue that takes everything (as Spark's YarnClusterSuite)
        yc.set("yarn.scheduler.capacity.root.queues", "default");
        yc.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
        yc.setFloat("yarn.scheduler.capacity.root.default.user-limit-factor", 1);
        yc.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
        yc.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
        yc.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
        yc.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
        yc.setInt("yarn.scheduler.capacity.node-locality-delay", -1);
        yc.setFloat("yarn.scheduler.capacity.maximum-am-resource-percent", 1.0f);
        yc.set("yarn.resourcemanager.hostname", "localhost");
        // a nearly full disk must not mark the only NodeManager unhealthy; Java 17 reserves much virtual memory
        yc.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100.0");
        yc.setBoolean("yarn.nodemanager.pmem-check-enabled", false);
        yc.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
        yc.setInt("yarn.nodemanager.resource.memory-mb", 4096);
        yc.setInt("yarn.nodemanager.resource.cpu-vcores", 4);
        yc.setInt("yarn.scheduler.minimum-allocation-mb", 128);
        yc.setInt("yarn.scheduler.maximum-allocation-mb", 4096);
        yarn = new MiniYARNCluster(SparkOnYarnIT.class.getSimpleName(), 1, 1, 1);
        yarn.init(yc);
        yarn.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (yarn.getConfig().get(YarnConfiguration.RM_ADDRESS, ":0").endsWith(":0")) {
            assertThat(System.nanoTime()).as("ResourceManager address assigned").isLessThan(deadline);
            Thread.sleep(100);
        }
        log("YARN up, RM at " + yarn.getConfig().get(YarnConfiguration.RM_ADDRESS), t0);
        nmLogDirs = yarn.getNodeManager(0).getConfig().getTrimmedStrings(YarnConfiguration.NM_LOG_DIRS);

        // the client configuration an operator would find in HADOOP_CONF_DIR
        confDir = Files.createDirectories(dir.resolve("hadoop-conf"));
        Configuration core = new Configuration(false);
        core.set("fs.defaultFS", fsUri);
        core.setInt("dfs.replication", 1);
        writeXml(core, confDir.resolve("core-site.xml"));
        // only the yarn.* keys: the mini clusters also set test-only classes (a StaticMapping topology)
        Configuration yarnSite = new Configuration(false);
        Configuration live = yarn.getConfig();
        for (Map.Entry<String, String> e : live) {
            if (e.getKey().startsWith("yarn.")) {
                yarnSite.set(e.getKey(), live.get(e.getKey()));
            }
        }
        writeXml(yarnSite, confDir.resolve("yarn-site.xml"));
        emptyJar = dir.resolve("empty.jar");
        try (JarOutputStream ignored = new JarOutputStream(Files.newOutputStream(emptyJar))) {
            // spark.yarn.jars=local:<this>: the Spark classes come from the extra classpath
        }

        root = fsUri + "/tandem";
        Path datasets = PROJECT.resolve("datasets/target");
        String cp = confDir + ":" + datasets.resolve("classes") + ":"
                + Files.readString(datasets.resolve("runtime-classpath.txt")).trim();
        Result gen = exec(List.of("java", "@" + PROJECT.resolve("scripts/jvm.flags"), "-Xmx512m", "-cp", cp,
                "dev.tandem.datasets.cli.DatasetsCli", "generate", "--root", root, "--hours", "6",
                "--events-per-day", "4000", "--seed", "5", "--end", CUTOFF), 240);
        assertThat(gen.code).as(gen.output).isZero();
        layout = StorageLayout.at(root, new Configuration(dfs.getConfiguration(0)));
        assertThat(layout.completeHours()).hasSize(6);
        log("master dataset on " + root, t0);
    }

    @AfterAll
    static void stopClusters() throws IOException {
        if (yarn != null) {
            yarn.stop();
        }
        if (dfs != null) {
            dfs.shutdown();
        }
    }

    @Test
    @Order(1)
    void clientModeRunsOnYarnAndPublishesExactViewsOnHdfs() throws Exception {
        long t0 = System.nanoTime();
        Result run = submit("client");
        log("client-mode submission finished", t0);
        assertThat(run.code).as(run.output).isZero();
        // the driver ran here (its progress lines are in this output), the executors in YARN containers
        assertThat(run.output).as(run.output).contains("stage dedup done").contains("published ");
        assertSparkAppsSucceeded(1);

        clientRun = layout.readCurrent().orElseThrow();
        RunManifest m = PublishedViews.assertRunMatchesReference(layout, clientRun);
        assertThat(m.cutoff()).isEqualTo(CUTOFF);
        assertThat(m.mode()).isEqualTo("full");
    }

    @Test
    @Order(2)
    void clusterModeRunsTheDriverInYarnAndPublishesTheSameViews() throws Exception {
        long t0 = System.nanoTime();
        Result run = submit("cluster");
        log("cluster-mode submission finished", t0);
        assertThat(run.code).as(run.output).isZero();
        assertSparkAppsSucceeded(2);

        String run2 = layout.readCurrent().orElseThrow();
        assertThat(run2).as("cluster mode published a new run").isNotEqualTo(clientRun).isNotNull();
        RunManifest m = PublishedViews.assertRunMatchesReference(layout, run2);
        assertThat(m.cutoff()).isEqualTo(CUTOFF);
        if (clientRun != null) {
            assertThat(m.rowCounts()).isEqualTo(layout.readManifest(clientRun).rowCounts());
        }
    }

    /** The ResourceManager's own record: exactly {@code n} Spark applications ran, all SUCCEEDED. */
    private static void assertSparkAppsSucceeded(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> states;
        do {
            states = yarn.getResourceManager().getRMContext().getRMApps().values().stream()
                    .map(a -> a.getApplicationType() + ":" + a.getFinalApplicationStatus()).sorted().toList();
            if (states.size() == n && states.stream().allMatch(st -> st.equals("SPARK:" + FinalApplicationStatus.SUCCEEDED))) {
                return;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        assertThat(states).as("YARN applications (type:final status)")
                .containsExactlyElementsOf(java.util.Collections.nCopies(n, "SPARK:" + FinalApplicationStatus.SUCCEEDED));
    }

    private Result submit(String deployMode) throws Exception {
        String cp = Files.readString(PROJECT.resolve("batch-jobs/target/runtime-classpath.txt")).trim();
        String javaHome = System.getProperty("java.home");
        List<String> cmd = List.of(PROJECT.resolve("scripts/spark-submit-batch.sh").toString(),
                "--master", "yarn", "--deploy-mode", deployMode,
                "--driver-memory", "640m", "--executor-memory", "640m",
                "--num-executors", "1", "--executor-cores", "2",
                "--conf", "spark.yarn.am.memory=384m",
                "--conf", "spark.yarn.maxAppAttempts=1",
                "--conf", "spark.yarn.jars=local:" + emptyJar,
                "--conf", "spark.driver.extraClassPath=" + cp,
                "--conf", "spark.executor.extraClassPath=" + cp,
                "--conf", "spark.yarn.appMasterEnv.JAVA_HOME=" + javaHome,
                "--conf", "spark.executorEnv.JAVA_HOME=" + javaHome,
                "--conf", "spark.ui.enabled=false",
                "--conf", "spark.sql.shuffle.partitions=4",
                "--conf", "spark.sql.session.timeZone=UTC",
                "--",
                "batch", "--root", root, "--mode", "full");
        Result r = exec(cmd, SUBMIT_TIMEOUT_S);
        if (r.code != 0) {
            return new Result(r.code, r.output + "\n---- YARN container logs ----\n" + containerLogs());
        }
        return r;
    }

    /** The tail of every container's stdout/stderr, for the failure message. */
    private static String containerLogs() {
        StringBuilder sb = new StringBuilder();
        for (String logDir : nmLogDirs) {
            try (Stream<Path> files = Files.walk(Path.of(java.net.URI.create(logDir).getPath()))) {
                for (Path f : files.filter(p -> p.toString().contains("container_")
                        && (p.endsWith("stderr") || p.endsWith("stdout"))).sorted().toList()) {
                    List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                    sb.append("== ").append(f).append('\n');
                    lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(l -> sb.append(l).append('\n'));
                }
            } catch (IOException | RuntimeException e) {
                sb.append("(cannot read container logs in ").append(logDir).append(": ").append(e).append(")\n");
            }
        }
        return sb.toString();
    }

    private static void writeXml(Configuration c, Path file) throws IOException {
        try (OutputStream o = Files.newOutputStream(file)) {
            c.writeXml(o);
        }
    }

    private static void log(String what, long t0) {
        System.out.printf("[SparkOnYarnIT] %s after %d s%n", what, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
    }

    private record Result(int code, String output) {
    }

    private static Result exec(List<String> command, int timeoutSeconds) throws Exception {
        Path log = Files.createTempFile(dir, "proc", ".log");
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.remove("SPARK_HOME");
        env.remove("YARN_CONF_DIR");
        env.put("HADOOP_CONF_DIR", confDir.toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("TANDEM_NO_BUILD", "1");
        env.put("TANDEM_BATCH_HEAP", "-Xmx768m");
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("timed out after " + timeoutSeconds + " s: " + command + "\n"
                    + Files.readString(log, StandardCharsets.UTF_8) + "\n---- YARN container logs ----\n" + containerLogs());
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
