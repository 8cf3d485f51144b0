package org.devicebridge.access;

import org.devicebridge.BadConfigurationException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A GraphQL document the bridge sends (a mutation or a query), read from a file: the one a
 * setting names, or the default shipped with the bridge. Variables are bound by name; the document
 * must declare every variable the bridge binds, which is checked when the bridge starts.
 *
 * @param key  the setting that names the file
 * @param text the document
 */
public record GraphQlDocument(String key, String text) {

    /**
     * The file {@code path} names, or else the default from the classpath.
     *
     * @param variables the variables the bridge binds, e.g. {@code deviceId}
     * @throws BadConfigurationException naming {@code key} when the file cannot be read or lacks a variable
     */
    public static GraphQlDocument load(String key, String path, String defaultResource, List<String> variables) {
        String text;
        try {
            if (path != null) {
                text = Files.readString(Path.of(path), StandardCharsets.UTF_8);
            } else {
                try (InputStream in = GraphQlDocument.class.getResourceAsStream(defaultResource)) {
                    if (in == null) {
                        throw new BadConfigurationException(key, "default document " + defaultResource + " is missing");
                    }
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new BadConfigurationException(key, "cannot read " + path + ": " + e.getClass().getSimpleName());
        }
        if (text.isBlank()) {
            throw new BadConfigurationException(key, "the GraphQL document in " + (path == null ? defaultResource : path) + " is empty");
        }
        for (String variable : variables) {
            if (!Pattern.compile("\\$" + variable + "\\s*:").matcher(text).find()) {
                throw new BadConfigurationException(key, "the GraphQL document in " + (path == null ? defaultResource : path)
                        + " does not declare $" + variable + ", which the bridge binds");
            }
        }
        return new GraphQlDocument(key, text);
    }
}
