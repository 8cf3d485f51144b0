package org.devicebridge.simulator;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The checks the clouds' settings records share; each throws with the setting's name and what is
 * wrong with it (never its value, which may be a secret).
 */
public final class SettingsChecks {

    private SettingsChecks() {
    }

    /** A secret (API key, token): present and not blank. */
    public static void requireSecret(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    /** A duration that is present and zero or positive. */
    public static void requireNonNegative(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive");
        }
    }

    /** A duration that is present and above zero. */
    public static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /** A count that is zero or more. */
    public static void requireNonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }

    /** A count that is {@code min} or more. */
    public static void requireAtLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min);
        }
    }

    /** A share of calls: from 0 to 1 inclusive (NaN is refused). */
    public static void requireShare(String name, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1");
        }
    }

    /**
     * A regular expression that is present and compiles.
     *
     * @throws NullPointerException                   when it is missing
     * @throws java.util.regex.PatternSyntaxException when it does not compile
     */
    public static void requirePattern(String name, String regex) {
        Objects.requireNonNull(regex, name);
        Pattern.compile(regex);
    }
}
