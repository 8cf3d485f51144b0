package org.devicebridge;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * First run on embedded defaults: when the inbox does not exist yet and the simulator is on,
 * the example batches ({@code bridge.examples.dir}) are copied into it, so a new user sees a
 * batch go through without preparing anything. Later runs find the inbox and copy nothing.
 */
final class InboxExamples {

    private static final Logger LOG = LoggerFactory.getLogger(InboxExamples.class);

    private InboxExamples() {
    }

    static void seedIfNew(Settings settings, CloudChoice choice) {
        Path inbox = Path.of(settings.required("bridge.inbox.dir"));
        Path examples = Path.of(settings.required("bridge.examples.dir"));
        boolean wanted = settings.bool("bridge.examples.seed") && choice.real().isEmpty() && choice.anySimulated(); // the demo only
        if (!wanted || Files.exists(inbox) || !Files.isDirectory(examples)) {
            return;
        }
        try {
            Files.createDirectories(inbox);
            try (Stream<Path> files = Files.list(examples)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    Files.copy(f, inbox.resolve(f.getFileName()));
                    LOG.info("first run: example batch {} copied into {}", f.getFileName(), inbox);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot seed the inbox with the examples", e);
        }
    }
}
