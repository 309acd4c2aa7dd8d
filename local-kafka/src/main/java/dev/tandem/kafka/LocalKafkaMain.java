package dev.tandem.kafka;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code scripts/tandem kafka}: runs the local broker in the foreground until Ctrl-C. */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "Runs a single-node Kafka broker (KRaft) on 127.0.0.1 with Tandem's topics created.")
public final class LocalKafkaMain implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "9092", description = "Client port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--controller-port", defaultValue = "9093", description = "KRaft controller port (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--dir", defaultValue = "data/kafka",
            description = "Broker state; an existing directory resumes its log (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Override
    public Integer call() throws InterruptedException {
        LocalKafka kafka = LocalKafka.start(dir, port, controllerPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "kafka-shutdown"));
        System.out.println("Kafka ready at " + kafka.bootstrapServers() + " — topics " + LocalKafka.topicNames()
                + ", state in " + dir.toAbsolutePath() + ". Ctrl-C stops it.");
        stopped.await();
        return 0;
    }

    public static void main(String[] args) {
        // the launcher passes the command name first; accept it so `tandem kafka --help` works
        if (args.length > 0 && args[0].equals("kafka")) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        System.exit(new CommandLine(new LocalKafkaMain()).execute(args));
    }
}
