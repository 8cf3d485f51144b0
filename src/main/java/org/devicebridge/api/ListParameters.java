package org.devicebridge.api;

import org.devicebridge.api.ApiException.FieldProblem;
import org.devicebridge.ledger.CommandQuery;
import org.devicebridge.ledger.CommandQuery.Condition;
import org.devicebridge.ledger.CommandQuery.Field;
import org.devicebridge.ledger.CommandQuery.Operator;
import org.devicebridge.ledger.CommandState;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The status list's query string, read into a {@link CommandQuery}, every parameter checked: the
 * list's own filters ({@code request}, {@code device}: comma separated; {@code state};
 * {@code exclude_internal_commands}), paging ({@code limit} 2..1000, {@code after} a command id,
 * {@code offset}, {@code order} ASC or DESC, {@code include=total_count}), and filters written
 * {@code <field>__<operator>} on {@link Field}'s fields with {@link Operator}'s operators
 * ({@code __lte} and {@code __gte} on times only; times in RFC 3339 or the short
 * {@code 20161130T162512Z} form). An unknown parameter, field or operator, or a bad value, is a
 * {@code 400} naming every parameter at fault.
 */
final class ListParameters {

    static final int MIN_LIMIT = 2;
    static final int MAX_LIMIT = 1000;
    static final int DEFAULT_LIMIT = 50;
    private static final int MAX_ID = 64;   // bridge_command.id VARCHAR(64)
    private static final List<String> OWN = List.of("request", "device", "state", "exclude_internal_commands", "limit", "offset",
            "after", "order", "include");
    private static final String FIELDS = Arrays.stream(Field.values()).map(Field::parameter).collect(Collectors.joining(", "));
    private static final String OPERATORS = Arrays.stream(Operator.values()).map(Operator::suffix).collect(Collectors.joining(", "));
    private static final DateTimeFormatter SHORT_TIME = new DateTimeFormatterBuilder().appendPattern("uuuuMMdd'T'HHmmss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd().appendOffsetId().toFormatter(Locale.ROOT);

    private final ApiCall call;
    private final List<FieldProblem> problems = new ArrayList<>();

    private ListParameters(ApiCall call) {
        this.call = call;
    }

    /** The query the call asks for; an {@link ApiException} (400) naming each parameter at fault otherwise. */
    static CommandQuery read(ApiCall call) {
        return new ListParameters(call).read();
    }

    private CommandQuery read() {
        List<Condition> conditions = new ArrayList<>();
        List<String> requests = csv(call.parameter("request"));
        if (!requests.isEmpty()) {
            conditions.add(new Condition(Field.REQUEST, Operator.IN, requests));
        }
        List<String> devices = csv(call.parameter("device"));
        if (!devices.isEmpty()) {
            conditions.add(new Condition(Field.DEVICE, Operator.IN, devices));
        }
        String state = call.parameter("state");
        if (state != null && state("state", state)) {
            conditions.add(new Condition(Field.STATE, Operator.EQ, List.of(state)));
        }
        boolean excludeInternal = bool("exclude_internal_commands");
        int limit = integer("limit", DEFAULT_LIMIT, MIN_LIMIT, MAX_LIMIT);
        int offset = integer("offset", 0, 0, Integer.MAX_VALUE);
        String after = call.parameter("after");
        if (after != null && after.length() > MAX_ID) {
            problem("after", "not a command id (longer than " + MAX_ID + " characters)");
        }
        boolean descending = descending();
        boolean withTotal = include();
        for (String name : new TreeSet<>(call.queryNames())) {
            if (!OWN.contains(name)) {
                filter(name, conditions);
            }
        }
        if (!problems.isEmpty()) {
            throw ApiException.invalid(problems);
        }
        return new CommandQuery(conditions, excludeInternal, after, descending, limit, offset, withTotal);
    }

    /** {@code <field>__<operator>=<value>}. */
    private void filter(String name, List<Condition> conditions) {
        int split = name.lastIndexOf("__");
        if (split <= 0) {
            problem(name, "unknown parameter; the list takes " + String.join(", ", OWN) + " and filters <field>__<operator>");
            return;
        }
        String fieldName = name.substring(0, split);
        String suffix = name.substring(split);
        Field field = Field.ofParameter(fieldName).orElse(null);
        Operator operator = Operator.ofSuffix(suffix).orElse(null);
        if (field == null) {
            problem(name, "unknown field '" + fieldName + "' to filter on; one of " + FIELDS);
            return;
        }
        if (operator == null) {
            problem(name, "unknown operator '" + suffix + "'; one of " + OPERATORS);
            return;
        }
        if ((operator == Operator.LTE || operator == Operator.GTE) && !field.time()) {
            problem(name, operator.suffix() + " compares times (created_at, updated_at, finished_at), not " + fieldName);
            return;
        }
        String raw = call.parameter(name);
        List<String> values = raw == null ? List.of() : operator.list() ? csv(raw) : List.of(raw);
        if (values.isEmpty()) {
            problem(name, "a value is required");
            return;
        }
        if (field.time()) {
            List<Instant> times = new ArrayList<>();
            for (String v : values) {
                Instant t = time(v);
                if (t == null) {
                    problem(name, "'" + v + "' is not an RFC 3339 time such as 2026-11-30T16:25:12Z (or 20261130T162512Z)");
                    return;
                }
                times.add(t);
            }
            conditions.add(new Condition(field, operator, times));
            return;
        }
        if (field == Field.STATE) {
            for (String v : values) {
                if (!state(name, v)) {
                    return;
                }
            }
        }
        conditions.add(new Condition(field, operator, values));
    }

    private static Instant time(String value) {
        for (DateTimeFormatter f : List.of(DateTimeFormatter.ISO_OFFSET_DATE_TIME, SHORT_TIME)) {
            try {
                return OffsetDateTime.parse(value, f).toInstant();
            } catch (DateTimeParseException e) {
                // the other form, or none
            }
        }
        return null;
    }

    private boolean state(String name, String label) {
        if (CommandState.fromLabel(label).isPresent()) {
            return true;
        }
        problem(name, "unknown state '" + label + "'; one of "
                + Arrays.stream(CommandState.values()).map(CommandState::label).toList());
        return false;
    }

    private boolean descending() {
        String order = call.parameter("order");
        if (order == null || order.equalsIgnoreCase("ASC")) {
            return false;
        }
        if (order.equalsIgnoreCase("DESC")) {
            return true;
        }
        problem("order", "must be ASC or DESC, not '" + order + "'");
        return false;
    }

    private boolean include() {
        Set<String> asked = new TreeSet<>(csv(call.parameter("include")));
        asked.remove("total_count");
        if (!asked.isEmpty()) {
            problem("include", "unknown " + asked + "; the list can include total_count");
        }
        return true;   // the total is counted for every page (the list's "total")
    }

    private int integer(String name, int fallback, int min, int max) {
        String v = call.parameter(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // told below
        }
        problem(name, "must be a whole number from " + min + " to " + max + ", not '" + v + "'");
        return fallback;
    }

    private boolean bool(String name) {
        String v = call.parameter(name);
        if (v == null || v.equalsIgnoreCase("false")) {
            return false;
        }
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        problem(name, "must be true or false, not '" + v + "'");
        return false;
    }

    private void problem(String name, String message) {
        problems.add(new FieldProblem(name, message));
    }

    private static List<String> csv(String value) {
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
