package org.devicebridge.api;

import org.devicebridge.BadConfigurationException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Per-device tokens of the pull model: a properties file of {@code device_id=token} lines
 * ({@code bridge.api.device-tokens-file}), read once at start. A caller with one of these tokens
 * IS that device: it may fetch only its own inbox and report only on its own commands.
 * <p>
 * Only SHA-256 digests of the tokens are kept. A given token is compared with every device's, in
 * constant time and without stopping at a match, so the time an answer takes tells nothing about
 * which token, or how much of one, was right. Problems with the file name the key and the device,
 * never a token.
 */
public final class DeviceTokens {

    public static final String KEY = "bridge.api.device-tokens-file";
    /** Shorter tokens could be guessed. */
    public static final int MIN_TOKEN_LENGTH = 16;
    private static final int MAX_DEVICE_ID = 200;   // bridge_command.device VARCHAR(200)

    private final List<Entry> entries;

    private record Entry(String device, byte[] digest) {
    }

    private DeviceTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** No per-device tokens. */
    public static DeviceTokens none() {
        return new DeviceTokens(List.of());
    }

    /**
     * Reads the file: one {@code device_id=token} per line (Java properties: {@code #} comments;
     * a {@code :}, {@code =} or space in a device id is escaped with {@code \}).
     *
     * @param otherTokens tokens no device may have (the operator's, the shared device token)
     * @param secrets     told each token, to mask it wherever it could be logged
     */
    public static DeviceTokens load(Path file, Set<String> otherTokens, java.util.function.Consumer<String> secrets) {
        Properties lines = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            lines.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new BadConfigurationException(KEY, "cannot read " + file + ": " + e.getClass().getSimpleName());
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String device : new TreeSet<>(lines.stringPropertyNames())) {
            String token = lines.getProperty(device).trim();
            secrets.accept(token);
            if (device.isBlank() || device.length() > MAX_DEVICE_ID) {
                throw new BadConfigurationException(KEY, "device id '" + device + "': 1 to " + MAX_DEVICE_ID + " characters");
            }
            if (token.length() < MIN_TOKEN_LENGTH || token.chars().anyMatch(Character::isWhitespace)) {
                throw new BadConfigurationException(KEY, "device '" + device + "': its token must have at least "
                        + MIN_TOKEN_LENGTH + " characters and no spaces");
            }
            if (!seen.add(token) || otherTokens.contains(token)) {
                throw new BadConfigurationException(KEY, "device '" + device + "': its token is not its own "
                        + "(another device, the API token or the shared device token has it too)");
            }
            entries.add(new Entry(device, digest(token.getBytes(StandardCharsets.UTF_8))));
        }
        return new DeviceTokens(entries);
    }

    public int size() {
        return entries.size();
    }

    /** The device whose token {@code given} is; compared with every token in constant time. */
    public Optional<String> deviceOf(byte[] given) {
        byte[] digest = digest(given);
        String match = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(digest, e.digest()) & match == null) {
                match = e.device();
            }
        }
        return Optional.ofNullable(match);
    }

    private static byte[] digest(byte[] token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
