package org.devicebridge.simulator.access;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.simulator.SimulatorHttp;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A parsed, validated {@code GET /v1/device-actions} query: filters, {@code limit},
 * {@code after}, {@code order} and {@code include}. Anything it does not know is a
 * {@code 400 validation_error} naming the parameter.
 */
final class ActionQuery {

    static final int DEFAULT_LIMIT = 50;
    static final int MIN_LIMIT = 2;
    static final int MAX_LIMIT = 1000;

    private static final Map<String, Function<DeviceAction, String>> TEXT_FIELDS = Map.of(
            "id", DeviceAction::id,
            "device_id", DeviceAction::deviceId,
            "status", action -> action.status().name(),
            "type", DeviceAction::type);
    private static final String CREATED_AT = "created_at";
    private static final Set<String> TEXT_OPERATORS = Set.of("eq", "neq", "in", "nin");
    private static final Set<String> TIME_OPERATORS = Set.of("eq", "neq", "in", "nin", "lte", "gte");

    private final int limit;
    private final String after;
    private final boolean descending;
    private final boolean includeTotalCount;
    private final Predicate<DeviceAction> filter;

    private ActionQuery(int limit, String after, boolean descending, boolean includeTotalCount,
                        Predicate<DeviceAction> filter) {
        this.limit = limit;
        this.after = after;
        this.descending = descending;
        this.includeTotalCount = includeTotalCount;
        this.filter = filter;
    }

    static ActionQuery parse(Map<String, List<String>> parameters) throws AccessApiException {
        int limit = DEFAULT_LIMIT;
        String after = null;
        boolean descending = false;
        boolean totalCount = false;
        Predicate<DeviceAction> filter = action -> true;
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            String name = parameter.getKey();
            if (parameter.getValue().size() > 1) {
                throw AccessApiException.validation(name, "given more than once");
            }
            String value = parameter.getValue().get(0);
            switch (name) {
                case "limit" -> limit = parseLimit(value);
                case "after" -> after = requireValue(name, value);
                case "order" -> descending = parseOrder(value);
                case "include" -> totalCount = parseInclude(value);
                default -> filter = filter.and(parseFilter(name, value));
            }
        }
        return new ActionQuery(limit, after, descending, totalCount, filter);
    }

    /** Runs the query over all actions (in creation order) and renders the list object. */
    ObjectNode run(List<DeviceAction> allInCreationOrder, ActionJson json) throws AccessApiException {
        List<DeviceAction> ordered = new ArrayList<>(allInCreationOrder);
        if (descending) {
            Collections.reverse(ordered);
        }
        List<DeviceAction> matching = ordered.stream().filter(filter).toList();
        List<DeviceAction> remaining = matching;
        if (after != null) {
            DeviceAction cursor = ordered.stream().filter(a -> a.id().equals(after)).findFirst()
                    .orElseThrow(() -> AccessApiException.validation("after", "unknown action id"));
            int sign = descending ? -1 : 1;
            remaining = matching.stream()
                    .filter(a -> sign * ActionStore.CREATION_ORDER.compare(a, cursor) > 0)
                    .toList();
        }
        List<DeviceAction> page = remaining.subList(0, Math.min(limit, remaining.size()));
        ObjectNode list = SimulatorHttp.JSON.createObjectNode()
                .put("object", "list")
                .put("limit", limit)
                .put("after", after)
                .put("order", descending ? "DESC" : "ASC")
                .put("has_more", remaining.size() > page.size());
        if (includeTotalCount) {
            list.put("total_count", matching.size());
        }
        ArrayNode data = list.putArray("data");
        page.forEach(action -> data.add(json.action(action)));
        return list;
    }

    private static int parseLimit(String value) throws AccessApiException {
        try {
            int limit = Integer.parseInt(value);
            if (limit >= MIN_LIMIT && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw AccessApiException.validation("limit", "must be an integer from " + MIN_LIMIT + " to " + MAX_LIMIT);
    }

    private static boolean parseOrder(String value) throws AccessApiException {
        return switch (value) {
            case "ASC" -> false;
            case "DESC" -> true;
            default -> throw AccessApiException.validation("order", "must be ASC or DESC");
        };
    }

    private static boolean parseInclude(String value) throws AccessApiException {
        for (String item : value.split(",")) {
            if (!item.trim().equals("total_count")) {
                throw AccessApiException.validation("include", "only total_count is supported");
            }
        }
        return true;
    }

    private static Predicate<DeviceAction> parseFilter(String name, String value) throws AccessApiException {
        int split = name.lastIndexOf("__");
        if (split <= 0) {
            throw AccessApiException.validation(name, "unknown parameter");
        }
        String field = name.substring(0, split);
        String operator = name.substring(split + 2);
        requireValue(name, value);
        if (CREATED_AT.equals(field)) {
            if (!TIME_OPERATORS.contains(operator)) {
                throw AccessApiException.validation(name, "unknown filter operator");
            }
            return timeFilter(name, operator, value);
        }
        Function<DeviceAction, String> accessor = TEXT_FIELDS.get(field);
        if (accessor == null) {
            throw AccessApiException.validation(name, "unknown filter field");
        }
        if (!TEXT_OPERATORS.contains(operator)) {
            throw AccessApiException.validation(name, "unknown filter operator");
        }
        List<String> values = values(name, operator, value);
        if (field.equals("status")) {
            for (String status : values) {
                if (Arrays.stream(ActionStatus.values()).noneMatch(s -> s.name().equals(status))) {
                    throw AccessApiException.validation(name, "unknown status " + status);
                }
            }
        }
        boolean negated = operator.equals("neq") || operator.equals("nin");
        return action -> values.contains(accessor.apply(action)) != negated;
    }

    private static Predicate<DeviceAction> timeFilter(String name, String operator, String value)
            throws AccessApiException {
        List<Instant> instants = new ArrayList<>();
        for (String text : values(name, operator, value)) {
            Optional<Instant> instant = Times.parseFilterValue(text);
            if (instant.isEmpty()) {
                throw AccessApiException.validation(name, "not an RFC3339 timestamp: " + text);
            }
            instants.add(instant.get());
        }
        Instant first = instants.get(0);
        return switch (operator) {
            case "lte" -> action -> !action.createdAt().isAfter(first);
            case "gte" -> action -> !action.createdAt().isBefore(first);
            case "neq", "nin" -> action -> !instants.contains(action.createdAt());
            default -> action -> instants.contains(action.createdAt());
        };
    }

    private static List<String> values(String name, String operator, String value) throws AccessApiException {
        boolean multiple = operator.equals("in") || operator.equals("nin");
        List<String> values = multiple ? Arrays.stream(value.split(",", -1)).map(String::trim).toList() : List.of(value);
        if (values.stream().anyMatch(String::isEmpty)) {
            throw AccessApiException.validation(name, "empty value");
        }
        return values;
    }

    private static String requireValue(String name, String value) throws AccessApiException {
        if (value.isEmpty()) {
            throw AccessApiException.validation(name, "empty value");
        }
        return value;
    }
}
