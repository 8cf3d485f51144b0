package org.devicebridge.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The repository stands on its own: no README, page, source, route, configuration or script points a
 * reader at documents they do not have (a folder outside the checkout, the working notes the
 * project was specified from, tracker numbers). What the bridge relies on is written in docs/
 * instead (docs/cloud-contracts.md, docs/batch-format.md). Reads files; boots nothing.
 */
class SelfContainedRepositoryTest {

    /** Where a reader of the repository would be sent away, each with what to write instead. */
    private static final List<Pattern> OUTSIDE_REFERENCES = List.of(
            Pattern.compile("shared[/\\\\]"),                       // a folder beside the checkout
            Pattern.compile("(?i)\\bseed[s]? ?0[0-9x]"),            // the numbered source notes
            Pattern.compile("\\b[Ss]eeds\\b"),
            Pattern.compile("(?:BATCH-FORMAT|DEVICE-CLOUD|ACCESS-YONOMI)[.]md"),  // their upper-case names
            Pattern.compile("(?i)\\bissues? #?[0-9]+\\b"));         // tracker numbers

    /** The parts of the repository a user reads; build output, data and version control are not. */
    private static final List<String> ROOTS = List.of("README.md", "pom.xml", "docs", "src", "routes", "config",
            "bench", "examples", ".ci", ".mvn");
    private static final Set<String> TEXT = Set.of("md", "java", "yaml", "yml", "properties", "xml", "sh", "sql",
            "json", "jsonl", "csv", "txt", "config", "html", "js", "css");

    @Test
    void noFileReferencesDocumentsOutsideTheRepository() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : readableFiles()) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            for (int i = 0; i < lines.size(); i++) {
                for (Pattern reference : OUTSIDE_REFERENCES) {
                    Matcher matcher = reference.matcher(lines.get(i));
                    if (matcher.find()) {
                        found.add(file + ":" + (i + 1) + ": '" + matcher.group() + "' in: " + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(found)
                .as("references to documents a user of the repository does not have: write what is meant in docs/")
                .isEmpty();
    }

    static List<Path> readableFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String root : ROOTS) {
            Path path = Path.of(root);
            if (!Files.exists(path)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(path)) {
                walk.filter(Files::isRegularFile).filter(SelfContainedRepositoryTest::isText).forEach(files::add);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        assertThat(files).as("files to read").isNotEmpty();
        return files;
    }

    private static boolean isText(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 || TEXT.contains(name.substring(dot + 1));
    }
}
