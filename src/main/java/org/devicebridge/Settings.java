package org.devicebridge;

import org.apache.camel.CamelContext;
import org.apache.camel.util.TimeUtils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Typed access to the bridge's configuration ({@code bridge.*} keys), resolved by Camel's
 * properties component: {@code config/application.properties}, overridden by system properties
 * ({@code -Dbridge.x=..}) and environment variables ({@code BRIDGE_X=..}).
 * Problems are reported as {@link BadConfigurationException} naming the key.
 * <p>
 * Every default lives in {@code config/application.properties} (always loaded: the packaged copy
 * is the last location); the one-argument readers take it from there and have none of their own.
 * The readers with a fallback are for keys whose absence means something else (a value derived
 * at run time), not for defaults.
 */
public class Settings {

    /** Milliseconds, or amounts with units: {@code 500ms}, {@code 2s}, {@code 15m}, {@code 1h30m}, {@code 2d}. */
    private static final Pattern SHORT_DURATION = Pattern.compile("\\d+|(\\d+(ms|d|h|m|s))+", Pattern.CASE_INSENSITIVE);

    private final CamelContext context;

    public Settings(CamelContext context) {
        this.context = context;
    }

    public Optional<String> optional(String key) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String required(String key) {
        return optional(key).orElseThrow(() -> new BadConfigurationException(key, "is required"));
    }

    public int integer(String key) {
        return parse(key, Integer::parseInt, "must be a whole number");
    }

    /** A whole number within {@code min..max}. */
    public int integer(String key, int min, int max) {
        return integer(key, integer(key), min, max);
    }

    public double decimal(String key) {
        return parse(key, Double::parseDouble, "must be a number");
    }

    public boolean bool(String key) {
        required(key);
        return bool(key, false);
    }

    public Duration duration(String key) {
        required(key);
        return duration(key, Duration.ZERO);
    }

    private <T> T parse(String key, java.util.function.Function<String, T> parser, String expected) {
        String v = required(key);
        try {
            return parser.apply(v);
        } catch (NumberFormatException e) {
            throw new BadConfigurationException(key, expected + ", not '" + v + "'");
        }
    }

    public String get(String key, String fallback) {
        return optional(key).orElse(fallback);
    }

    public int integer(String key, int fallback) {
        String v = get(key, null);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new BadConfigurationException(key, "must be a whole number, not '" + v + "'");
        }
    }

    /** A whole number within {@code min..max}. */
    public int integer(String key, int fallback, int min, int max) {
        int v = integer(key, fallback);
        if (v < min || v > max) {
            throw new BadConfigurationException(key, max == Integer.MAX_VALUE ? "must be at least " + min + ", not " + v
                    : "must be from " + min + " to " + max + ", not " + v);
        }
        return v;
    }

    public double decimal(String key, double fallback) {
        String v = get(key, null);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new BadConfigurationException(key, "must be a number, not '" + v + "'");
        }
    }

    public boolean bool(String key, boolean fallback) {
        String v = get(key, null);
        if (v == null) {
            return fallback;
        }
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new BadConfigurationException(key, "must be true or false, not '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    /** A duration as ISO-8601 ({@code PT15M}) or Camel's short form ({@code 500ms}, {@code 2s}, {@code 15m}, {@code 1h}). */
    public Duration duration(String key, Duration fallback) {
        String v = get(key, null);
        if (v == null) {
            return fallback;
        }
        Duration d;
        try {
            if (v.toUpperCase().startsWith("P")) {
                d = Duration.parse(v);
            } else if (SHORT_DURATION.matcher(v).matches()) {
                d = Duration.ofMillis(TimeUtils.toMilliSeconds(v));
            } else {
                // Camel's TimeUtils reads what it cannot parse as 0 ('garbage', '5x'), or fails with an index error ('soon')
                throw new IllegalArgumentException(v);
            }
        } catch (DateTimeParseException | IllegalArgumentException | ArithmeticException e) {
            throw new BadConfigurationException(key, "must be a duration such as PT15M, 2s or 500ms, not '" + v + "'");
        }
        if (d.isNegative()) {
            throw new BadConfigurationException(key, "must not be negative, not '" + v + "'");
        }
        return d;
    }

    /**
     * A secret: the value of {@code key} (best given as an environment variable), or else the
     * content of the file named by {@code key + "-file"} (e.g. a mounted Kubernetes secret).
     */
    public Optional<String> secret(String key) {
        Optional<String> direct = optional(key);
        if (direct.isPresent()) {
            return direct;
        }
        Optional<String> file = optional(key + "-file");
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).trim()).filter(s -> !s.isEmpty());
        } catch (IOException e) {
            throw new BadConfigurationException(key + "-file", "cannot read " + file.get() + ": " + e.getClass().getSimpleName());
        }
    }
}
