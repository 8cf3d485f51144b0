package org.devicebridge.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document itself, without a bridge: it parses without a problem, every {@code $ref}
 * points at something that exists, each action kind has its own schema chosen by {@code kind}, and
 * the lint exceptions ({@code .redocly.lint-ignore.yaml}) name only paths the document has.
 */
class OpenApiDocumentTest {

    private static final Path DOCUMENT = Path.of("src/main/resources/openapi/bridge-api.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void parsesWithoutAProblem() throws IOException {
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(Files.readString(DOCUMENT));

        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getPaths()).containsKey("/commands/v0/status/");
    }

    @Test
    void resolvesEveryReference() throws IOException {
        JsonNode root = YAML.readTree(DOCUMENT.toFile());
        List<String> refs = new ArrayList<>();
        collectRefs(root, refs);

        assertThat(refs).isNotEmpty();
        assertThat(refs).allSatisfy(ref -> {
            assertThat(ref).startsWith("#/");
            assertThat(root.at(ref.substring(1).replace("~1", "/").replace("~0", "~")).isMissingNode()).as(ref).isFalse();
        });
    }

    @Test
    void describesEachActionKindByItsOwnSchemaChosenByKind() throws IOException {
        JsonNode action = YAML.readTree(DOCUMENT.toFile()).at("/components/schemas/Action");

        assertThat(action.at("/discriminator/propertyName").asText()).isEqualTo("kind");
        Map<String, String> mapping = YAML.convertValue(action.at("/discriminator/mapping"), Map.class);
        assertThat(mapping).containsOnlyKeys("credentials", "bulk", "capability", "command");
        assertThat(action.path("oneOf").findValuesAsText("$ref")).containsExactlyInAnyOrderElementsOf(mapping.values());
        JsonNode schemas = YAML.readTree(DOCUMENT.toFile()).at("/components/schemas");
        mapping.forEach((kind, ref) -> {
            JsonNode schema = schemas.path(ref.substring(ref.lastIndexOf('/') + 1));
            assertThat(schema.at("/properties/kind/enum/0").asText()).as(ref).isEqualTo(kind);
            assertThat(YAML.convertValue(schema.path("required"), List.class)).as(ref).contains("kind");
            assertThat(schema.path("additionalProperties").asBoolean(true)).as("%s: unknown fields reject the action", ref).isFalse();
        });
    }

    @Test
    void exemptsFromLintOnlyPathsTheDocumentHas() throws IOException {
        JsonNode ignored = YAML.readTree(Path.of(".redocly.lint-ignore.yaml").toFile()).path(DOCUMENT.toString());
        JsonNode paths = YAML.readTree(DOCUMENT.toFile()).path("paths");

        List<String> exempted = YAML.convertValue(ignored.path("no-path-trailing-slash"), List.class);
        assertThat(new TreeSet<>(ignored.properties().stream().map(Map.Entry::getKey).toList()))
                .containsExactly("info-license", "no-path-trailing-slash");
        assertThat(exempted).isNotEmpty().allSatisfy(pointer -> {
            String path = pointer.substring("#/paths/".length()).replace("~1", "/");
            assertThat(paths.has(path)).as(pointer).isTrue();
            assertThat(path).endsWith("/");
        });
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref")) {
                    refs.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, refs));
        }
    }
}
