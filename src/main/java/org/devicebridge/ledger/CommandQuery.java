package org.devicebridge.ledger;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One page of the command list as asked: conditions on a fixed set of fields (each field a known
 * column, each operator a known SQL comparison, each value bound as a parameter: nothing the
 * caller sends becomes SQL text), the internal commands left out or not, where the page starts
 * (after a command, and/or an offset), its order and size, and whether the total count is wanted.
 */
public record CommandQuery(List<Condition> conditions, boolean excludeInternal, String after, boolean descending, int limit,
                           int offset, boolean withTotal) {

    /** The fields a list may be filtered on, each with its column. */
    public enum Field {
        STATE("state", "state", false),
        DEVICE("device", "device", false),
        KIND("kind", "kind", false),
        REQUEST("request", "request_id", false),
        CREATED_AT("created_at", "created_at", true),
        UPDATED_AT("updated_at", "updated_at", true),
        FINISHED_AT("finished_at", "finished_at", true);

        private final String parameter;
        private final String column;
        private final boolean time;

        Field(String parameter, String column, boolean time) {
            this.parameter = parameter;
            this.column = column;
            this.time = time;
        }

        /** Its name in the API ({@code request} for the column {@code request_id}). */
        public String parameter() {
            return parameter;
        }

        public boolean time() {
            return time;
        }

        String column() {
            return column;
        }

        public static Optional<Field> ofParameter(String name) {
            for (Field f : values()) {
                if (f.parameter.equals(name)) {
                    return Optional.of(f);
                }
            }
            return Optional.empty();
        }
    }

    /** The filter operators, each its parameter suffix ({@code __eq}) and its SQL. */
    public enum Operator {
        EQ("="), NEQ("<>"), LTE("<="), GTE(">="), IN("IN"), NIN("NOT IN");

        private final String sql;

        Operator(String sql) {
            this.sql = sql;
        }

        public String suffix() {
            return "__" + name().toLowerCase(Locale.ROOT);
        }

        public boolean list() {
            return this == IN || this == NIN;
        }

        String sql() {
            return sql;
        }

        public static Optional<Operator> ofSuffix(String suffix) {
            for (Operator o : values()) {
                if (o.suffix().equals(suffix)) {
                    return Optional.of(o);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * {@code field operator values}: one value for {@code EQ NEQ LTE GTE}, one or more for
     * {@code IN NIN}; text for text fields, {@link Instant}s for times.
     */
    public record Condition(Field field, Operator operator, List<?> values) {
        public Condition {
            if (values.isEmpty() || (!operator.list() && values.size() != 1)) {
                throw new IllegalArgumentException(field + operator.suffix() + ": " + values.size() + " values");
            }
            for (Object v : values) {
                if (field.time() != (v instanceof Instant)) {
                    throw new IllegalArgumentException(field + operator.suffix() + ": " + v.getClass().getSimpleName());
                }
            }
        }
    }
}
