package dev.tandem.serving.verify;

import dev.tandem.core.storage.StorageLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code scripts/tandem verify}: served answers against a recompute; the exit code says whether they agree. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Recomputes every view from the master dataset and the unarchived part of the log with the",
                "reference evaluator, compares every row the API serves, and prints the differences.",
                "Exit code: 0 all rows agree, 1 some differ, 3 verification could not run."})
public final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--root", defaultValue = "data", description = "Storage root (default: ${DEFAULT-VALUE}).")
    String root;

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers; without it only the master dataset is the truth.")
    String bootstrap;

    @Option(names = "--api", defaultValue = "http://127.0.0.1:8080", description = "The serving API (default: ${DEFAULT-VALUE}).")
    String api;

    @Override
    public Integer call() {
        try {
            Verifier.Report report = Verifier.verify(StorageLayout.at(root), bootstrap, api);
            System.out.print(report.render());
            return report.agrees() ? 0 : 1;
        } catch (Exception e) {
            System.err.println("tandem verify: could not verify: " + e.getMessage());
            return 3;
        } 
    }
}
