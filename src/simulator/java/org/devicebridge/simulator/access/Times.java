package org.devicebridge.simulator.access;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** Clock and RFC3339 helpers; all simulator timestamps are UTC with millisecond precision. */
final class Times {

    private static final DateTimeFormatter TRUNCATED = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmssX");

    private Times() {
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /** RFC3339 in UTC, e.g. {@code 2026-01-01T08:00:00.123Z}. */
    static String format(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** Parses RFC3339 ({@code 2016-11-30T16:25:12.1234Z}, any offset). */
    static Optional<Instant> parseRfc3339(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Parses a list-filter value: RFC3339 or the truncated form {@code 20161130T162512Z}. */
    static Optional<Instant> parseFilterValue(String text) {
        Optional<Instant> full = parseRfc3339(text);
        if (full.isPresent()) {
            return full;
        }
        try {
            return Optional.of(OffsetDateTime.parse(text, TRUNCATED).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
