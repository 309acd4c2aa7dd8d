package dev.tandem.datasets.cli;

import dev.tandem.datasets.generate.GeneratorConfig;
import dev.tandem.datasets.live.LiveProducer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code tandem produce}: live events into tandem.events. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Sends live events (with late, duplicate, bad, v1 and v2 ones) to tandem.events, keyed by user_id.")
public final class ProduceCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--rate", defaultValue = "200", description = "Records per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", defaultValue = "0",
            description = "How long, e.g. 90s, 10m, 2h; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--seed", defaultValue = "2", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--late-rate", defaultValue = "0.01") double lateRate;
    @Option(names = "--duplicate-rate", defaultValue = "0.005") double duplicateRate;
    @Option(names = "--bad-rate", defaultValue = "0.001") double badRate;

    @Override
    public Integer call() throws Exception {
        if (rate < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rate must be at least 1");
        }
        Duration d;
        try {
            d = parseDuration(duration);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        GeneratorConfig cfg = GeneratorConfig.defaults(seed, 0).withRates(lateRate, duplicateRate, badRate);
        AtomicBoolean stop = new AtomicBoolean();
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            try {
                main.join(10_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.CLIENT_ID_CONFIG, "tandem-produce"),
                new StringSerializer(), new ByteArraySerializer())) {
            LiveProducer.Result r = new LiveProducer(producer, cfg, System::currentTimeMillis).run(rate, d, stop::get);
            spec.commandLine().getOut().printf("produced %d records to tandem.events at %s (%d duplicates, %d bad, %d late)%n",
                    r.sent(), bootstrap, r.duplicates(), r.bad(), r.late());
        }
        return 0;
    }

    static Duration parseDuration(String s) {
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        try {
            return Duration.parse("PT" + s.toUpperCase(java.util.Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--duration must look like 90s, 10m or 2h: " + s);
        }
    }
}
